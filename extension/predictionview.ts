/** A hypothesis' predictions: one per block, the id in full, and the form that adds one. */

import { attempt, button, code, debounce, el, input, pill, textArea } from './dom';
import { parseCredence } from './entry';
import { verdictRuns, verdictSummary } from './feedstate';
import { formatCredence } from './format';
import { LogbookModel } from './model';
import { ITemplate } from './redteamcard';
import { IHypothesis, IPrediction } from './types';

/** Checks an expression on the server as it is typed; ``valid()`` says whether it parsed. */
function expressionCheck(model: LogbookModel, field: HTMLInputElement | HTMLTextAreaElement, verdict: HTMLElement): () => boolean {
  let ok = false;
  const check = debounce(async () => {
    if (!field.value.trim()) {
      verdict.textContent = '';
      ok = false;
      return;
    }
    const result = await model.checkExpression(field.value).catch(error => ({ ok: false, error: String(error) }) as any);
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

export function predictionBlock(model: LogbookModel, p: IPrediction, redraw: () => void): HTMLElement {
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
    // Predictions in words are judged by the researcher, on a line of their own.
    const verdicts = el('div', 'jp-Logbook-row jp-Logbook-verdicts');
    const judge = (held: boolean) => () => void attempt(() => model.judge(p.id, held));
    verdicts.append(
      button('held', `${p.id} held: record evidence`, judge(true), 'jp-Logbook-held'),
      button('failed', `${p.id} failed: record a surprise`, judge(false), 'jp-Logbook-failed')
    );
    block.append(verdicts);
  }
  return block;
}

/** The pencil that turns the block into a field; a judged prediction edited this way comes back as a new version. */
function editButton(model: LogbookModel, p: IPrediction, block: HTMLElement, head: HTMLElement, redraw: () => void) {
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
export function predictionForm(model: LogbookModel, h: IHypothesis, close: () => void, prefill: ITemplate | null = null): HTMLElement {
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
  const valid = expressionCheck(model, field, verdict);
  const choose = (chosen: 'expression' | 'text') => {
    kind = chosen;
    for (const b of [asCode, inWords]) {
      b.setAttribute('aria-pressed', String(b === (chosen === 'expression' ? asCode : inWords)));
      b.classList.toggle('jp-mod-active', b.getAttribute('aria-pressed') === 'true');
    }
    field.placeholder = chosen === 'expression' ? 'Python, e.g. loss < 0.1' : 'In words, judged by hand';
    verdict.textContent = '';
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
      return;
    }
    void attempt(() => model.addPrediction(h.id, kind, field.value, p)).then(ok => ok && close());
  };
  field.addEventListener('input', () => kind === 'text' && (verdict.textContent = ''));
  const row = el('div', 'jp-Logbook-row');
  row.append(el('span', 'jp-Logbook-muted', 'p'), credence, button('Add', `Add the prediction to ${h.id}`, submit, 'jp-mod-accept'));
  row.append(button('Cancel', 'Close the prediction form', close));
  box.append(kinds, field, verdict, row);
  return box;
}
