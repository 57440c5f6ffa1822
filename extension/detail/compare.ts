/**
 * Two experiments side by side in the main area: what changed when a cell was re-run with another
 * seed, layer or ablation. The source as a line diff, each assigned value old → new with its
 * statistics, the predictions judged on each (a held → failed marked), and the outputs side by side.
 * The comparison comes from ``GET experiments/compare``; compareformat.ts says it in words.
 */

import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import {
  changeCounts,
  diffCounts,
  IDiffLine,
  IFold,
  foldUnchanged,
  kindText,
  outputPairs,
  parseExperimentPair,
  sourceDiff,
  valueChangeLines,
  verdictWords
} from './compareformat';
import { metaLine, nameRow, outputView, part, pre, table } from './detailparts';
import { button, code, el, pill } from '../lib/dom';
import { describeObserved, stripAnsi } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { observedWords } from '../lib/signalformat';
import { stepsView } from '../lib/signalview';
import { IComparison, IExperiment, IJudgement, IValueComparison, IVerdictComparison } from '../lib/types';

export interface ICompareActions {
  /** Show one experiment in the detail view. */
  openExperiment: (id: number) => void;
  /** Ask for two other experiments to compare (the palette command). */
  chooseOther: () => void;
  /** Compare these two (Swap asks for the same two the other way round). */
  compare: (oldId: number, newId: number) => void;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** A line of the source diff: its numbers in the old and the new, a sign (not colour alone), the changed words marked. */
function diffLine(line: IDiffLine): HTMLElement {
  const row = el('span', `jp-Logbook-diffLine jp-mod-${line.kind}`);
  row.dataset.kind = line.kind;
  const no = (n: number | null) => el('span', 'jp-Logbook-lineNo', n === null ? '   ' : String(n).padStart(3));
  const sign = el('span', 'jp-Logbook-diffSign', line.kind === 'add' ? '+' : line.kind === 'del' ? '−' : ' ');
  sign.setAttribute('aria-label', line.kind === 'add' ? 'added' : line.kind === 'del' ? 'removed' : 'unchanged');
  row.append(no(line.oldNo), no(line.newNo), sign);
  if (line.pieces) {
    for (const piece of line.pieces) {
      row.append(piece.changed ? el('mark', 'jp-Logbook-diffWord', piece.text) : document.createTextNode(piece.text));
    }
  } else {
    row.append(line.text);
  }
  return row;
}

/** The source diff, long unchanged stretches folded behind a button that shows them. */
export function sourceDiffView(rows: IDiffLine[], label: string): HTMLElement {
  const node = el('pre', 'jp-Logbook-pre jp-Logbook-compareDiff');
  node.setAttribute('aria-label', label);
  for (const item of foldUnchanged(rows)) {
    if (item.kind === 'fold') {
      const fold = item as IFold;
      const open = button(`⋯ ${plural(fold.count, 'unchanged line')}`, `Show ${plural(fold.count, 'unchanged line')}`, () => {
        const lines = fold.lines.flatMap(line => [diffLine(line), '\n']);
        open.replaceWith(...lines);
      }, 'jp-Logbook-link jp-Logbook-diffFold');
      node.append(open, '\n');
    } else {
      node.append(diffLine(item as IDiffLine), '\n');
    }
  }
  return node;
}

/** What decided a judgement: its steps, what was seen (in words), or the values observed. */
function decidedBy(j: IJudgement | undefined): HTMLElement | string {
  if (!j) {
    return '';
  }
  const words = observedWords(j);
  return stepsView(j.steps) ?? (words !== null ? words : describeObserved(j.observed ?? {}));
}

/** The last judgement of a prediction in a list (the one the comparison paired). */
function lastJudgement(judgements: IJudgement[], predictionId: string): IJudgement | undefined {
  return [...judgements].reverse().find(j => j.prediction_id === predictionId);
}

function verdictCell(verdict: 'held' | 'failed' | null, judged: IJudgement | undefined): HTMLElement {
  const cell = el('div', 'jp-Logbook-compareVerdict');
  if (verdict === null) {
    cell.append(el('span', 'jp-Logbook-muted', 'not judged'));
    return cell;
  }
  cell.append(pill(verdict, verdict), decidedBy(judged));
  return cell;
}

const CHANGE_PILLS: Partial<Record<IVerdictComparison['change'], [string, string]>> = {
  held_to_failed: ['held → failed', 'failed'],
  failed_to_held: ['failed → held', 'held']
};

export class CompareView extends Widget {
  constructor(
    private readonly model: ILogbookModel,
    private readonly actions: ICompareActions
  ) {
    super();
    this.addClass('jp-Logbook-detail');
    this.addClass('jp-Logbook-compare');
    this.node.tabIndex = -1;
  }

