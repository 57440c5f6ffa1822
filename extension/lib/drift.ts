/** How a drift surprise reads: its line in the inbox, its details in triage and its card under the cell. */

import { button, el, pill } from './dom';
import { driftValue, earlierValues, readers } from './driftformat';
import { formatBits } from './format';
import { driftMoves, firstMoves, moveLabel } from './signalformat';
import { IDriftDetails, IDriftMove, ISurprise } from './types';

export { driftValue, earlierValues, readers, summaryText } from './driftformat';

export function isDrift(s: Pick<ISurprise, 'kind'>): boolean {
  return s.kind === 'drift';
}

/** The label a drift carries wherever a surprise is listed, so it is never read as a failed prediction. */
export function driftPill(): HTMLElement {
  return pill('drift', 'drift', 'A value moved from its earlier runs of the same code; no prediction was written about it');
}

type Move = IDriftMove & { note?: string; surprisal_bits?: number | null };

/**
 * The lines one moved part adds to a card: what moved and how, now and before, and who reads it
 * (in a list of several, only when some prediction does: "no prediction reads it" once per part is noise).
 */
export function driftLines(drift: Move, inList = false): HTMLElement[] {
  const what = el('div', 'jp-Logbook-driftWhat');
  what.append(el('code', undefined, moveLabel(drift)), ` ${drift.change}`);
  const bits = typeof drift.surprisal_bits === 'number' ? drift.surprisal_bits : drift.bits;
  if (typeof bits === 'number') {
    what.append(' ', pill(formatBits(bits), 'bits', 'surprisal'));
  }
  const earlier = { earlier: Array.isArray(drift.earlier) ? drift.earlier : [] };
  const hypotheses = { hypotheses: Array.isArray(drift.hypotheses) ? drift.hypotheses : [] };
  const now = el('div', 'jp-Logbook-muted', `now ${driftValue(drift.value)}; earlier runs: ${earlierValues(earlier) || '—'}`);
  if (inList && !hypotheses.hypotheses.length) {
    return [what, now];
  }
  return [what, now, el('div', 'jp-Logbook-muted', readers(hypotheses))];
}

/**
 * Every part that moved, most surprising first: the first few, then "and N more" that shows the rest
 * in place. ``moves`` may be a drift surprise's details (its ``moves``) or the card's list of drifts.
 */
export function driftMovesView(moves: Move[] | IDriftDetails, shown = 3): HTMLElement {
  const all: Move[] = Array.isArray(moves) ? moves : driftMoves(moves);
  const box = el('div', 'jp-Logbook-driftMoves');
  const item = (move: Move) => {
    const node = el('div', 'jp-Logbook-driftItem');
    node.append(...driftLines(move, all.length > 1));
    return node;
  };
  const { first, more } = firstMoves(all, shown);
  box.append(...first.map(item));
  if (more > 0) {
    const rest = all.slice(first.length);
    const expand = button(`and ${more} more`, `Show the other ${more} values that moved`, () => {
      expand.replaceWith(...rest.map(item));
    }, 'jp-Logbook-link jp-Logbook-moreMoves');
    box.append(expand);
  }
  return box;
}
