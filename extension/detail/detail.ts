/** The experiment detail view in the main area: everything recorded about one executed cell. */

import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { coveragePart } from '../sidebar/coverageview';
import { hooksLeftMark, hooksLeftParts } from './hooksleft';
import { attempt, button, el, pill } from '../lib/dom';
import { firstLine, stripAnsi } from '../lib/format';
import { judgementsPart, metaLine, nameRow, part, pre, sourceView, table, torchParts } from './detailparts';
import { historyPart } from './historyview';
import { ILogbookModel } from '../lib/imodel';
import { nnsightParts } from './nnsightview';
import { notesPart } from './notesview';
import { displayGroups, displayView } from './outputview';
import { FIGURE_MIMES, IPin, pinControl, pinsOf } from './pins';
import { experimentTab } from './tabs';
import { IExperiment, IJudgement } from '../lib/types';

export class ExperimentDetail extends Widget {
  constructor(
    private readonly model: ILogbookModel,
    private readonly openCell: (path: string, cellId: string | null) => void,
    private readonly compare: ((oldId: number, newId: number) => void) | null = null,
    openExperiment: ((id: number) => void) | null = null
  ) {
    super();
    this.openOther = openExperiment ?? (id => void this.showExperiment(id));
    this.addClass('jp-Logbook-detail');
    this.node.tabIndex = -1;
  }

  /** The experiment shown, if any. */
  get experimentId(): number | null {
    return this.shown;
  }

  async showExperiment(id: number, query = ''): Promise<void> {
    this.shown = id;
    this.node.replaceChildren(el('div', 'jp-Logbook-muted', `Loading experiment #${id}…`));
    try {
      const { experiment, judgements } = await this.model.experiment(id);
      if (this.shown === id) {
        await this.render(experiment, judgements, query.split(/\s+/).filter(Boolean));
      }
    } catch (error) {
      this.node.replaceChildren(el('div', 'jp-Logbook-error', `Experiment #${id}: ${error instanceof Error ? error.message : error}`));
    }
  }

  dispose(): void {
    this.revoke();
    super.dispose();
  }

  private async render(e: IExperiment, judgements: IJudgement[], words: string[]): Promise<void> {
    this.revoke();
    // The tab: the number first, which a narrow tab keeps, then the cell's first line.
    const line = firstLine(e.source, 60);
    this.title.label = `#${e.id} ${firstLine(e.source, 24)}`.trim();
    this.title.caption = `Experiment #${e.id}: ${line}`;
    const head = el('header', 'jp-Logbook-detailHead');
    const title = el('h2', undefined, `Experiment #${e.id} `);
    title.append(pill(e.ok ? 'ran' : 'failed', e.ok ? 'held' : 'failed'));
    const hookMark = hooksLeftMark(e.torch);
    if (hookMark) {
      title.append(' ', hookMark);
    }
    head.append(title, el('div', 'jp-Logbook-muted', metaLine(e)));
    if (e.lab_path) {
      const path = e.lab_path;
      head.append(button('Open cell', `Open the cell of experiment #${e.id} in ${path}`, () => this.openCell(path, e.cell_id), 'jp-mod-accept'));
    } else {
      head.append(el('div', 'jp-Logbook-muted', 'The notebook is outside this Jupyter root.'));
    }
    const parts: HTMLElement[] = [head, part('Source', sourceView(e.source, words))];
    if (e.error) {
      parts.push(part(`Error: ${e.error.name}`, pre(`${e.error.name}: ${e.error.value}`), pre(stripAnsi(e.error.traceback), 'jp-Logbook-traceback')));
    }
    if (e.stdout) {
      parts.push(part('stdout', pre(e.stdout)));
    }
    if (e.stderr) {
      parts.push(part('stderr', pre(e.stderr, 'jp-Logbook-stderr')));
    }
    parts.push(judgementsPart(judgements));
    const history = await this.model.history(e.id).catch(() => null);
    const undo = (label: string) =>
      void attempt(() => this.model.unexpectValue(history!.cell_key, label)).then(ok => {
        if (ok && this.shown === e.id) {
          void this.showExperiment(e.id); // the history again, without the value undone
        }
      });
    if (history && (history.runs.length > 1 || history.expected.length || history.expected_envelopes?.length)) {
      const compare = this.compare;
      const withRun = compare ? (id: number) => compare(Math.min(id, e.id), Math.max(id, e.id)) : null;
      parts.push(historyPart(history, e.id, this.openOther, undo, withRun));
    }
    const names = Object.entries(e.names);
    if (names.length) {
      parts.push(part('Names assigned', table(['name', 'what', 'statistics or value'], names.map(([n, s]) => nameRow(n, s)), 'Names assigned')));
    }
    parts.push(...hooksLeftParts(e.torch, this.openOther), ...torchParts(e.torch), ...nnsightParts(e.torch), ...(e.torch.models || e.torch.cache_reads ? [coveragePart(this.model, e.id)] : []));
    const groups = displayGroups(e.outputs);
    const outputs = part(`Outputs (${groups.length})`);
    if (!groups.length) {
      outputs.append(el('div', 'jp-Logbook-muted', 'The cell displayed nothing.'));
    }
    parts.push(outputs, notesPart(this.model, e.id));
    this.node.replaceChildren(...parts);
    const pins = await pinsOf(this.model, e.id).catch(() => new Map<number, IPin>());
    const trust = { trusted: e.outputs_trusted !== false, why: e.outputs_untrusted_why ?? '' };
    // Every display is asked for at once, and each is placed in order as it arrives.
    const slots = groups.map(() => outputs.appendChild(el('div', 'jp-Logbook-outputSlot')));
    await Promise.all(
      groups.map(async (group, i) => {
        const view = await displayView(group, this.urls, trust).catch(error => el('div', 'jp-Logbook-error', String(error)));
        // A pin names a figure by its first figure output (logbook/figures.py); a logbook record is no figure.
        const figure = group.find(p => FIGURE_MIMES.includes(p.output.mime));
        if (figure && view.dataset.record !== 'true') {
          view.querySelector('figcaption')?.append(' ', pinControl(this.model, e.id, figure.position, pins));
        }
        slots[i].replaceWith(view);
      })
    );
  }

