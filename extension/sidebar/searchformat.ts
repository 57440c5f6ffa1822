/** The pure parts of the sidebar's search: headings, where a hit matched, its marked text, keyboard moves. */

import { ISearchGroup, ISearchHit, ISearchResults, SearchKind } from '../lib/types';

export const KIND_HEADINGS: Record<SearchKind, string> = {
  hypothesis: 'Hypotheses',
  prediction: 'Predictions',
  surprise: 'Surprises',
  note: 'Notes',
  experiment: 'Experiments'
};

const KIND_NAMES: Record<SearchKind, string> = {
  hypothesis: 'Hypothesis',
  prediction: 'Prediction',
  surprise: 'Surprise',
  note: 'Note',
  experiment: 'Experiment'
};

/** The fields a kind's hits usually match in: not named on their rows. */
const MAIN_FIELDS: Record<SearchKind, string[]> = {
  hypothesis: ['statement'],
  prediction: ['expression', 'prediction'],
  surprise: [],
  note: ['note'],
  experiment: []
};

/** Fields shown in the code font. */
const CODE_FIELDS = ['source', 'expression', 'output', 'stdout', 'stderr', 'traceback', 'error'];

/** Where a hit matched, as its row says it: "L3" in a cell's source, "explanation", or nothing for the usual field. */
export function hitWhere(hit: Pick<ISearchHit, 'kind' | 'field' | 'line'>): string {
  if (hit.field === 'source') {
    return `L${hit.line}`;
  }
  return MAIN_FIELDS[hit.kind]?.includes(hit.field) ? '' : hit.field;
}

export function isCode(hit: Pick<ISearchHit, 'field'>): boolean {
  return CODE_FIELDS.includes(hit.field);
}

/** "Surprises · 2,862" */
export function groupHeading(group: Pick<ISearchGroup, 'kind' | 'total'>): string {
  return `${KIND_HEADINGS[group.kind]} · ${group.total.toLocaleString('en-US')}`;
}

/** When a kind matched more than were ranked: "best of the newest 2,000". */
export function groupNote(group: Pick<ISearchGroup, 'total' | 'ranked'>): string {
  return group.total > group.ranked ? `best of the newest ${group.ranked.toLocaleString('en-US')}` : '';
}

/** Whether a group has ranked hits not shown yet. */
export function hasMore(group: Pick<ISearchGroup, 'ranked' | 'offset' | 'hits'>): boolean {
  return group.offset + group.hits.length < group.ranked;
}

/**
 * ``text`` cut into pieces at the server's ``marks`` ([start, end) offsets), matched pieces flagged.
 * Marks out of order, overlapping or out of range are tidied, never trusted to index past the text.
 */
export function markedPieces(text: string, marks: ReadonlyArray<readonly [number, number]>): { text: string; match: boolean }[] {
  const spans = marks
    .map(([s, e]) => [Math.max(0, Math.min(text.length, Math.floor(s))), Math.max(0, Math.min(text.length, Math.floor(e)))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const pieces: { text: string; match: boolean }[] = [];
  let at = 0;
  for (const [start, end] of spans) {
    if (end <= at) {
      continue;
    }
    const from = Math.max(start, at);
    if (from > at) {
      pieces.push({ text: text.slice(at, from), match: false });
    }
    pieces.push({ text: text.slice(from, end), match: true });
    at = end;
  }
  if (at < text.length) {
    pieces.push({ text: text.slice(at), match: false });
  }
  return pieces;
}

/** The name a screen reader says for a hit: "Surprise S4, explanation: the cache was stale. H2.P1 failed · explained". */
export function hitName(hit: ISearchHit): string {
  const where = hit.field === 'source' ? `line ${hit.line}` : hitWhere(hit);
  const about = hit.about ? `. ${hit.about}` : '';
  return `${KIND_NAMES[hit.kind]} ${hit.id}${where ? `, ${where}` : ''}: ${hit.text}${about}`;
}

/** The line under the box: how many records matched, by kind, or that none did. */
export function resultsSummary(results: ISearchResults): string {
  const total = results.groups.reduce((sum, g) => sum + g.total, 0);
  const theirs = results.teammates.reduce((sum, t) => sum + t.total, 0);
  const team = theirs ? ` · ${theirs.toLocaleString('en-US')} in teammates’ logbooks` : '';
  if (!total) {
    return team
      ? `Nothing in your logbook matches “${results.query.trim()}”${team}.`
      : `Nothing in the logbook matches “${results.query.trim()}”.`;
  }
  return `${total.toLocaleString('en-US')} found${team}`;
}

/** The hit the keyboard moves to from ``index`` of ``count`` (arrows, Home, End); null for other keys. */
export function moveFocus(index: number, key: string, count: number): number | null {
  if (count === 0) {
    return null;
  }
  switch (key) {
    case 'ArrowDown':
      return Math.min(count - 1, index + 1);
    case 'ArrowUp':
      return Math.max(-1, index - 1); // -1: back to the search box
    case 'Home':
      return 0;
    case 'End':
      return count - 1;
    default:
      return null;
  }
}

/** ``results`` with ``page`` (more hits of one kind) added after that kind's hits. */
export function withMore(results: ISearchResults, page: ISearchResults): ISearchResults {
  const added = new Map(page.groups.map(g => [g.kind, g]));
  return {
    ...results,
    groups: results.groups.map(group => {
      const more = added.get(group.kind);
      if (!more) {
        return group;
      }
      const seen = new Set(group.hits.map(h => h.id));
      return { ...group, total: more.total, ranked: more.ranked, hits: [...group.hits, ...more.hits.filter(h => !seen.has(h.id))] };
    })
  };
}

/** A key naming a hit across redraws (to keep the keyboard focus on it). */
export function hitKey(hit: Pick<ISearchHit, 'kind' | 'id'>): string {
  return `${hit.kind}:${hit.id}`;
}
