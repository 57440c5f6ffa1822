/**
 * The export dialog: title, file name, format, time range and hypotheses,
 * then "Replace?" when the file is an earlier export, and the file opened
 * afterwards if asked. JupyterLab's own Dialog, so Tab, Enter and Escape
 * work as in every other dialog of the lab.
 */

import { Dialog, ICommandPalette, Notification, showDialog } from '@jupyterlab/apputils';
import { PageConfig, URLExt } from '@jupyterlab/coreutils';
import { IDocumentManager } from '@jupyterlab/docmanager';
import type { CommandRegistry } from '@lumino/commands';
import { Widget } from '@lumino/widgets';

import { LogbookApiError } from '../lib/api';
import { el } from '../lib/dom';
import {
  defaultChoice,
  EXPORT_FORMATS,
  ExportFormat,
  IExportChoice,
  exportBody,
  isExportFormat,
  problemWith,
  viewerFor,
  withExtension
} from './exportform';
import { ILogbookModel } from '../lib/imodel';
import { CommandIDs } from '../lib/tokens';
import { IHypothesis } from '../lib/types';

/**
 * The export command (``args.format`` picks the format first): the dialog,
 * then a notification with "Open", and the file opened if asked. The dialog
 * starts from the last export of this page, else from the defaults.
 */
export function addExportCommand(
  commands: CommandRegistry,
  model: ILogbookModel,
  docManager: IDocumentManager,
  palette: ICommandPalette | null
): void {
  let last: IExportChoice | null = null;
  commands.addCommand(CommandIDs.exportLog, {
    label: args => (isExportFormat(args.format) ? `Logbook: Export as ${args.format.toUpperCase()}…` : 'Logbook: Export…'),
    caption: 'Export the logbook: title, file name, format, time range and hypotheses',
    execute: async args => {
      let choice = last ?? defaultChoice(model.settings.exportFolder);
      if (isExportFormat(args.format) && args.format !== choice.format) {
        choice = { ...choice, format: args.format, path: withExtension(choice.path, args.format) };
      }
      const written = await exportWithDialog({ hypotheses: () => model.hypotheses, write: model.writeExport }, choice);
      if (written) {
        last = written;
        const open = () => openExport(docManager, written.path, written.format);
        Notification.success(`Logbook exported to ${written.path}`, {
          autoClose: 10000,
          actions: [{ label: 'Open', caption: `Open ${written.path}`, callback: open }]
        });
        if (written.open) {
          open();
        }
      }
    }
  });
  palette?.addItem({ command: CommandIDs.exportLog, category: 'Logbook' });
}

/** Open an export: HTML in a browser tab (its figures' scripts run there), Markdown and JSON in JupyterLab's viewers. */
function openExport(docManager: IDocumentManager, path: string, format: ExportFormat): void {
  const { factory, browserTab } = viewerFor(format);
  if (browserTab) {
    window.open(URLExt.join(PageConfig.getBaseUrl(), 'files', URLExt.encodeParts(path)), '_blank', 'noopener');
    return;
  }
  const viewer = factory && docManager.registry.getWidgetFactory(factory) ? factory : 'default';
  // A viewer already open on an earlier export shows the file as it is now.
  void docManager.findWidget(path, viewer)?.context.revert();
  docManager.openOrReveal(path, viewer);
}

let formCount = 0;

