/**
 * Two experiments side by side, as text (no DOM): the source as a line diff, each statistic old → new
 * with its change, the verdicts that changed, the outputs paired by position, and the two ids a user
 * types. The compare view (compare.ts) only draws these.
 */

import { diffLines, diffWordsWithSpace } from 'diff';

import { driftValue } from '../lib/driftformat';
import { IOutput, IStatChange, IValueComparison, IVerdictComparison } from '../lib/types';

/** A piece of a changed line: ``changed`` is the part that differs from its partner line. */
export interface IPiece {
  text: string;
  changed: boolean;
}

/** One line of a source diff: kept, removed (from the old) or added (in the new), with its numbers. */
export interface IDiffLine {
  kind: 'same' | 'del' | 'add';
  text: string;
  oldNo: number | null;
  newNo: number | null;
  /** For a removed line paired with an added one (or back): the words that differ, marked. */
  pieces?: IPiece[];
}

/** Unchanged lines left out of a diff: ``count`` of them, shown on request. */
export interface IFold {
  kind: 'fold';
  count: number;
  lines: IDiffLine[];
}

const lines = (text: string): string[] => {
  const split = text.split('\n');
  return split[split.length - 1] === '' ? split.slice(0, -1) : split;
};

/**
 * The old source against the new, line by line: every line kept, removed or added, numbered in each.
 * A run of removed lines followed by as many added ones is paired line by line, the words that
 * changed marked in both.
 */
export function sourceDiff(oldSource: string, newSource: string): IDiffLine[] {
  const end = (s: string) => (s === '' || s.endsWith('\n') ? s : `${s}\n`);
  const rows: IDiffLine[] = [];
  let [oldNo, newNo] = [1, 1];
  for (const change of diffLines(end(oldSource), end(newSource))) {
    for (const text of lines(change.value)) {
      if (change.added) {
        rows.push({ kind: 'add', text, oldNo: null, newNo: newNo++ });
      } else if (change.removed) {
        rows.push({ kind: 'del', text, oldNo: oldNo++, newNo: null });
      } else {
        rows.push({ kind: 'same', text, oldNo: oldNo++, newNo: newNo++ });
      }
    }
  }
  pairChangedLines(rows);
  return rows;
}

/** Mark the changed words of each removed line that an added line replaces one for one. */
function pairChangedLines(rows: IDiffLine[]): void {
  let i = 0;
  while (i < rows.length) {
    if (rows[i].kind !== 'del') {
      i++;
      continue;
    }
    const dels: IDiffLine[] = [];
    while (i < rows.length && rows[i].kind === 'del') {
      dels.push(rows[i++]);
    }
    const adds: IDiffLine[] = [];
    while (i < rows.length && rows[i].kind === 'add') {
      adds.push(rows[i++]);
    }
    if (dels.length !== adds.length) {
      continue;
    }
    dels.forEach((del, n) => {
      const add = adds[n];
      del.pieces = [];
      add.pieces = [];
      for (const part of diffWordsWithSpace(del.text, add.text)) {
        if (!part.added) {
          del.pieces.push({ text: part.value, changed: part.removed });
        }
        if (!part.removed) {
          add.pieces.push({ text: part.value, changed: part.added });
        }
      }
    });
  }
}

/** How many lines were added and removed. */
export function diffCounts(rows: IDiffLine[]): { added: number; removed: number } {
  return { added: rows.filter(r => r.kind === 'add').length, removed: rows.filter(r => r.kind === 'del').length };
}

/**
 * The diff with long unchanged stretches folded: ``context`` lines are kept next to each change, and a
 * fold stands for the rest (a fold of one line is not worth a click: that line stays).
 */
export function foldUnchanged(rows: IDiffLine[], context = 3): (IDiffLine | IFold)[] {
  const near = rows.map(() => false);
  rows.forEach((row, i) => {
    if (row.kind !== 'same') {
      for (let j = Math.max(0, i - context); j <= Math.min(rows.length - 1, i + context); j++) {
        near[j] = true;
      }
    }
  });
  const shown: (IDiffLine | IFold)[] = [];
  let i = 0;
  while (i < rows.length) {
    if (near[i]) {
      shown.push(rows[i++]);
      continue;
    }
    const start = i;
    while (i < rows.length && !near[i]) {
      i++;
    }
    const hidden = rows.slice(start, i);
    shown.push(...(hidden.length > 1 ? [{ kind: 'fold' as const, count: hidden.length, lines: hidden }] : hidden));
  }
  return shown;
}

