/**
 * One hypothesis. Collapsed, one row: id, statement (two lines, full text on
 * hover), a credence sparkline and the credence, its status and its predictions' counts. Expanded:
 * the credence with its reason, the status, the predictions, and "+".
 */

import { actionable, attempt, button, el, input, pill } from '../lib/dom';
import { predictionCounts } from '../lib/feedstate';
import { formatCredence, sparklinePoints } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { parseCredence } from '../lib/entry';
import { IVerdictState, predictionBlock, predictionForm } from './predictionview';
import { ITemplate, redTeamCard } from './redteamcard';
import { giveWay, giveWayChoices } from './setformat';
import { SHOW_SURPRISE_EVENT } from '../lib/tokens';
import { IHypothesis } from '../lib/types';

const STATUSES = ['active', 'supported', 'refuted', 'abandoned'];
const SVG = 'http://www.w3.org/2000/svg';

export interface ICardState {
  expanded: boolean;
  formOpen: boolean;
  toggle: () => void;
  setForm: (open: boolean) => void;
  redraw: () => void;
  /** The red-team template the open form starts from, if any. */
  prefill: ITemplate | null;
  startRedTeam: (template: ITemplate) => void;
  /** Whether the red-team card shows its templates, or is hidden for good. */
  redTeamOpen: boolean;
  redTeamHidden: boolean;
  toggleRedTeam: () => void;
  hideRedTeam: () => void;
  /** The verdict forms of its predictions in words. */
  verdicts?: IVerdictState;
}

function sparkline(h: IHypothesis): SVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('class', 'jp-Logbook-sparkline');
  svg.setAttribute('viewBox', '0 0 32 12');
  svg.setAttribute('aria-hidden', 'true');
  const line = document.createElementNS(SVG, 'polyline');
  const values = h.history.length ? h.history.map(c => c.credence) : [h.credence];
  line.setAttribute('points', sparklinePoints(values, 32, 12));
  svg.append(line);
  return svg;
}

function summary(h: IHypothesis, state: ICardState): HTMLElement {
  const counts = predictionCounts(h);
  const said = [
    counts.held && `${counts.held} held`,
    counts.failed && `${counts.failed} failed`,
    counts.pending && `${counts.pending} pending`,
    counts.too_slow && `${counts.too_slow} too slow`
  ].filter(Boolean);
  const row = el('div', 'jp-Logbook-cardRow');
  actionable(row, `${h.id}: ${h.statement}. Credence ${formatCredence(h.credence)}, ${h.status}${said.length ? ', ' + said.join(', ') : ''}`, state.toggle);
  row.setAttribute('aria-expanded', String(state.expanded));
  const statement = el('span', 'jp-Logbook-statement', h.statement);
  row.title = `${h.statement}\ncredence ${h.history.map(c => formatCredence(c.credence)).join(' → ') || formatCredence(h.credence)}${h.follows ? `\nfollows up ${h.follows}` : ''}`;
  row.append(el('span', 'jp-Logbook-caret', state.expanded ? '▾' : '▸'), el('span', 'jp-Logbook-id', h.id), statement);
  row.append(sparkline(h), el('span', 'jp-Logbook-credenceNumber', formatCredence(h.credence)), pill(h.status, h.status));
  const tally = el('span', 'jp-Logbook-tally');
  tally.setAttribute('aria-hidden', 'true');
  for (const [state, mark] of [
    ['held', '✓'],
    ['failed', '✗'],
    ['pending', '…']
  ] as const) {
    if (counts[state]) {
      tally.append(el('span', `jp-mod-${state}`, `${mark}${counts[state]}`));
    }
  }
  row.append(tally);
  return row;
}

