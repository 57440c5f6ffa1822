/** A hypothesis' predictions: one per block, the id in full, and the form that adds one. */

import { attempt, button, code, debounce, el, input, pill, textArea } from '../lib/dom';
import { parseCredence } from '../lib/entry';
import { verdictRuns, verdictSummary } from '../lib/feedstate';
import { fileName, firstLine, formatCredence } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { ITemplate } from './redteamcard';
import { IExperimentRow, IHypothesis, IPrediction } from '../lib/types';

/**
 * Checks an expression on the server as it is typed; ``valid()`` says whether it parsed. While
 * ``active()`` is false (a prediction in words) nothing is checked and nothing is shown.
 */
function expressionCheck(
  model: ILogbookModel,
  field: HTMLInputElement | HTMLTextAreaElement,
  verdict: HTMLElement,
  active: () => boolean = () => true
): () => boolean {
  let ok = false;
  const check = debounce(async () => {
    if (!active() || !field.value.trim()) {
      verdict.textContent = '';
      ok = false;
      return;
    }
    const text = field.value;
    const result = await model.checkExpression(text).catch(error => ({ ok: false, error: String(error) }) as any);
    if (!active() || field.value !== text) {
      return; // switched to words, or typed on, while the server answered
    }
    ok = result.ok;
    verdict.className = `jp-Logbook-verdict ${ok ? 'jp-mod-ok' : 'jp-mod-error'}`;
    verdict.textContent = ok ? `✓ judged after cells that assign ${result.names?.join(', ') || '(no names)'}` : `✗ ${result.error}`;
  }, 200);
  field.addEventListener('input', check);
  return () => ok;
}

/** Why an untrusted prediction is not evaluated, for its pill's tooltip. */
export const NOT_TRUSTED =
  'Not trusted: this prediction came from a copied logbook or was edited outside Logbook, so kernels do not evaluate it. Review it at the top of the sidebar.';

/** Where a verdict in words is being given: which prediction's form is open, and the cell selected in the notebook. */
export interface IVerdictState {
  /** The verdict whose form is open for ``p`` (true: held), or null. */
  open: (predictionId: string) => boolean | null;
  setOpen: (predictionId: string, held: boolean | null) => void;
  /** The cell selected in the active notebook (its path and id), if any. */
  selectedCell: () => ICellRef | null;
}

export interface ICellRef {
  path: string;
  cellId: string;
}

export function predictionBlock(model: ILogbookModel, p: IPrediction, redraw: () => void, verdicts?: IVerdictState): HTMLElement {
  const superseded = p.superseded_by !== null;
  const block = el('div', `jp-Logbook-prediction jp-mod-${p.state}`);
  block.classList.toggle('jp-mod-superseded', superseded);
  block.dataset.prediction = p.id;
  const head = el('div', 'jp-Logbook-row jp-Logbook-predictionHead');
  const state = p.state === 'too_slow' ? 'too slow' : p.state;
  head.append(el('span', 'jp-Logbook-id', p.id), pill(state, p.state, p.error ?? ''));
  if (!p.trusted) {
    head.append(pill('not trusted', 'untrusted', NOT_TRUSTED));
  }
  head.append(el('span', 'jp-Logbook-muted', `p ${formatCredence(p.credence)}`));
  if (!superseded) {
    head.append(editButton(model, p, block, head, redraw));
  }
  // Where this version stands in the record, on a line of its own so the head fits a narrow sidebar.
  const lineage = el('div', 'jp-Logbook-row jp-Logbook-lineage');
  if (superseded) {
    lineage.append(el('span', 'jp-Logbook-muted jp-Logbook-superseded', `superseded by ${p.superseded_by}`));
  }
  if (p.revises) {
    lineage.append(el('span', 'jp-Logbook-muted jp-Logbook-revises', `revises ${p.revises}`));
  }
  const text = p.kind === 'expression' ? code(p.expression) : el('div', 'jp-Logbook-words', p.expression);
  block.append(head, ...(lineage.childElementCount ? [lineage] : []), text);
  const record = verdictSummary(p);
  if (record && record !== p.state) {
    // A line of its own only when the runs say more than the state pill.
    const line = el('div', 'jp-Logbook-muted jp-Logbook-record', record);
    line.title = `${verdictRuns(p)}; first verdict: ${p.first_verdict}`;
    block.append(line);
  }
  if (p.error && p.state !== 'too_slow') {
    block.append(el('div', 'jp-Logbook-verdict jp-mod-error', p.error));
  }
  if (p.kind === 'text' && p.state === 'pending' && !superseded) {
    // Predictions in words are judged by the researcher, on a line of their own: on which run, and what was seen.
    const open = verdicts?.open(p.id) ?? null;
    const row = el('div', 'jp-Logbook-row jp-Logbook-verdicts');
    const choose = (held: boolean) => () => {
      if (verdicts) {
        verdicts.setOpen(p.id, open === held ? null : held);
      } else {
        void attempt(() => model.judge(p.id, held));
      }
    };
    const held = button('held', `${p.id} held: record evidence`, choose(true), 'jp-Logbook-held');
    const failed = button('failed', `${p.id} failed: record a surprise`, choose(false), 'jp-Logbook-failed');
    for (const [b, value] of [[held, true], [failed, false]] as const) {
      b.setAttribute('aria-expanded', String(open === value));
      b.classList.toggle('jp-mod-active', open === value);
    }
    row.append(held, failed);
    block.append(row);
    if (open !== null && verdicts) {
      block.append(verdictForm(model, p, open, verdicts));
    }
  }
  return block;
}

