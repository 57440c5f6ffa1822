/** Pure helpers of the model: which sections changed, merging a hypotheses delta, splitting brainstorms. */

import { IBrainstorm, IHypothesis, IPrediction, ISurprise, Section, SECTIONS } from './types';

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
  too_slow: number;
}

export function predictionCounts(h: IHypothesis): IPredictionCounts {
  const counts: IPredictionCounts = { held: 0, failed: 0, pending: 0, error: 0, too_slow: 0 };
  for (const p of h.predictions.filter(p => p.superseded_by === null)) {
    counts[p.state] += 1;
  }
  return counts;
}

/** Whether a surprise still waits for the researcher. */
export function isOpen(s: Pick<ISurprise, 'status'>): boolean {
  return s.status === 'open';
}

/** Open and not yet seen: what the unread badge counts. */
export function isUnread(s: Pick<ISurprise, 'status' | 'read'>): boolean {
  return s.status === 'open' && !s.read;
}

// Whether a surprise belongs under the inbox filter (a guard for a server that ignores it) is said with the filters.
export { matchesFilter } from './words';

const RESOLUTION_WORDS: Record<NonNullable<ISurprise['resolution']>, string> = {
  explained: 'explained',
  dismissed: 'dismissed',
  refuted: 'refuted the hypothesis',
  credence_updated: 'updated the credence',
  followed_up: 'followed up'
};

/** How a resolved surprise was closed, in words: "explained by ada", "dismissed". */
export function resolutionWords(s: Pick<ISurprise, 'resolution' | 'resolved_by'>): string {
  if (!s.resolution) {
    return '';
  }
  return s.resolved_by ? `${RESOLUTION_WORDS[s.resolution]} by ${s.resolved_by}` : RESOLUTION_WORDS[s.resolution];
}

/** A prediction's verdict runs compactly: "failed ×2 → held ×1" ('' before any verdict). */
export function verdictRuns(p: Pick<IPrediction, 'verdicts'>): string {
  return p.verdicts.map(v => `${v.held ? 'held' : 'failed'} ×${v.count}`).join(' → ');
}

/** The verdict history in a line: "held after 2 failed runs", "failed 3 times", "held" ('' before any). */
export function verdictSummary(p: Pick<IPrediction, 'verdicts'>): string {
  const runs = p.verdicts;
  if (runs.length === 0) {
    return '';
  }
  const last = runs[runs.length - 1];
  const word = last.held ? 'held' : 'failed';
  const now = last.count === 1 ? word : `${word} ${last.count} times`;
  if (runs.length === 1) {
    return now;
  }
  const before = runs.slice(0, -1).reduce((n, v) => n + v.count, 0);
  const other = last.held ? 'failed' : 'held';
  return `${now} after ${before} ${runs.length === 2 ? other : 'earlier'} run${before === 1 ? '' : 's'}`;
}
