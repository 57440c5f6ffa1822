/**
 * What a surprise says, as text (no DOM): the values that decided it, how many
 * runs it stands for, every part that drifted, what is expected to vary, and
 * how a bulk action went. Shared by the inbox, triage, the card under the cell
 * and the experiment detail; each tolerates a server that sends none of it.
 */

import { driftValue } from './driftformat';
import { IBulkAnswer, IDriftDetails, IDriftMove, IStep, ISurprise, ISurpriseRef } from './types';

/** The steps of a judgement, whatever came: a list, its JSON text, or nothing (an older server). */
export function readSteps(raw: unknown): IStep[] {
  let value = raw;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(value)) {
    return [];
  }
  return value
    .filter(step => step !== null && typeof step === 'object' && typeof step.text === 'string')
    .map(step => ({ text: step.text, value: step.value === undefined || step.value === null ? '' : String(step.value) }));
}

/** One step as pytest shows a failing assert: "head_scores.max() → 0.3". */
export function stepLine(step: IStep): string {
  return step.value === '' ? step.text : `${step.text} → ${step.value}`;
}

/** Every step in a line each. */
export function stepLines(raw: unknown): string[] {
  return readSteps(raw).map(stepLine);
}

/** How many runs a surprise stands for: "failed again · 3 runs", or '' for one run. */
export function runsWords(s: { runs?: number | null }): string {
  const runs = Number(s.runs ?? 1);
  return runs > 1 ? `failed again · ${runs} runs` : '';
}

/** A move's name as the user would index it: "scores[1, 3]", "acts.mean". */
export function moveLabel(move: Pick<IDriftMove, 'name' | 'part'> & { label?: string }): string {
  return move.label || `${move.name}${move.part ?? ''}`;
}

/** Every part that moved in a cell run, most surprising first; an older server's one drift is one move. */
export function driftMoves(drift: IDriftDetails | null | undefined): IDriftMove[] {
  if (!drift) {
    return [];
  }
  const moves = Array.isArray(drift.moves) ? drift.moves.filter(m => m && typeof m === 'object') : [];
  return moves.length ? moves : [drift];
}

/** The moves shown before "and N more": the first ``shown``, and how many wait behind the button. */
export function firstMoves<T>(moves: T[], shown = 3): { first: T[]; more: number } {
  // Never hide a single move behind "and 1 more": show it instead.
  const cut = moves.length > shown + 1 ? shown : moves.length;
  return { first: moves.slice(0, cut), more: moves.length - cut };
}

/** The inbox line of a drift: "scores[1, 3] changed sign" or "3 values moved: scores[1, 3], loss, …". */
export function movesSummary(drift: IDriftDetails | null | undefined): string {
  const moves = driftMoves(drift);
  if (moves.length === 0) {
    return '';
  }
  if (moves.length === 1) {
    return `${moveLabel(moves[0])} ${moves[0].change}`;
  }
  const names = moves.slice(0, 3).map(moveLabel).join(', ');
  return `${moves.length} values moved: ${names}${moves.length > 3 ? ', …' : ''}`;
}

/** An expected value with the change marked normal: "scores[1, 3] ± 0.02", or the label alone. */
export function envelopeText(expected: { label: string; envelope: number | null | undefined }): string {
  return typeof expected.envelope === 'number' ? `${expected.label} ± ${driftValue(expected.envelope)}` : expected.label;
}

/** Whether a surprise can be marked expected: a drift, still open. */
export function canExpect(s: Pick<ISurprise, 'kind' | 'status'>): boolean {
  return s.kind === 'drift' && s.status === 'open';
}

/**
 * What a bulk action did, in one line: "Closed 3 · 1 already closed · 1 refused: S5 was already resolved".
 * ``refusedHere`` are refusals made before asking the server (a non-drift surprise marked expected).
 */
export function bulkSummary(answer: IBulkAnswer, refusedHere: { id: number; error: string }[] = []): string {
  const refused = [...refusedHere, ...answer.results.filter(r => !r.ok).map(r => ({ id: r.id, error: r.error ?? 'refused' }))];
  const parts = [`Closed ${answer.closed}`];
  if (answer.already) {
    parts.push(`${answer.already} already closed`);
  }
  if (refused.length) {
    const reasons = refused.map(r => (r.error.startsWith(`S${r.id}`) ? r.error : `S${r.id}: ${r.error}`));
    parts.push(`${refused.length} refused: ${reasons.join('; ')}`);
  }
  return parts.join(' · ');
}

/** One answer for many per-id calls (marking expected goes surprise by surprise). */
export function combineAnswers(results: { id: number; ok: boolean; already?: boolean; error?: string }[]): IBulkAnswer {
  return {
    closed: results.filter(r => r.ok && !r.already).length,
    already: results.filter(r => r.ok && r.already).length,
    refused: results.filter(r => !r.ok).length,
    results: results.map(r => ({ ...r }))
  };
}

/** How a resolved surprise reads under its card: "resolved: explained by ana — a corrupted shard". */
export function resolvedLine(s: Pick<ISurprise, 'status' | 'resolution' | 'resolved_by' | 'explanation'>, words: string): string {
  if (s.status === 'open') {
    return '';
  }
  const what = words || s.status.replace('_', ' ');
  return s.explanation ? `resolved: ${what} — ${s.explanation}` : `resolved: ${what}`;
}

/** Whether surprise ``s`` is the one a card names: by id, by prediction, or by the note of a flag or a drift. */
export function matchesRef(s: Pick<ISurprise, 'id' | 'prediction_id' | 'hypothesis_id' | 'prediction' | 'note'>, ref: ISurpriseRef): boolean {
  if (ref.id !== null && ref.id !== undefined) {
    return s.id === ref.id;
  }
  if (ref.prediction_id) {
    return s.prediction_id === ref.prediction_id;
  }
  if (ref.prediction) {
    return s.prediction === ref.prediction && (!ref.hypothesis_id || s.hypothesis_id === ref.hypothesis_id);
  }
  return !!ref.note && s.note === ref.note;
}

/** The surprise a card stands for among ``found``: one that observed the card's values, else the newest. */
export function pickSurprise<S extends ISurprise>(found: S[], ref: ISurpriseRef): S | undefined {
  const matching = found.filter(s => matchesRef(s, ref)).sort((a, b) => b.id - a.id);
  if (ref.observed && Object.keys(ref.observed).length) {
    const seen = JSON.stringify(ref.observed);
    const same = matching.find(s => JSON.stringify(s.observed) === seen);
    if (same) {
      return same;
    }
  }
  return matching[0];
}

/** What the server is asked to find a card's surprise with: its id, its prediction, or its note. */
export function lookupQuery(ref: ISurpriseRef): Record<string, string> {
  if (ref.id !== null && ref.id !== undefined) {
    return { id: String(ref.id) };
  }
  if (ref.prediction_id) {
    return { prediction_id: ref.prediction_id };
  }
  if (ref.prediction) {
    return ref.hypothesis_id ? { hypothesis_id: ref.hypothesis_id, prediction: ref.prediction } : { prediction: ref.prediction };
  }
  return ref.note ? { note: ref.note } : {};
}

/** What was seen, in words, for a prediction judged by hand: its one observed value, the text named ``observed``; else null. */
export function observedWords(s: { observed?: Record<string, any> | null; kind?: string; manual?: boolean }): string | null {
  const observed = s.observed ?? {};
  const names = Object.keys(observed);
  if (s.manual || s.kind === 'drift') {
    return null;
  }
  if (names.length === 1 && names[0] === 'observed' && observed.observed?.type === 'str') {
    return String(observed.observed.value ?? '');
  }
  return null;
}