/** The dialog's body: the fields, filled from ``choice``, and the reason the last try failed, if any. */
export class ExportForm extends Widget implements Dialog.IBodyWidget<IExportChoice> {
  constructor(hypotheses: IHypothesis[], choice: IExportChoice, problem: string) {
    super();
    this.addClass('jp-Logbook-exportDialog');
    const id = `jp-Logbook-export-${++formCount}`;

    if (problem) {
      // First, where it is seen at once: the dialog may scroll.
      const alert = el('div', 'jp-Logbook-error jp-Logbook-exportProblem', problem);
      alert.setAttribute('role', 'alert');
      this.node.append(alert);
    }
    this.title_ = field(this.node, 'Title', textBox('jp-Logbook-exportTitle', choice.title, "the project folder's name"), id);
    this.path = field(this.node, 'File name', textBox('jp-Logbook-exportPath', choice.path, 'e.g. reports/day2.html'), id);
    this.path.spellcheck = false;
    const hint = el('div', 'jp-Logbook-muted', 'In the project folder. An earlier export there is replaced only if you say so.');
    hint.id = `${id}-path-hint`;
    this.path.setAttribute('aria-describedby', hint.id);
    this.node.append(hint);

    const formats = group(this.node, 'Format', 'jp-Logbook-exportFormats');
    for (const { format, name } of EXPORT_FORMATS) {
      const radio = el('input') as HTMLInputElement;
      radio.type = 'radio';
      radio.name = `${id}-format`;
      radio.value = format;
      radio.checked = format === choice.format;
      radio.addEventListener('change', () => {
        if (radio.checked) {
          this.path.value = withExtension(this.path.value, format);
        }
      });
      formats.append(labelled(radio, name));
      this.formats.push(radio);
    }

    const range = group(this.node, 'Time range', 'jp-Logbook-exportRange');
    this.since = dateBox(choice.since);
    this.until = dateBox(choice.until);
    this.since.title = 'From the start of this day (empty: from the first record)';
    this.until.title = 'To the end of this day (empty: up to now)';
    range.append(labelled(this.since, 'From', true), labelled(this.until, 'to', true));

    const chosen = new Set(choice.hypotheses ?? []);
    const picks = group(this.node, 'Hypotheses', 'jp-Logbook-exportHypotheses');
    this.all = el('input') as HTMLInputElement;
    this.all.type = 'checkbox';
    this.all.className = 'jp-Logbook-exportAll';
    this.all.checked = choice.hypotheses === null;
    picks.append(labelled(this.all, `All ${hypotheses.length === 1 ? 'one' : hypotheses.length} hypotheses, and surprises flagged by hand`));
    const list = el('div', 'jp-Logbook-exportList');
    list.setAttribute('role', 'group');
    list.setAttribute('aria-label', 'Only these hypotheses');
    for (const h of hypotheses) {
      const box = el('input') as HTMLInputElement;
      box.type = 'checkbox';
      box.value = h.id;
      box.checked = choice.hypotheses === null || chosen.has(h.id);
      box.addEventListener('change', () => (this.all.checked = false));
      const label = labelled(box, '');
      label.title = `${h.id}: ${h.statement}`;
      label.append(el('span', 'jp-Logbook-id', h.id), el('span', 'jp-Logbook-exportStatement', h.statement));
      box.setAttribute('aria-label', `${h.id}: ${h.statement}`);
      list.append(label);
      this.boxes.push(box);
    }
    // "All" checks or clears every box; a box changed by hand makes the choice "only these".
    this.all.addEventListener('change', () => this.boxes.forEach(b => (b.checked = this.all.checked)));
    picks.append(list);

    this.open = el('input') as HTMLInputElement;
    this.open.type = 'checkbox';
    this.open.className = 'jp-Logbook-exportOpen';
    this.open.checked = choice.open;
    this.node.append(labelled(this.open, 'Open it afterwards'));
  }

  getValue(): IExportChoice {
    const format = this.formats.find(r => r.checked)?.value;
    return {
      title: this.title_.value,
      path: this.path.value,
      format: isExportFormat(format) ? format : 'html',
      since: this.since.value,
      until: this.until.value,
      hypotheses: this.all.checked ? null : this.boxes.filter(b => b.checked).map(b => b.value),
      open: this.open.checked
    };
  }

  private title_: HTMLInputElement;
  private path: HTMLInputElement;
  private formats: HTMLInputElement[] = [];
  private since: HTMLInputElement;
  private until: HTMLInputElement;
  private all: HTMLInputElement;
  private boxes: HTMLInputElement[] = [];
  private open: HTMLInputElement;
}

