/** How a drift surprise reads: its line in the inbox, its details in triage and its card under the cell. */

import { el, pill } from './dom';
import { driftValue, earlierValues, readers } from './driftformat';
import { formatBits } from './format';
import { IDriftDetails, ISurprise } from './types';

export { driftValue, earlierValues, readers, summaryText } from './driftformat';

export function isDrift(s: Pick<ISurprise, 'kind'>): boolean {
  return s.kind === 'drift';
}

/** The label a drift carries wherever a surprise is listed, so it is never read as a failed prediction. */
export function driftPill(): HTMLElement {
  return pill('drift', 'drift', 'A value moved from its earlier runs of the same code; no prediction was written about it');
}

/** The lines a drift adds to a card: what moved, now and before, and who reads it. */
export function driftLines(drift: IDriftDetails & { note?: string; surprisal_bits?: number | null }): HTMLElement[] {
  const what = el('div', 'jp-Logbook-driftWhat');
  what.append(el('code', undefined, `${drift.name}${drift.part}`), ` ${drift.change}`);
  if (typeof drift.surprisal_bits === 'number') {
    what.append(' ', pill(formatBits(drift.surprisal_bits), 'bits', 'surprisal'));
  }
  const now = el('div', 'jp-Logbook-muted', `now ${driftValue(drift.value)}; earlier runs: ${earlierValues(drift) || '—'}`);
  return [what, now, el('div', 'jp-Logbook-muted', readers(drift))];
}