/** "#12 [5] analysis · x = 1": a run in the list of experiments a verdict may name. */
function runLabel(e: IExperimentRow): string {
  const where = e.lab_path ?? e.notebook;
  return `#${e.id} [${e.execution_count ?? ' '}]${where ? ` ${fileName(where)}` : ''} · ${firstLine(e.source, 40)}`;
}

/**
 * The verdict on a prediction in words: which experiment it judges (the run of the cell selected in the
 * notebook, else the newest; any recent one can be chosen) and what was observed, then confirmed.
 */
function verdictForm(model: ILogbookModel, p: IPrediction, held: boolean, verdicts: IVerdictState): HTMLElement {
  const word = held ? 'held' : 'failed';
  const box = el('div', 'jp-Logbook-verdictForm');
  box.setAttribute('role', 'group');
  box.setAttribute('aria-label', `${p.id} ${word}: on which run, and what was seen`);
  const runs = el('select', 'jp-Logbook-verdictRun') as HTMLSelectElement;
  runs.setAttribute('aria-label', `The experiment ${p.id} is judged on`);
  runs.disabled = true;
  runs.append(new Option('Loading runs…', ''));
  const where = el('div', 'jp-Logbook-muted jp-Logbook-verdictWhere');
  const observed = textArea('jp-Logbook-observed', `What was observed, for ${p.id}`, () => confirm.click(), 'What did you see?');
  const confirm = button(`Record ${word}`, `Record that ${p.id} ${word}, on the chosen run`, () => {
    const id = runs.value ? Number(runs.value) : null;
    void attempt(() => model.judge(p.id, held, id, observed.value.trim())).then(ok => ok && verdicts.setOpen(p.id, null));
  }, held ? 'jp-mod-accept' : 'jp-mod-warn');
  confirm.disabled = true;
  const cancel = button('Cancel', `Close the verdict on ${p.id}`, () => verdicts.setOpen(p.id, null));
  const line = el('div', 'jp-Logbook-verdictRunRow');
  line.append(el('div', 'jp-Logbook-muted', `${held ? 'Held' : 'Failed'} on which run:`), runs);
  const actions = el('div', 'jp-Logbook-row');
  actions.append(confirm, cancel);
  box.append(line, where, observed, actions);
  const cell = verdicts.selectedCell();
  void model.recentExperiments(100).then(
    rows => {
      const selected = cell ? rows.find(e => e.cell_id === cell.cellId && (!e.lab_path || e.lab_path === cell.path)) : undefined;
      const shown = rows.slice(0, 15);
      if (selected && !shown.includes(selected)) {
        shown.unshift(selected);
      }
      runs.replaceChildren(
        ...shown.map(e => new Option(`${e === selected ? 'selected cell: ' : ''}${runLabel(e)}`, String(e.id), false, e === (selected ?? rows[0])))
      );
      if (!rows.length) {
        runs.append(new Option('no experiment recorded yet', '', true, true));
      }
      where.textContent = selected
        ? ''
        : cell
          ? 'The selected cell has not run yet: the newest run is chosen.'
          : 'No cell is selected in a notebook: the newest run is chosen.';
      where.hidden = !where.textContent;
      runs.disabled = !rows.length;
      confirm.disabled = false;
    },
    error => {
      runs.replaceChildren(new Option('the last experiment', '', true, true));
      where.textContent = `The runs could not be listed (${error instanceof Error ? error.message : error}); the last one is judged.`;
      confirm.disabled = false;
    }
  );
  return box;
}

