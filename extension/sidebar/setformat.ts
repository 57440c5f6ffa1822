/** Competing sets and proposed updates as words: pure functions, tested on their own (extension/tests/sets.test.ts). */

/** A competing set as ``GET sets`` answers it (``logbook.models.CompetingSet``). */
export interface ICompetingSet {
  id: number;
  question: string;
  credences: Record<string, number>;
  something_else: number;
  nudge?: string | null;
}

export const ELSE = 'else';

/** The set's parts in order, members then something else, each with its share of 1. */
export function setParts(s: ICompetingSet): { id: string; label: string; share: number }[] {
  return [
    ...Object.entries(s.credences).map(([id, share]) => ({ id, label: id, share })),
    { id: ELSE, label: 'something else', share: s.something_else }
  ];
}

/** "0.40" for a share. */
export const share = (value: number): string => value.toFixed(2);

/** An open proposal as ``GET proposals`` answers it (``logbook.models.Proposal``). */
export interface IProposal {
  id: number;
  prediction_id: string;
  set_id: number | null;
  hypothesis_id: string | null;
  held: boolean;
  before: Record<string, number>;
  after: Record<string, number>;
  ratio: number | null;
  /** For an open proposal whose credences moved since it was made: what accepting it writes now. */
  now?: { before: Record<string, number>; after: Record<string, number>; ratio: number | null } | null;
}

/**
 * "H2 0.40 → 0.62, likelihood ratio 3.1": the move of the hypothesis the verdict was about, from the credences as
 * they are now (what accepting it writes) when they moved since the proposal was made.
 */
export function proposalLine(p: IProposal): string {
  const update = p.now ?? p;
  const who = p.hypothesis_id ?? Object.keys(update.before)[0];
  const move = `${who} ${(update.before[who] ?? 0).toFixed(2)} → ${(update.after[who] ?? 0).toFixed(2)}`;
  return update.ratio === null ? move : `${move}, likelihood ratio ${update.ratio.toFixed(1)}`;
}

/**
 * Whether accepting ``p`` would move no credence as the sidebar shows them (two decimals): a refuted
 * hypothesis's 0.00 → 0.00, say. Such a proposal is left out of the inbox; it stays open in the record.
 */
export function isMoot(p: IProposal): boolean {
  const update = p.now ?? p;
  return Object.entries(update.after).every(([who, after]) => Math.abs(after - (update.before[who] ?? 0)) < 0.005);
}

/** Who may give way when ``id`` moves in its set: its fellow members (of ``all``, the hypotheses known) and something else. */
export function giveWayChoices(id: string, setId: number, all: { id: string; set_id?: number | null }[]): { id: string; label: string }[] {
  return [
    ...all.filter(h => h.set_id === setId && h.id !== id).map(h => ({ id: h.id, label: h.id })),
    { id: ELSE, label: 'something else' }
  ];
}

/** The ``give_way`` of ``POST sets/{id}``: null (the others, in proportion) for the empty choice, else the one named. */
export const giveWay = (choice: string): string[] | null => (choice ? [choice] : null);

/** "2 of 4: one more?" (one at a time) when a brainstorm has fewer hypotheses than its target; null when it has enough. */
export function shortfallNudge(written: number, target: number): string | null {
  if (written >= target) {
    return null;
  }
  return `${written} of ${target}: one more?`;
}

/**
 * The hypotheses of a past brainstorm that "Make these rivals" puts in one competing set: those in no set
 * yet, when there are two or more (one alone against "something else" is no rivalry).
 */
export function rivalsToOffer(ids: string[], setOf: (id: string) => number | null | undefined): string[] {
  const free = ids.filter(id => (setOf(id) ?? null) === null);
  return free.length >= 2 ? free : [];
}