function textBox(className: string, value: string, placeholder: string): HTMLInputElement {
  const box = el('input', `jp-mod-styled ${className}`) as HTMLInputElement;
  box.type = 'text';
  box.value = value;
  box.placeholder = placeholder;
  return box;
}

function dateBox(value: string): HTMLInputElement {
  const box = el('input', 'jp-mod-styled jp-Logbook-exportDate') as HTMLInputElement;
  box.type = 'date';
  box.value = value;
  return box;
}

/** A labelled text box on its own line. */
function field(parent: HTMLElement, label: string, box: HTMLInputElement, id: string): HTMLInputElement {
  box.id = `${id}-${label.toLowerCase().replace(/\W+/g, '-')}`;
  const name = el('label', 'jp-Logbook-exportField', label) as HTMLLabelElement;
  name.htmlFor = box.id;
  parent.append(name, box);
  return box;
}

/** A fieldset with its legend. */
function group(parent: HTMLElement, legend: string, className: string): HTMLFieldSetElement {
  const set = el('fieldset', `jp-Logbook-exportGroup ${className}`) as HTMLFieldSetElement;
  set.append(el('legend', 'jp-Logbook-exportField', legend));
  parent.append(set);
  return set;
}

/** A control inside its label (the text after a box, before a date). */
function labelled(control: HTMLInputElement, text: string, before = false): HTMLLabelElement {
  const label = el('label', 'jp-Logbook-exportChoice') as HTMLLabelElement;
  label.append(...(before ? [text, control] : [control, text]).filter(n => n !== ''));
  return label;
}

export interface IExportActions {
  /** The hypotheses to choose from. */
  hypotheses: () => IHypothesis[];
  /** Write the export (``POST export``); throws a LogbookApiError with the server's status. */
  write: (body: Record<string, unknown>) => Promise<{ path: string; bytes: number }>;
}

/**
 * Ask what to export, starting from ``choice``, and write it; the choice
 * written (its ``path`` as the server wrote it), or null when cancelled. The
 * dialog comes back (with what was typed, and why) until the export is
 * written or cancelled; an earlier export at the path is replaced only after
 * "Replace?".
 */
export async function exportWithDialog(actions: IExportActions, choice: IExportChoice): Promise<IExportChoice | null> {
  let problem = '';
  for (;;) {
    const result = await showDialog({
      title: 'Export the logbook',
      body: new ExportForm(actions.hypotheses(), choice, problem),
      focusNodeSelector: '.jp-Logbook-exportTitle',
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Export', ariaLabel: 'Export the logbook' })]
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    choice = result.value;
    problem = problemWith(choice) ?? '';
    if (problem) {
      continue;
    }
    try {
      const written = await writeOrAskToReplace(actions, choice);
      if (written === null) {
        problem = `${choice.path.trim()} was kept. Choose another file name, or export again and replace it.`;
        continue;
      }
      return { ...choice, path: written };
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
  }
}

/** Write the export; when the file exists, ask "Replace?" and write again only if told. Null: kept. */
async function writeOrAskToReplace(actions: IExportActions, choice: IExportChoice): Promise<string | null> {
  try {
    return (await actions.write(exportBody(choice, false))).path;
  } catch (error) {
    if (!(error instanceof LogbookApiError && error.status === 409)) {
      throw error;
    }
    const answer = await showDialog({
      title: 'Replace?',
      body: `${choice.path.trim()} already exists. Replace it with this export? What it holds now will be lost.`,
      buttons: [Dialog.cancelButton({ label: 'Keep it' }), Dialog.warnButton({ label: 'Replace' })],
      defaultButton: 0
    });
    if (!answer.button.accept) {
      return null;
    }
    return (await actions.write(exportBody(choice, true))).path;
  }
}
