/**
 * A cell's history in the experiment detail: every run of the cell, and for each
 * run what changed from the one before, side by side: the source as a diff, the
 * assigned values that changed (old → new), the outputs that changed and the
 * predictions whose verdict flipped.
 */

import { button, code, el, pill } from '../lib/dom';
import { summaryText } from '../lib/drift';
import { part, table } from './detailparts';
import { relativeTime } from '../lib/format';
import { envelopeText } from '../lib/signalformat';
import { ICellHistory, IHistoryStep } from '../lib/types';

/** Steps shown, newest first; older ones are a click away through their runs. */
export const STEPS_SHOWN = 10;

/** A unified diff as lines marked added, removed or context. */
export function diffView(diff: string): HTMLElement {
  const node = el('pre', 'jp-Logbook-pre jp-Logbook-diff');
  node.setAttribute('aria-label', 'Source diff');
  for (const line of diff.split('\n')) {
    const kind = line.startsWith('@@') ? 'hunk' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : 'ctx';
    node.append(el('span', `jp-Logbook-diffLine jp-mod-${kind}`, line), '\n');
  }
  return node;
}

function stepView(step: IHistoryStep, current: number, open: (id: number) => void): HTMLElement {
  const node = el('div', `jp-Logbook-historyStep${step.experiment_id === current ? ' jp-mod-current' : ''}`);
  node.dataset.step = String(step.experiment_id);
  const head = el('div', 'jp-Logbook-row');
  head.append(
    button(`#${step.previous_id}`, `Open experiment #${step.previous_id}`, () => open(step.previous_id), 'jp-Logbook-link'),
    '→',
    button(`#${step.experiment_id}`, `Open experiment #${step.experiment_id}`, () => open(step.experiment_id), 'jp-Logbook-link')
  );
  node.append(head);
  if (step.source_diff) {
    node.append(diffView(step.source_diff));
  } else {
    node.append(el('div', 'jp-Logbook-muted', step.same_source ? 'Same source.' : 'Same source but for whitespace or comments.'));
  }
  if (step.values.length) {
    const rows = step.values.map(v => [code(v.name, 'jp-Logbook-name'), summaryText(v.old), summaryText(v.new)]);
    node.append(table(['value', 'before', 'after'], rows, `Values that changed from #${step.previous_id} to #${step.experiment_id}`));
  }
  if (step.outputs.length) {
    const output = (o: { mime: string; size: number } | null) => (o ? `${o.mime}, ${o.size} bytes` : '—');
    node.append(
      table(['output', 'before', 'after'], step.outputs.map(o => [`#${o.position + 1}`, output(o.old), output(o.new)]), 'Outputs that changed')
    );
  }
  for (const flip of step.flipped) {
    const line = el('div', 'jp-Logbook-row');
    line.append(el('span', 'jp-Logbook-id', flip.prediction_id), code(flip.expression ?? ''), pill(flip.old, flip.old), '→', pill(flip.new, flip.new));
    node.append(line);
  }
  if (!step.values.length && !step.outputs.length && !step.flipped.length) {
    node.append(el('div', 'jp-Logbook-muted', 'No value, output or verdict changed.'));
  }
  return node;
}

/**
 * "Expected to vary here": each value or part with the change marked normal ("scores[1, 3] ± 0.02"),
 * and Undo, which has it watched again in this cell. An older server sends the labels alone.
 */
export function expectedPart(history: ICellHistory, undo: ((label: string) => void) | null): HTMLElement[] {
  const envelopes = history.expected_envelopes?.length
    ? history.expected_envelopes
    : history.expected.map(label => ({ label, envelope: null }));
  if (!envelopes.length) {
    return [];
  }
  const box = el('div', 'jp-Logbook-expected');
  box.append(el('div', 'jp-Logbook-muted', 'Expected to vary here:'));
  const list = el('ul', 'jp-Logbook-expectedList');
  list.setAttribute('aria-label', 'Values expected to vary in this cell');
  for (const expected of envelopes) {
    const item = el('li', 'jp-Logbook-row jp-Logbook-expectedItem');
    item.append(code(envelopeText(expected), 'jp-Logbook-name'));
    if (undo) {
      const label = expected.label;
      item.append(button('Undo', `Watch ${label} in this cell again: it is no longer expected to vary`, () => undo(label), 'jp-Logbook-undoExpected'));
    }
    list.append(item);
  }
  box.append(list);
  return [box];
}

/**
 * The history part of experiment ``current``'s detail; ``open`` shows another run, ``undo`` watches a
 * value again, ``compare`` sets another run beside the current one ("Compare with this run").
 */
export function historyPart(
  history: ICellHistory,
  current: number,
  open: (id: number) => void,
  undo: ((label: string) => void) | null = null,
  compare: ((id: number) => void) | null = null
): HTMLElement {
  const runs = el('div', 'jp-Logbook-historyRuns');
  runs.setAttribute('role', 'list');
  runs.setAttribute('aria-label', 'Runs of this cell');
  for (const run of history.runs) {
    const item = el('div', `jp-Logbook-row jp-Logbook-historyRun${run.experiment_id === current ? ' jp-mod-current' : ''}`);
    item.setAttribute('role', 'listitem');
    item.append(button(`#${run.experiment_id}`, `Open experiment #${run.experiment_id}`, () => open(run.experiment_id), 'jp-Logbook-link'));
    item.append(el('span', 'jp-Logbook-muted', `[${run.execution_count ?? ' '}] ${relativeTime(run.started_at, Date.now())}`));
    item.append(pill(run.ok ? 'ran' : `raised ${run.error_name ?? ''}`.trim(), run.ok ? 'held' : 'failed'));
    if (run.drift) {
      item.append(pill(`${run.drift} drift`, 'drift'));
    }
    if (compare && run.experiment_id !== current) {
      const other = run.experiment_id;
      item.append(button('Compare with this run', `Compare experiment #${current} with this run, #${other}`, () => compare(other), 'jp-Logbook-link jp-Logbook-compareRun'));
    }
    runs.append(item);
  }
  const steps = history.steps.slice(-STEPS_SHOWN).reverse().map(step => stepView(step, current, open));
  const expected = expectedPart(history, undo);
  const title = `History of this cell (${history.runs.length} run${history.runs.length === 1 ? '' : 's'})`;
  const node = part(title, runs, ...expected, ...steps);
  node.classList.add('jp-Logbook-history');
  return node;
}
