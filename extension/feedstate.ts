/** Pure helpers of the model: which sections changed, merging a hypotheses delta, splitting brainstorms. */

import { IBrainstorm, IHypothesis, Section, SECTIONS, SurpriseFilter } from './types';

/** The sections whose version differs from the one last seen (all of them at first). */
export function changedSections(known: Partial<Record<Section, string>>, next: Record<Section, string>): Section[] {
  return SECTIONS.filter(section => known[section] === undefined || known[section] !== next[section]);
}

const seq = (id: string): number => Number(id.slice(1));

/** Hypotheses in the order the sidebar lists them: active first, then by number. */
export function orderHypotheses(hypotheses: Iterable<IHypothesis>): IHypothesis[] {
  const rank = (h: IHypothesis) => (h.status === 'active' ? 0 : 1);
  return [...hypotheses].sort((a, b) => rank(a) - rank(b) || seq(a.id) - seq(b.id));
}

/** The hypotheses after a delta: the whole list when ``full``, else the changed ones replaced or added. */
export function mergeHypotheses(
  current: Map<string, IHypothesis>,
  delta: { full: boolean; hypotheses: IHypothesis[] }
): Map<string, IHypothesis> {
  const merged = delta.full ? new Map<string, IHypothesis>() : new Map(current);
  for (const h of delta.hypotheses) {
    merged.set(h.id, h);
  }
  return merged;
}

/** The running brainstorm (if any) and the finished ones, newest first. */
export function splitBrainstorms(all: IBrainstorm[]): { current: IBrainstorm | null; past: IBrainstorm[] } {
  const current = [...all].reverse().find(b => b.finished_at === null) ?? null;
  const past = all.filter(b => b.finished_at !== null).reverse();
  return { current, past };
}

export interface IPredictionCounts {
  held: number;
  failed: number;
  pending: number;
  error: number;
}

export function predictionCounts(h: IHypothesis): IPredictionCounts {
  const counts: IPredictionCounts = { held: 0, failed: 0, pending: 0, error: 0 };
  for (const p of h.predictions) {
    counts[p.state] += 1;
  }
  return counts;
}

/** Whether a surprise still waits for the researcher (unread and read today; open with triage statuses). */
export function isOpen(status: string): boolean {
  return status === 'unread' || status === 'read' || status === 'open';
}

export function isUnread(status: string): boolean {
  return status === 'unread' || status === 'open';
}

/** Whether a surprise belongs under the inbox filter (a guard for a server that ignores the filter). */
export function matchesFilter(status: string, filter: SurpriseFilter): boolean {
  return filter === 'all' || (filter === 'open') === isOpen(status);
}