function credenceControl(model: ILogbookModel, h: IHypothesis): HTMLElement {
  const box = el('div', 'jp-Logbook-credence');
  const slider = el('input', 'jp-Logbook-slider') as HTMLInputElement;
  slider.type = 'range';
  slider.min = '0';
  slider.max = '100';
  slider.value = String(Math.round(h.credence * 100));
  slider.setAttribute('aria-label', `credence in ${h.id}`);
  const shown = el('output', 'jp-Logbook-credenceValue', formatCredence(h.credence));
  const reason = input('jp-Logbook-reason', `reason for the new credence in ${h.id}`, 'why?');
  // A member of a competing set moves through its set: the others (in proportion) or the one chosen give way.
  const setId = h.set_id ?? null;
  let yields: HTMLSelectElement | null = null;
  if (setId !== null) {
    yields = el('select', 'jp-Logbook-input jp-Logbook-giveWay') as HTMLSelectElement;
    yields.setAttribute('aria-label', `Who gives way when ${h.id} moves in C${setId}`);
    yields.append(new Option('the others, in proportion', ''));
    for (const c of giveWayChoices(h.id, setId, model.hypotheses)) {
      yields.append(new Option(`only ${c.label}`, c.id));
    }
  }
  const save = button('Save', `Record the new credence in ${h.id} and its reason`, () => {
    const credence = Number(slider.value) / 100;
    void attempt(() =>
      setId !== null && yields
        ? model.setSetCredence(setId, h.id, credence, reason.value, giveWay(yields.value))
        : model.setCredence(h.id, credence, reason.value)
    );
  });
  save.disabled = true;
  slider.addEventListener('input', () => {
    shown.textContent = formatCredence(Number(slider.value) / 100);
    save.disabled = false;
  });
  reason.addEventListener('keydown', event => event.key === 'Enter' && !save.disabled && save.click());
  const top = el('div', 'jp-Logbook-row');
  top.append(slider, shown);
  const bottom = el('div', 'jp-Logbook-row');
  bottom.append(reason, save);
  box.append(top);
  if (yields) {
    const asked = el('label', 'jp-Logbook-row jp-Logbook-giveWayRow');
    asked.append(el('span', 'jp-Logbook-muted', 'gives way:'), yields);
    asked.hidden = true;
    slider.addEventListener('input', () => {
      if (asked.hidden) {
        asked.hidden = false;
        // The row pushes Save down: keep it in the section's view (a short sidebar scrolls the section).
        requestAnimationFrame(() => bottom.scrollIntoView({ block: 'nearest' }));
      }
    });
    box.append(asked);
  }
  box.append(bottom);
  return box;
}

/**
 * The status. Refuting asks first, as the surprise form does, for the reason (and a credence, 0 when
 * left empty); until it is confirmed the status stays as it was, and cancelling leaves it so.
 */
function statusControl(model: ILogbookModel, h: IHypothesis): HTMLElement {
  const box = el('div', 'jp-Logbook-statusControl');
  const row = el('label', 'jp-Logbook-row jp-Logbook-statusRow');
  const select = el('select', 'jp-Logbook-status') as HTMLSelectElement;
  select.setAttribute('aria-label', `status of ${h.id}`);
  for (const s of STATUSES) {
    const option = el('option', undefined, s) as HTMLOptionElement;
    option.value = s;
    option.selected = s === h.status;
    select.append(option);
  }
  const cancel = () => {
    select.value = h.status;
    box.querySelector('.jp-Logbook-refuteForm')?.remove();
    select.focus();
  };
  select.addEventListener('change', () => {
    box.querySelector('.jp-Logbook-refuteForm')?.remove();
    if (select.value === 'refuted' && h.status !== 'refuted') {
      box.append(refuteForm(model, h, cancel));
      select.value = h.status; // not refuted until the reason is given
      (box.querySelector('.jp-Logbook-refuteForm .jp-Logbook-reason') as HTMLElement | null)?.focus();
      return;
    }
    void attempt(() => model.setStatus(h.id, select.value, 'set in the sidebar'));
  });
  row.append(el('span', 'jp-Logbook-muted', 'status'), select);
  box.append(row);
  return box;
}