  /** The two experiments shown (old, new), if any. */
  get pair(): [number, number] | null {
    return this.shown;
  }

  /** Compare experiment ``oldId`` with ``newId``; false (the view says why) when they cannot be. */
  async showPair(oldId: number, newId: number): Promise<boolean> {
    const pair: [number, number] = [oldId, newId];
    this.shown = pair;
    this.node.replaceChildren(el('div', 'jp-Logbook-muted', `Comparing experiment #${oldId} with #${newId}…`));
    try {
      const comparison = await this.model.compare(oldId, newId);
      if (this.shown === pair) {
        await this.render(comparison);
      }
      return true;
    } catch (error) {
      if (this.shown === pair) {
        this.showError(oldId, newId, error instanceof Error ? error.message : String(error));
      }
      return false;
    }
  }

  dispose(): void {
    this.revoke();
    super.dispose();
  }

  private showError(oldId: number, newId: number, message: string): void {
    this.revoke();
    const alert = el('div', 'jp-Logbook-error jp-Logbook-compareError', `Cannot compare #${oldId} with #${newId}: ${message}`);
    alert.setAttribute('role', 'alert');
    const again = button('Compare other experiments…', 'Choose two other experiments to compare', () => this.actions.chooseOther(), 'jp-mod-accept');
    this.node.replaceChildren(el('h2', 'jp-Logbook-compareTitle', `Experiment #${oldId} → #${newId}`), alert, again);
  }

  private async render(c: IComparison): Promise<void> {
    this.revoke();
    const [a, b] = [c.old, c.new];
    const diff = c.same_source ? [] : sourceDiff(a.source, b.source);
    const parts: HTMLElement[] = [this.head(c, diff), this.sourcePart(c, diff)];
    if (!a.ok || !b.ok) {
      parts.push(this.errorPart(a, b));
    }
    parts.push(this.valuesPart(c), this.verdictsPart(c));
    for (const stream of ['stdout', 'stderr'] as const) {
      if ((a[stream] || b[stream]) && a[stream] !== b[stream]) {
        parts.push(part(stream, this.columns(a, b, e => (e[stream] ? pre(stripAnsi(e[stream]), stream === 'stderr' ? 'jp-Logbook-stderr' : '') : el('div', 'jp-Logbook-muted', `no ${stream}`)))));
      }
    }
    const outputs = part(`Outputs (#${a.id}: ${a.outputs.length}, #${b.id}: ${b.outputs.length})`);
    outputs.classList.add('jp-Logbook-compareOutputs');
    parts.push(outputs);
    this.node.replaceChildren(...parts);
    await this.fillOutputs(outputs, a, b);
  }