/** The pencil that turns the block into a field; a judged prediction edited this way comes back as a new version. */
function editButton(model: ILogbookModel, p: IPrediction, block: HTMLElement, head: HTMLElement, redraw: () => void) {
  const judged = p.first_verdict !== null;
  const tip = judged ? `Edit ${p.id}: it has a verdict, so the edit becomes a new prediction revising it` : `Edit ${p.id}`;
  return button('✎', tip, () => {
    const field = input('jp-Logbook-editPrediction', `New text of ${p.id}`);
    field.value = p.expression;
    const verdict = el('div', 'jp-Logbook-verdict');
    const valid = p.kind === 'expression' ? expressionCheck(model, field, verdict) : () => true;
    field.addEventListener('keydown', event => {
      if (event.key === 'Escape') {
        redraw();
      } else if (event.key === 'Enter' && valid()) {
        // Done editing: the card shows the new text (or, for a judged one, its new version) once the feed has it.
        void attempt(() => model.editPrediction(p.id, field.value)).then(ok => ok && redraw());
      }
    });
    block.replaceChildren(head, field, verdict);
    field.focus();
  }, 'jp-Logbook-iconButton');
}

/** The form that adds a prediction: an expression checked as it is typed, or words judged by hand. */
export function predictionForm(model: ILogbookModel, h: IHypothesis, close: () => void, prefill: ITemplate | null = null): HTMLElement {
  const box = el('div', 'jp-Logbook-newPrediction');
  let kind: 'expression' | 'text' = 'expression';
  const kinds = el('div', 'jp-Logbook-row');
  kinds.setAttribute('role', 'group');
  kinds.setAttribute('aria-label', `Kind of prediction for ${h.id}`);
  const field = textArea('jp-Logbook-predictionText', `Prediction for ${h.id}`, () => submit());
  const credence = input('jp-Logbook-credenceInput', `Credence that the prediction for ${h.id} comes true`);
  credence.value = '0.8';
  credence.inputMode = 'decimal';
  const verdict = el('div', 'jp-Logbook-verdict');
  // Words are judged by hand: only an expression is checked as Python.
  const valid = expressionCheck(model, field, verdict, () => kind === 'expression');
  const choose = (chosen: 'expression' | 'text') => {
    kind = chosen;
    for (const b of [asCode, inWords]) {
      b.setAttribute('aria-pressed', String(b === (chosen === 'expression' ? asCode : inWords)));
      b.classList.toggle('jp-mod-active', b.getAttribute('aria-pressed') === 'true');
    }
    field.placeholder = chosen === 'expression' ? 'Python, e.g. loss < 0.1' : 'In words, judged by hand';
    verdict.textContent = '';
    verdict.className = 'jp-Logbook-verdict';
    if (chosen === 'expression' && field.value.trim()) {
      field.dispatchEvent(new Event('input')); // what was typed in words is checked now
    }
  };
  const asCode = button('Expression', 'A Python expression, judged after each cell', () => choose('expression'));
  const inWords = button('In words', 'In words, judged by hand', () => choose('text'));
  kinds.append(asCode, inWords);
  choose(prefill?.kind ?? 'expression');
  if (prefill) {
    field.value = prefill.text;
    field.dispatchEvent(new Event('input'));
    box.append(el('div', 'jp-Logbook-muted', `Red team: ${prefill.how}.`));
  }
  const submit = (): void => {
    const p = parseCredence(credence.value);
    if (kind === 'expression' && !valid()) {
      verdict.className = 'jp-Logbook-verdict jp-mod-error';
      verdict.textContent = verdict.textContent || '✗ not checked yet';
      return;
    }
    if (!field.value.trim() || p === null) {
      // Nothing is added: say why, where the researcher looks.
      const blank = !field.value.trim();
      (blank ? field : credence).classList.add('jp-mod-error');
      verdict.className = 'jp-Logbook-verdict jp-mod-error';
      verdict.textContent = blank
        ? '✗ write the prediction first'
        : `✗ the probability "${credence.value.trim()}" is not between 0 and 1 (or 0 and 100%)`;
      (blank ? field : credence).focus();
      return;
    }
    void attempt(() => model.addPrediction(h.id, kind, field.value, p)).then(ok => ok && close());
  };
  field.addEventListener('input', () => {
    field.classList.remove('jp-mod-error');
    if (kind === 'text') {
      verdict.textContent = '';
    }
  });
  credence.addEventListener('input', () => {
    if (!credence.classList.contains('jp-mod-error')) {
      return;
    }
    credence.classList.remove('jp-mod-error');
    verdict.textContent = '';
    verdict.className = 'jp-Logbook-verdict';
    if (kind === 'expression' && field.value.trim()) {
      field.dispatchEvent(new Event('input')); // its check shows again in place of the credence's error
    }
  });
  const row = el('div', 'jp-Logbook-row');
  row.append(el('span', 'jp-Logbook-muted', 'p'), credence, button('Add', `Add the prediction to ${h.id}`, submit, 'jp-mod-accept'));
  row.append(button('Cancel', 'Close the prediction form', close));
  box.append(kinds, field, verdict, row);
  return box;
}