/** Why ``h`` is wrong, and the credence it keeps (0 when none is given); Escape or Cancel leaves it as it was. */
function refuteForm(model: ILogbookModel, h: IHypothesis, cancel: () => void): HTMLElement {
  const form = el('div', 'jp-Logbook-refuteForm');
  form.setAttribute('role', 'group');
  form.setAttribute('aria-label', `Refute ${h.id}`);
  const reason = input('jp-Logbook-reason', `Why ${h.id} is refuted`, `Why is ${h.id} wrong?`);
  const credence = input('jp-Logbook-credenceInput', `Credence in ${h.id} after refuting it (0 when empty)`, '0');
  credence.inputMode = 'decimal';
  const refute = button(`Refute ${h.id}`, `Refute ${h.id} with this reason`, () => {
    const value = credence.value.trim() ? parseCredence(credence.value) : null;
    if (reason.value.trim() && (value !== null || !credence.value.trim())) {
      void attempt(() => model.setStatus(h.id, 'refuted', reason.value.trim(), value));
    }
  }, 'jp-mod-warn');
  const sync = () => {
    const bad = credence.value.trim() !== '' && parseCredence(credence.value) === null;
    credence.classList.toggle('jp-mod-error', bad);
    refute.disabled = !reason.value.trim() || bad;
  };
  reason.addEventListener('input', sync);
  credence.addEventListener('input', sync);
  sync();
  for (const field of [reason, credence]) {
    field.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !refute.disabled) {
        refute.click();
      } else if (event.key === 'Escape') {
        event.stopPropagation();
        cancel();
      }
    });
  }
  const line = el('div', 'jp-Logbook-row');
  line.append(el('span', 'jp-Logbook-muted', 'credence'), credence, refute, button('Cancel', `Keep ${h.id} ${h.status}`, cancel));
  form.append(reason, line);
  return form;
}

/** "follows up S3": the surprise a hypothesis was stated to follow up, opening it in the inbox. */
function followsLine(h: IHypothesis): HTMLElement | null {
  if (!h.follows) {
    return null;
  }
  const line = el('div', 'jp-Logbook-row jp-Logbook-follows');
  const id = Number(h.follows.replace(/^S/i, ''));
  line.append(
    el('span', 'jp-Logbook-muted', 'follows up'),
    button(h.follows, `Show surprise ${h.follows}, which ${h.id} follows up`, () => {
      document.dispatchEvent(new CustomEvent(SHOW_SURPRISE_EVENT, { detail: { id } }));
    }, 'jp-Logbook-link')
  );
  return line;
}

export function hypothesisCard(model: ILogbookModel, h: IHypothesis, state: ICardState): HTMLElement {
  const card = el('div', `jp-Logbook-hypothesis jp-mod-${h.status}`);
  card.dataset.hypothesis = h.id;
  card.classList.toggle('jp-mod-expanded', state.expanded);
  card.append(summary(h, state));
  if (h.going_well && !state.redTeamHidden) {
    card.append(redTeamCard(h, { open: state.redTeamOpen, toggle: state.toggleRedTeam, hide: state.hideRedTeam, start: state.startRedTeam }));
  }
  if (!state.expanded) {
    return card;
  }
  const body = el('div', 'jp-Logbook-cardBody');
  body.append(el('div', 'jp-Logbook-fullStatement', h.statement));
  const follows = followsLine(h);
  if (follows) {
    body.append(follows);
  }
  body.append(credenceControl(model, h), statusControl(model, h));
  const predictions = el('div', 'jp-Logbook-predictions');
  predictions.append(...h.predictions.map(p => predictionBlock(model, p, state.redraw, state.verdicts)));
  body.append(predictions);
  if (state.formOpen) {
    body.append(predictionForm(model, h, () => state.setForm(false), state.prefill));
  } else {
    body.append(button('+ prediction', `Add a prediction to ${h.id}`, () => state.setForm(true), 'jp-Logbook-addPrediction'));
  }
  card.append(body);
  return card;
}