  private head(c: IComparison, diffRows: IDiffLine[]): HTMLElement {
    const [a, b] = [c.old, c.new];
    const head = el('header', 'jp-Logbook-detailHead jp-Logbook-compareHead');
    const title = el('h2', 'jp-Logbook-compareTitle', `Experiment #${a.id} → #${b.id} `);
    title.append(pill(c.same_cell ? 'same cell' : 'different cells', c.same_cell ? 'active' : 'quiet'));
    const sides = el('div', 'jp-Logbook-compareSides');
    for (const [e, which] of [[a, 'old'], [b, 'new']] as const) {
      const side = el('div', `jp-Logbook-row jp-Logbook-compareSide jp-mod-${which}`);
      side.append(
        el('span', 'jp-Logbook-compareTag', which),
        button(`#${e.id}`, `Open experiment #${e.id} (${which})`, () => this.actions.openExperiment(e.id), 'jp-Logbook-link'),
        pill(e.ok ? 'ran' : `raised ${e.error?.name ?? ''}`.trim(), e.ok ? 'held' : 'failed'),
        el('span', 'jp-Logbook-muted', metaLine(e))
      );
      sides.append(side);
    }
    const counts = changeCounts(c.values, c.verdicts);
    const diff = c.same_source ? null : diffCounts(diffRows);
    const summary = [
      diff ? `source +${diff.added} −${diff.removed}` : 'same source',
      `${plural(counts.values, 'value')} changed`,
      `${plural(counts.verdicts, 'verdict')} changed` + (counts.broke ? `, ${counts.broke} held → failed` : '')
    ].join(' · ');
    const line = el('div', 'jp-Logbook-compareSummary', summary);
    line.setAttribute('role', 'status');
    const controls = el('div', 'jp-Logbook-row');
    controls.setAttribute('role', 'group');
    controls.setAttribute('aria-label', 'Comparison');
    controls.append(
      button('Swap', `Swap old and new: compare #${b.id} → #${a.id}`, () => this.actions.compare(b.id, a.id)),
      button('Compare other…', 'Choose two other experiments to compare', () => this.actions.chooseOther())
    );
    head.append(title, sides, line, controls);
    return head;
  }

  private sourcePart(c: IComparison, rows: IDiffLine[]): HTMLElement {
    if (c.same_source) {
      return part('Source', el('div', 'jp-Logbook-muted', 'Same source.'));
    }
    const { added, removed } = diffCounts(rows);
    const node = part(`Source (+${added} −${removed})`, sourceDiffView(rows, `Source diff from #${c.old.id} to #${c.new.id}`));
    node.classList.add('jp-Logbook-compareSource');
    return node;
  }

  private errorPart(a: IExperiment, b: IExperiment): HTMLElement {
    return part(
      'Errors',
      this.columns(a, b, e =>
        e.error ? pre(`${e.error.name}: ${e.error.value}`, 'jp-Logbook-traceback') : el('div', 'jp-Logbook-muted', 'ran without an error')
      )
    );
  }

  /** Two columns, old and new, each headed by its experiment; they stack when the view is narrow. */
  private columns(a: IExperiment, b: IExperiment, render: (e: IExperiment) => HTMLElement): HTMLElement {
    const grid = el('div', 'jp-Logbook-compareColumns');
    for (const [e, which] of [[a, 'old'], [b, 'new']] as const) {
      const column = el('div', `jp-Logbook-compareColumn jp-mod-${which}`);
      column.append(el('div', 'jp-Logbook-compareColumnHead', `#${e.id} (${which})`), render(e));
      grid.append(column);
    }
    return grid;
  }

  private valuesPart(c: IComparison): HTMLElement {
    const changed = c.values.filter(v => v.change !== 'same');
    const same = c.values.filter(v => v.change === 'same');
    const node = part(`Values (${changed.length} of ${c.values.length} changed)`);
    node.classList.add('jp-Logbook-compareValues');
    if (!c.values.length) {
      node.append(el('div', 'jp-Logbook-muted', 'Neither assigned a name.'));
      return node;
    }
    if (changed.length) {
      const rows = changed.map(v => this.valueRow(v));
      const t = table(['value', 'what', `#${c.old.id} → #${c.new.id}`], rows, `Values from #${c.old.id} to #${c.new.id}`);
      changed.forEach((v, i) => {
        const tr = t.querySelectorAll('tr')[i + 1];
        tr.classList.add(`jp-mod-${v.change}`);
        tr.dataset.name = v.name;
      });
      node.append(t);
    } else {
      node.append(el('div', 'jp-Logbook-muted', 'No value changed.'));
    }
    if (same.length) {
      const details = el('details', 'jp-Logbook-compareSame');
      details.append(
        el('summary', undefined, `${plural(same.length, 'value')} the same`),
        table(['name', 'what', 'statistics or value'], same.map(v => nameRow(v.name, v.new ?? {})), 'Values the same in both')
      );
      node.append(details);
    }
    return node;
  }

