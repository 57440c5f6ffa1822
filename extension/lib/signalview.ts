/** How a surprise's evidence reads in the DOM: the values that decided it, and how it was closed. Text only. */

import { code, el } from './dom';
import { resolutionWords } from './feedstate';
import { resolvedLine, stepLines } from './signalformat';
import { ISurprise } from './types';

/**
 * The values that decided a verdict, as pytest shows a failing assert: one monospace line per step
 * (``head_scores.max() → 0.3``, then ``0.3 > 0.5 → False``), wrapping between tokens. Null when there are none.
 */
export function stepsView(raw: unknown): HTMLElement | null {
  const lines = stepLines(raw);
  if (!lines.length) {
    return null;
  }
  const box = el('div', 'jp-Logbook-steps');
  box.setAttribute('role', 'list');
  box.setAttribute('aria-label', 'The values that decided the verdict');
  for (const line of lines) {
    const step = code(line, 'jp-Logbook-step');
    step.setAttribute('role', 'listitem');
    box.append(step);
  }
  return box;
}

/** "resolved: explained by ana — a corrupted shard" under a card whose surprise was closed; null while open. */
export function resolvedView(s: ISurprise | null): HTMLElement | null {
  const line = s ? resolvedLine(s, resolutionWords(s)) : '';
  return line ? el('div', 'jp-Logbook-resolvedLine', line) : null;
}
