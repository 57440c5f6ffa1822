import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { describeObserved, fileName, firstLine, formatBits, relativeTime } from '../lib/format';
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