  private valueRow(v: IValueComparison): (string | HTMLElement)[] {
    const { changed, same } = valueChangeLines(v);
    const box = el('div', 'jp-Logbook-valueChange');
    for (const line of changed) {
      box.append(el('div', 'jp-Logbook-statChange', line));
    }
    if (same) {
      box.append(el('div', 'jp-Logbook-muted', v.change === 'changed' ? `same: ${same}` : same));
    }
    const name = el('div', 'jp-Logbook-row');
    name.append(code(v.name, 'jp-Logbook-name'));
    if (v.change !== 'changed') {
      name.append(pill(v.change, v.change === 'added' ? 'active' : 'quiet'));
    }
    return [name, kindText(v.new ?? v.old), box];
  }

  private verdictsPart(c: IComparison): HTMLElement {
    const counts = changeCounts(c.values, c.verdicts);
    const title = `Predictions judged (${plural(counts.verdicts, 'change')}${counts.broke ? `, ${counts.broke} held → failed` : ''})`;
    const node = part(title);
    node.classList.add('jp-Logbook-compareVerdicts');
    if (!c.verdicts.length) {
      node.append(el('div', 'jp-Logbook-muted', 'No prediction was judged on either.'));
      return node;
    }
    const rows = c.verdicts.map(v => {
      const change = CHANGE_PILLS[v.change];
      const said = el('div', 'jp-Logbook-compareChange');
      said.append(...(change ? [pill(change[0], change[1])] : []), el('div', 'jp-Logbook-muted', verdictWords(v, c.old.id, c.new.id)));
      return [
        el('span', 'jp-Logbook-id', v.prediction_id),
        code(v.expression ?? ''),
        verdictCell(v.old, lastJudgement(c.old_judgements, v.prediction_id)),
        verdictCell(v.new, lastJudgement(c.new_judgements, v.prediction_id)),
        said
      ];
    });
    const t = table(['prediction', 'expression', `#${c.old.id} (old)`, `#${c.new.id} (new)`, 'change'], rows, `Verdicts on #${c.old.id} and #${c.new.id}`);
    c.verdicts.forEach((v, i) => {
      const tr = t.querySelectorAll('tr')[i + 1];
      tr.classList.add(`jp-mod-${v.change.replace(/_/g, '-')}`);
      tr.dataset.prediction = v.prediction_id;
    });
    node.append(t);
    return node;
  }