  private revoke(): void {
    this.urls.forEach(url => URL.revokeObjectURL(url));
    this.urls = [];
  }

  /** Shows another experiment (a run in the history, the cell that left a hook): in its own tab. */
  private readonly openOther: (id: number) => void;
  private shown: number | null = null;
  private urls: string[] = [];
}

/** One main-area tab per experiment: opening one already open shows its tab again. */
export class DetailOpener {
  constructor(
    private readonly model: ILogbookModel,
    private readonly openCell: (path: string, cellId: string | null) => void,
    private readonly addToShell: (widget: MainAreaWidget) => void,
    private readonly activate: (id: string) => void,
    private readonly compare: ((oldId: number, newId: number) => void) | null = null
  ) {}

  async open(id: number, query = ''): Promise<MainAreaWidget<ExperimentDetail>> {
    this.last = id;
    const open = this.widgets.get(id);
    if (open && !open.isDisposed) {
      if (!open.isAttached) {
        this.addToShell(open); // taken out of the main area without being closed
      }
      this.activate(open.id);
      if (query !== (this.queries.get(id) ?? '')) {
        this.queries.set(id, query);
        await open.content.showExperiment(id, query); // the new search words marked
      }
      return open;
    }
    const content = new ExperimentDetail(this.model, this.openCell, this.compare, other => void this.open(other));
    const widget = new MainAreaWidget({ content });
    widget.id = experimentTab(id);
    widget.addClass('jp-Logbook-detailArea');
    content.title.label = `#${id}`;
    content.title.caption = `Experiment #${id}`;
    content.title.closable = true;
    widget.disposed.connect(() => {
      if (this.widgets.get(id) === widget) {
        this.widgets.delete(id);
        this.queries.delete(id);
      }
    });
    this.widgets.set(id, widget);
    this.queries.set(id, query);
    this.addToShell(widget);
    this.activate(widget.id);
    await content.showExperiment(id, query);
    return widget;
  }

  /** The experiments open, each in its tab. */
  get openIds(): number[] {
    return [...this.widgets.keys()];
  }

  /** The experiment in view: the one last opened or shown again among the tabs showing, else null. */
  get current(): number | null {
    const showing = [...this.widgets].filter(([, w]) => !w.isDisposed && w.isVisible).map(([id]) => id);
    if (this.last !== null && showing.includes(this.last)) {
      return this.last;
    }
    return showing.length ? showing[showing.length - 1] : null;
  }

  private readonly widgets = new Map<number, MainAreaWidget<ExperimentDetail>>();
  private readonly queries = new Map<number, string>();
  private last: number | null = null;
}
