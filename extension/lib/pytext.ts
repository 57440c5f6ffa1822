/**
 * Values spelled the way the logbook's Python spells them (``logbook/text.py``):
 * ``repr`` of plain values and ``short_float``, so the sidebar and a report
 * write the same text for the same value.
 */

/** ``value`` to ``digits`` significant digits as Python's ``format(value, '.4g')`` writes it (ties to even). */
export function formatGeneral(value: number, digits = 4): string {
  if (Number.isNaN(value)) {
    return 'nan';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? 'inf' : '-inf';
  }
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  if (value === 0) {
    return `${sign}0`;
  }
  // The exact decimal digits of the double (up to 100 of them), rounded here half to even as Python does.
  const [mantissa, power] = Math.abs(value).toExponential(99).split('e');
  const all = mantissa.replace('.', '');
  let exponent = Number(power);
  let kept = all.slice(0, digits);
  const rest = all.slice(digits);
  const up = rest[0] > '5' || (rest[0] === '5' && (/[1-9]/.test(rest.slice(1)) || Number(kept[kept.length - 1]) % 2 === 1));
  if (up) {
    kept = (BigInt(kept) + 1n).toString();
    if (kept.length > digits) {
      kept = kept.slice(0, digits);
      exponent += 1;
    }
  }
  if (exponent >= -4 && exponent < digits) {
    const text = exponent >= 0 ? `${kept.slice(0, exponent + 1)}.${kept.slice(exponent + 1)}` : `0.${'0'.repeat(-exponent - 1)}${kept}`;
    return sign + text.replace(/\.?0+$/, '');
  }
  const head = `${kept[0]}.${kept.slice(1)}`.replace(/\.?0+$/, '');
  const magnitude = String(Math.abs(exponent)).padStart(2, '0');
  return `${sign}${head}e${exponent < 0 ? '-' : '+'}${magnitude}`;
}

/** ``value`` to 4 significant digits, still looking like a float: ``2.0``, ``0.1235``, ``1.234e+04``. */
export function shortFloat(value: number): string {
  const shown = formatGeneral(value, 4);
  return /[.einf]/.test(shown) ? shown : `${shown}.0`;
}

/** Python's ``repr`` of a string: single quotes unless it holds one and no double quote. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'";
  let body = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (char === '\\' || char === quote) {
      body += `\\${char}`;
    } else if (char === '\n') {
      body += '\\n';
    } else if (char === '\r') {
      body += '\\r';
    } else if (char === '\t') {
      body += '\\t';
    } else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
      body += `\\x${code.toString(16).padStart(2, '0')}`;
    } else {
      body += char;
    }
  }
  return quote + body + quote;
}

/** Python's ``repr`` of a float: the shortest text that reads back, in exponent form beyond 1e16 or below 1e-4. */
function pythonFloatRepr(value: number): string {
  if (!Number.isFinite(value)) {
    return formatGeneral(value);
  }
  const size = Math.abs(value);
  if (size !== 0 && (size >= 1e16 || size < 1e-4)) {
    return value.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  }
  return Number.isInteger(value) ? `${value.toFixed(0)}.0` : String(value);
}

/**
 * Python's ``repr`` of a value read from JSON. A JSON number has no kind: it
 * is spelled as a float when ``isFloat`` says so or it has a fraction.
 */
export function pythonRepr(value: unknown, isFloat = false): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (typeof value === 'number') {
    return isFloat || !Number.isInteger(value) ? pythonFloatRepr(value) : String(value);
  }
  if (typeof value === 'string') {
    return pythonStringRepr(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map(item => pythonRepr(item)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).map(([key, item]) => `${pythonStringRepr(key)}: ${pythonRepr(item)}`);
    return `{${items.join(', ')}}`;
  }
  return String(value);
}