  /** Each output of either, paired by position: old beside new, each drawn as the detail view draws it. */
  private async fillOutputs(node: HTMLElement, a: IExperiment, b: IExperiment): Promise<void> {
    const pairs = outputPairs(a.outputs, b.outputs);
    if (!pairs.length) {
      node.append(el('div', 'jp-Logbook-muted', 'Neither had a display output.'));
      return;
    }
    const shown = this.shown;
    for (const pair of pairs) {
      const row = el('div', `jp-Logbook-outputPair${pair.same ? ' jp-mod-same' : ''}`);
      row.append(el('div', 'jp-Logbook-compareColumnHead', `Output ${pair.position + 1}: ${pair.same ? 'the same' : pair.old && pair.new ? 'changed' : pair.old ? `only in #${a.id}` : `only in #${b.id}`}`));
      node.append(row);
      const grid = this.columns(a, b, () => el('div'));
      row.append(grid);
      const cells = grid.querySelectorAll('.jp-Logbook-compareColumn');
      for (const [i, e, output] of [[0, a, pair.old], [1, b, pair.new]] as const) {
        const cell = cells[i];
        if (!output) {
          cell.append(el('div', 'jp-Logbook-muted', `no output ${pair.position + 1}`));
          continue;
        }
        const trust = { trusted: e.outputs_trusted !== false, why: e.outputs_untrusted_why ?? '' };
        const view = await outputView(output, this.urls, trust).catch(error => el('div', 'jp-Logbook-error', String(error)));
        if (this.shown !== shown) {
          return; // another comparison was asked for meanwhile
        }
        cell.append(view);
      }
    }
  }

  private revoke(): void {
    this.urls.forEach(url => URL.revokeObjectURL(url));
    this.urls = [];
  }

  private shown: [number, number] | null = null;
  private urls: string[] = [];
}

/** One compare view, reused: comparing two others replaces what it shows. */
export class CompareOpener {
  constructor(
    private readonly model: ILogbookModel,
    private readonly actions: ICompareActions,
    private readonly addToShell: (widget: MainAreaWidget) => void,
    private readonly activate: (id: string) => void
  ) {}

  /** The pair shown now, if the view is open. */
  get pair(): [number, number] | null {
    return this.widget && !this.widget.isDisposed ? this.widget.content.pair : null;
  }

  async open(oldId: number, newId: number): Promise<MainAreaWidget<CompareView>> {
    if (!this.widget || this.widget.isDisposed) {
      const content = new CompareView(this.model, this.actions);
      this.widget = new MainAreaWidget({ content });
      this.widget.id = 'jp-logbook-compare';
      this.widget.addClass('jp-Logbook-detailArea');
    }
    if (!this.widget.isAttached) {
      this.addToShell(this.widget); // new, or taken out of the main area without being closed
    }
    this.widget.title.label = `Compare #${oldId} → #${newId}`;
    this.widget.title.caption = `Experiment #${oldId} compared with #${newId}`;
    this.widget.title.closable = true;
    this.activate(this.widget.id);
    const content = this.widget.content;
    await content.showPair(oldId, newId);
    content.node.focus({ preventScroll: true });
    return this.widget;
  }

  private widget: MainAreaWidget<CompareView> | null = null;
}

/** A dialog body with two id boxes, old and new, and the reason the last try was refused. */
class PairBody extends Widget implements Dialog.IBodyWidget<{ old: string; new: string }> {
  constructor(old: string, now: string, error: string) {
    super();
    this.addClass('jp-Logbook-pairDialog');
    const field = (label: string, value: string, name: string) => {
      const wrap = el('label', 'jp-Logbook-pairField');
      const box = el('input', 'jp-mod-styled jp-Logbook-pairInput') as HTMLInputElement;
      box.value = value;
      box.inputMode = 'numeric';
      box.placeholder = 'e.g. 12';
      box.setAttribute('aria-label', name);
      wrap.append(el('span', undefined, label), box);
      return [wrap, box] as const;
    };
    const [oldField, oldBox] = field('Old experiment', old, 'Old experiment id');
    const [newField, newBox] = field('New experiment', now, 'New experiment id');
    [this.oldBox, this.newBox] = [oldBox, newBox];
    this.node.append(oldField, newField);
    if (error) {
      const alert = el('div', 'jp-Logbook-error', error);
      alert.setAttribute('role', 'alert');
      this.node.append(alert);
      oldBox.setAttribute('aria-invalid', 'true');
    }
  }

  getValue(): { old: string; new: string } {
    return { old: this.oldBox.value, new: this.newBox.value };
  }

  private oldBox: HTMLInputElement;
  private newBox: HTMLInputElement;
}

/**
 * Ask for two experiment ids (old, then new), ``initial`` filled in; asks again, saying why, until they
 * are two whole numbers that differ. Null when cancelled. Whether they exist, the comparison says.
 */
export async function askForPair(initial: [string, string] = ['', '']): Promise<[number, number] | null> {
  let [old, now, error] = [...initial, ''];
  for (;;) {
    const body = new PairBody(old, now, error);
    const result = await showDialog({
      title: 'Compare experiments',
      body,
      focusNodeSelector: 'input',
      buttons: [Dialog.cancelButton(), Dialog.okButton({ label: 'Compare' })]
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    ({ old, new: now } = result.value);
    const parsed = parseExperimentPair(old, now);
    if ('ids' in parsed) {
      return parsed.ids;
    }
    error = parsed.error;
  }
}
