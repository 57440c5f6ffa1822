/** Reading what the researcher types: a hypothesis with its credence, "Layer 1 does induction @0.6". */

export interface IEntry {
  statement: string;
  credence: number | null;
  error: string | null;
}

const SUFFIX = /(?:^|\s)@\s*(\d+(?:\.\d*)?|\.\d+)\s*(%?)\s*$/;

/**
 * A statement and the credence typed after an ``@`` at its end: ``@0.6``,
 * ``@.6``, ``@60%`` and ``@60`` all mean 0.6. Without one the credence is null.
 * A fraction above 1 without ``%`` (``@1.5``) is refused rather than guessed:
 * 1.5% and 0.015 are both far from what was likely meant.
 */
export function parseEntry(text: string): IEntry {
  const match = SUFFIX.exec(text);
  if (!match) {
    return { statement: text.trim(), credence: null, error: null };
  }
  const statement = text.slice(0, match.index).trim();
  const value = Number(match[1]);
  const credence = match[2] === '%' || value > 1 ? value / 100 : value;
  if (!statement) {
    return { statement, credence: null, error: 'write the hypothesis before its credence' };
  }
  if (match[2] !== '%' && value > 1 && !Number.isInteger(value)) {
    return { statement, credence: null, error: `credence ${match[1]} is above 1: write it between 0 and 1, or as a percentage (${match[1]}%)` };
  }
  if (!(credence >= 0 && credence <= 1)) {
    return { statement, credence: null, error: `credence ${match[1]}${match[2]} is not between 0 and 1 (or 0 and 100%)` };
  }
  return { statement, credence: Math.round(credence * 1000) / 1000, error: null };
}

/** A credence typed on its own: "0.6", ".6", "60%" or "60". */
export function parseCredence(text: string): number | null {
  const parsed = parseEntry(`x @${text.trim()}`);
  return parsed.error ? null : parsed.credence;
}
