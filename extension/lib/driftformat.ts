/** Drift and history values as text (no DOM): shared by the inbox, triage, the card under the cell and the history. */

import { IDriftDetails } from './types';

/** A value as a drift records it: a number to four significant figures, a shape, a name. */
export function driftValue(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+(e|$)/, '$1');
  }
  if (value === null || value === undefined) {
    return '—';
  }
  return Array.isArray(value) ? `[${value.map(driftValue).join(', ')}]` : String(value);
}

/** One value's summary in a line: "0.42", "float32 [4, 16] mean 0.1", "float64 [4] [1, -2, 3, 4] (nan 1)". */
export function summaryText(s: Record<string, any> | null): string {
  if (s === null || s === undefined) {
    return '—';
  }
  if (s.shape !== undefined) {
    const parts = [s.dtype ?? s.type ?? '', `[${s.shape.join(', ')}]`];
    if (Array.isArray(s.values)) {
      parts.push(`[${s.values.map(driftValue).join(', ')}]`);
    } else {
      parts.push(...['mean', 'min', 'max'].filter(k => s[k] !== undefined).map(k => `${k} ${driftValue(s[k])}`));
    }
    if (s.nan) {
      parts.push(`(nan ${s.nan})`);
    }
    return parts.filter(Boolean).join(' ');
  }
  if (s.value !== undefined) {
    return driftValue(s.value);
  }
  return s.repr ?? s.name ?? s.type ?? '?';
}

/** The earlier values, oldest first, the last ``limit`` of them: "0.31 (#4), 0.29 (#7)". */
export function earlierValues(drift: Pick<IDriftDetails, 'earlier'>, limit = 5): string {
  const shown = drift.earlier.slice(-limit).map(e => `${driftValue(e.value)}${e.experiment_id !== null ? ` (#${e.experiment_id})` : ''}`);
  const more = drift.earlier.length > limit ? `${drift.earlier.length - limit} more, ` : '';
  return more + shown.join(', ');
}

/** Which hypotheses read the drifted name: "read by H1, H3" or "no prediction reads it". */
export function readers(drift: Pick<IDriftDetails, 'hypotheses'>): string {
  return drift.hypotheses.length ? `read by ${drift.hypotheses.join(', ')}` : 'no prediction reads it';
}