/** A signed number as people read a change: "+0.375", "−2", "+1.2e-05". */
export function signed(value: number): string {
  const text = driftValue(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `−${text}` : '±0';
}

/** The change of a statistic: "+0.375, +300%" (the percentage only beside a number that was not 0). */
export function changeText(s: Pick<IStatChange, 'delta' | 'relative' | 'changed'>): string {
  if (!s.changed) {
    return 'same';
  }
  if (s.delta === null) {
    return 'changed';
  }
  if (s.relative === null || !Number.isFinite(s.relative)) {
    return signed(s.delta);
  }
  const percent = s.relative * 100;
  const rounded = Math.abs(percent) >= 10 ? Math.round(percent) : Number(percent.toPrecision(2));
  return `${signed(s.delta)}, ${rounded > 0 ? '+' : rounded < 0 ? '−' : '±'}${Math.abs(rounded)}%`;
}

/** A summary field as text: a number to four figures, a shape "[4, 16]", a text quoted when short. */
export function fieldText(value: unknown): string {
  if (value === null || value === undefined) {
    return '—';
  }
  if (Array.isArray(value)) {
    return `[${value.map(fieldText).join(', ')}]`;
  }
  if (typeof value === 'string') {
    const short = value.length > 40 ? `${value.slice(0, 39)}…` : value;
    return JSON.stringify(short);
  }
  return driftValue(value);
}

/** One statistic in a line: "mean 0.125 → 0.5 (+0.375, +300%)"; unchanged: "norm 2". */
export function statLine(s: IStatChange): string {
  if (!s.changed) {
    return `${s.stat} ${fieldText(s.new)}`;
  }
  return `${s.stat} ${fieldText(s.old)} → ${fieldText(s.new)} (${changeText(s)})`;
}

/** What a value is: "torch.Tensor float32 [4, 16] cpu"; "int". */
export function kindText(s: Record<string, any> | null): string {
  if (!s) {
    return '—';
  }
  return [s.type, s.dtype, Array.isArray(s.shape) ? fieldText(s.shape) : '', s.device].filter(Boolean).join(' ');
}

/**
 * The lines that say how a value changed, changes first: its kind or shape old → new, each statistic
 * that moved, then the fields that differ without a statistic (a tensor's values). ``same`` is the
 * statistics that stayed, in one line.
 */
export function valueChangeLines(v: IValueComparison): { changed: string[]; same: string } {
  const changed: string[] = [];
  if (v.change === 'added' || v.change === 'removed') {
    const side = v.change === 'added' ? v.new : v.old;
    return { changed: [`${v.change}: ${kindText(side)}`], same: v.stats.map(s => `${s.stat} ${fieldText(v.change === 'added' ? s.new : s.old)}`).join(', ') };
  }
  if (v.kind_changed) {
    changed.push(`${kindText(v.old)} → ${kindText(v.new)}`);
  } else if (v.shape_changed) {
    changed.push(`shape ${fieldText(v.old?.shape)} → ${fieldText(v.new?.shape)}`);
  }
  changed.push(...v.stats.filter(s => s.changed).map(statLine));
  const told = new Set(['shape', 'type', 'dtype', 'device', ...v.stats.map(s => s.stat)]);
  const rest = v.differs.filter(field => !told.has(field));
  if (rest.length) {
    changed.push(`also different: ${rest.join(', ')}`);
  }
  return { changed, same: v.stats.filter(s => !s.changed).map(statLine).join(', ') };
}

/** A verdict change in words, with the experiments: "held on #3, failed on #5". */
export function verdictWords(v: IVerdictComparison, oldId: number, newId: number): string {
  switch (v.change) {
    case 'held_to_failed':
      return `held on #${oldId}, failed on #${newId}`;
    case 'failed_to_held':
      return `failed on #${oldId}, held on #${newId}`;
    case 'only_old':
      return `${v.old} on #${oldId}, not judged on #${newId}`;
    case 'only_new':
      return `not judged on #${oldId}, ${v.new} on #${newId}`;
    default:
      return `${v.new} on both`;
  }
}

/** How many values and verdicts changed: for the parts' headings. */
export function changeCounts(values: IValueComparison[], verdicts: IVerdictComparison[]): { values: number; verdicts: number; broke: number } {
  return {
    values: values.filter(v => v.change !== 'same').length,
    verdicts: verdicts.filter(v => v.change !== 'same').length,
    broke: verdicts.filter(v => v.change === 'held_to_failed').length
  };
}

/** The outputs of both experiments paired by position; ``same`` when the bytes are equal. */
export function outputPairs(
  old: IOutput[],
  now: IOutput[]
): { position: number; old: IOutput | null; new: IOutput | null; same: boolean }[] {
  return Array.from({ length: Math.max(old.length, now.length) }, (_, position) => {
    const [a, b] = [old[position] ?? null, now[position] ?? null];
    return { position, old: a, new: b, same: a !== null && b !== null && a.sha256 === b.sha256 };
  });
}

/** An experiment id as a person types it ("12", "#12", " 12 "), or why it is not one. */
export function parseExperimentId(text: string): number | string {
  const trimmed = text.trim().replace(/^#/, '');
  if (!trimmed) {
    return 'an experiment id is missing';
  }
  if (!/^\d+$/.test(trimmed) || !Number.isSafeInteger(Number(trimmed))) {
    return `"${text.trim().slice(0, 20)}" is not an experiment id (a whole number, such as 12)`;
  }
  return Number(trimmed);
}

/** Two ids as a person types them (old, then new); or why they cannot be compared. */
export function parseExperimentPair(first: string, second: string): { ids: [number, number] } | { error: string } {
  const [a, b] = [parseExperimentId(first), parseExperimentId(second)];
  for (const parsed of [a, b]) {
    if (typeof parsed === 'string') {
      return { error: parsed.charAt(0).toUpperCase() + parsed.slice(1) };
    }
  }
  if (a === b) {
    return { error: `Choose two different experiments: both are #${a}` };
  }
  return { ids: [a as number, b as number] };
}

/** Older (the smaller id) first: the old run of a comparison, then the new. */
export function orderedPair(a: number, b: number): [number, number] {
  return a < b ? [a, b] : [b, a];
}
