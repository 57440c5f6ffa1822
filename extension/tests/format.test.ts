import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { describeObserved, fileName, firstLine, formatBits, relativeTime } from '../lib/format';
import { formatGeneral, pythonRepr, shortFloat } from '../lib/pytext';
import { pagesFor, visibleRows } from '../lib/range';

test('surprisal and observed values read naturally', () => {
  assert.equal(formatBits(3.321928), '3.32 bits');
  assert.equal(formatBits(null), 'flagged');
  assert.equal(
    describeObserved({ loss: { type: 'float', value: 0.421337 }, pattern: { type: 'torch.Tensor', dtype: 'float32', shape: [1, 4] } }),
    'loss = 0.4213, pattern = float32 [1, 4]'
  );
});

test('first lines skip blank lines and are cut to width', () => {
  assert.equal(firstLine('\n\nx = 1\ny = 2'), 'x = 1');
  assert.equal(firstLine('a'.repeat(100), 10), 'aaaaaaaaa…');
});

test('relative times', () => {
  const now = new Date('2026-11-25T10:00:00Z').getTime();
  assert.equal(relativeTime('2026-11-25T09:59:30Z', now), '30 s ago');
  assert.equal(relativeTime('2026-11-25T09:00:00Z', now), '1 h ago');
  assert.equal(relativeTime('2026-11-20T09:00:00Z', now), '2026-11-20');
});

test('only the rows in view (and a margin) are drawn, even among 100,000', () => {
  assert.deepEqual(visibleRows(0, 240, 24, 100000, 5), { first: 0, last: 15 });
  assert.deepEqual(visibleRows(24 * 50000, 240, 24, 100000, 5), { first: 49995, last: 50015 });
  assert.deepEqual(visibleRows(24 * 99995, 240, 24, 100000, 5), { first: 99990, last: 99999 });
  assert.deepEqual(visibleRows(0, 240, 24, 0), { first: 0, last: -1 });
});

test('rows map to the pages to fetch', () => {
  assert.deepEqual(pagesFor({ first: 95, last: 210 }, 100), [0, 1, 2]);
  assert.deepEqual(pagesFor({ first: 0, last: -1 }, 100), []);
});

test('a notebook is named by its file name, without folder or extension', () => {
  assert.equal(fileName('/tmp/eyes-project/copying_heads.ipynb'), 'copying_heads');
  assert.equal(fileName('notes\\probe.ipynb'), 'probe');
  assert.equal(fileName('script.py'), 'script.py');
});

/** Observed values and the line Python's describe_observed writes for each (tests/unit/test_text.py reads them too). */
const OBSERVED_CASES: { observed: Record<string, any>; text: string }[] = JSON.parse(
  readFileSync(join(__dirname, '..', '..', '..', 'tests', 'support', 'observed_text_cases.json'), 'utf8')
).cases;

test('observed values read word for word as the Python logbook writes them', () => {
  assert.ok(OBSERVED_CASES.length >= 20);
  for (const { observed, text } of OBSERVED_CASES) {
    assert.equal(describeObserved(observed), text, JSON.stringify(observed));
  }
});

test('floats are cut to 4 significant digits as Python cuts them, ties to even', () => {
  assert.deepEqual(
    [12345, 12355, 0.000123456, 1e-5, 123456789, 2.5, -0.5, 99995, 0].map(x => formatGeneral(x)),
    ['1.234e+04', '1.236e+04', '0.0001235', '1e-05', '1.235e+08', '2.5', '-0.5', '1e+05', '0']
  );
  assert.deepEqual([2, 0.1, 1e16, NaN].map(shortFloat), ['2.0', '0.1', '1e+16', 'nan']);
});

test('plain values are spelled as Python\'s repr spells them', () => {
  assert.deepEqual(
    [null, true, 3, 0.1, 1e-7, 'it\'s', 'a"b\'c', [1, 'x'], { k: false }].map(v => pythonRepr(v)),
    ['None', 'True', '3', '0.1', '1e-07', '"it\'s"', "'a\"b\\'c'", "[1, 'x']", "{'k': False}"]
  );
  assert.equal(pythonRepr(2, true), '2.0');
});
