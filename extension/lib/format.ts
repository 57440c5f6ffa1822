/** Text formatting shared by the sidebar and the surprise card. */

import { pythonRepr, shortFloat } from './pytext';
import { elapsedSeconds, IBrainstormClock } from './timer';

export interface ISummary {
  type?: string;
  value?: unknown;
  shape?: number[];
  dtype?: string;
  mean?: number | string;
  repr?: string;
  len?: number;
}

export function formatBits(bits: number | null | undefined): string {
  return bits === null || bits === undefined ? 'flagged' : `${bits.toFixed(2)} bits`;
}

export function formatCredence(credence: number): string {
  return credence.toFixed(2);
}

/** Whether a summary's number is a float, though JSON wrote it whole (``2.0`` reads back as 2). */
function isFloatSummary(s: ISummary): boolean {
  return /float/.test(s.type ?? '') || /float/.test(s.dtype ?? '');
}

/**
 * "loss = 0.42, pattern = float32 [1, 4, 12, 12] mean 0.08" from summaries recorded by the kernel,
 * word for word as ``describe_observed`` in ``logbook/text.py`` writes it.
 */
export function describeObserved(observed: Record<string, ISummary>): string {
  return Object.entries(observed)
    .map(([name, s]) => {
      let shown: string;
      if ('value' in s) {
        const isFloat = typeof s.value === 'number' && (!Number.isInteger(s.value) || isFloatSummary(s));
        shown = isFloat ? shortFloat(s.value as number) : pythonRepr(s.value);
      } else if ('shape' in s) {
        shown = `${'dtype' in s ? pythonText(s.dtype) : ''} ${pythonRepr(s.shape)}`.trim();
        if (typeof s.mean === 'number') {
          shown += ` mean ${shortFloat(s.mean)}`;
        }
      } else {
        shown = s.repr || ('type' in s ? pythonText(s.type) : '?');
      }
      return `${name} = ${shown}`;
    })
    .join(', ');
}

/** Python's ``str`` of a value read from JSON. */
function pythonText(value: unknown): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

export function firstLine(source: string, width = 80): string {
  const line = source.split('\n').find(l => l.trim() !== '') ?? '';
  return line.length > width ? line.slice(0, width - 1) + '…' : line;
}

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function relativeTime(iso: string, nowMs: number): string {
  const seconds = Math.round((nowMs - new Date(iso).getTime()) / 1000);
  if (seconds < 60) {
    return `${Math.max(0, seconds)} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  return iso.slice(0, 10);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min`;
  }
  return `${(seconds / 3600).toFixed(1)} h`;
}

/** The points of a sparkline of ``values`` (0 to 1) drawn in a ``width`` x ``height`` box. */
export function sparklinePoints(values: number[], width: number, height: number): string {
  if (!values.length) {
    return '';
  }
  const series = values.length === 1 ? [values[0], values[0]] : values;
  const step = width / (series.length - 1);
  const y = (v: number) => (height - 1 - Math.min(1, Math.max(0, v)) * (height - 2)).toFixed(1);
  return series.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(' ');
}

/**
 * Code cut into pieces that may wrap between them: after dots, commas, brackets
 * and spaces, never inside an identifier or a number.
 */
export function breakableSegments(code: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < code.length; i++) {
    const here = code[i];
    const next = code[i + 1] ?? '';
    const breakAfter =
      (/\s/.test(here) && !/\s/.test(next)) || /[,([]/.test(here) || (here === '.' && /[A-Za-z_]/.test(next));
    if (breakAfter && next) {
      pieces.push(code.slice(start, i + 1));
      start = i + 1;
    }
  }
  if (start < code.length) {
    pieces.push(code.slice(start));
  }
  return pieces;
}

/** ``text`` cut into plain and matching pieces for the search ``words`` (matched at the start of a token). */
export function highlightPieces(text: string, words: string[]): { text: string; match: boolean }[] {
  const wanted = words.filter(w => w.trim()).map(w => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  if (!wanted.length) {
    return text ? [{ text, match: false }] : [];
  }
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])(?:${wanted.join('|')})[\\p{L}\\p{N}]*`, 'giu');
  const pieces: { text: string; match: boolean }[] = [];
  let last = 0;
  for (const found of text.matchAll(pattern)) {
    const start = found.index ?? 0;
    if (start > last) {
      pieces.push({ text: text.slice(last, start), match: false });
    }
    pieces.push({ text: found[0], match: true });
    last = start + found[0].length;
  }
  if (last < text.length) {
    pieces.push({ text: text.slice(last), match: false });
  }
  return pieces;
}

/** Terminal colour codes removed from a traceback. */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*[A-Za-z]/g, '');
}

/** "4 of 4 hypotheses in 4:31 (of 5:00)" for a finished brainstorm: hypotheses of the target, time taken of time planned. */
export function brainstormTiming(b: IBrainstormClock & { target: number; hypothesis_ids: string[] }, nowMs = Date.now()): string {
  const seconds = elapsedSeconds(b, nowMs);
  const clock = (s: number) => `${Math.floor(Math.round(s) / 60)}:${String(Math.round(s) % 60).padStart(2, '0')}`;
  return `${b.hypothesis_ids.length} of ${b.target} hypotheses in ${clock(seconds)} (of ${clock(b.planned_seconds)})`;
}

/** A notebook's file name without its folder and ``.ipynb``: "copying_heads". */
export function fileName(path: string): string {
  return (path.split(/[\\/]/).pop() ?? path).replace(/\.ipynb$/, '');
}
