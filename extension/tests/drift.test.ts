import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { driftValue, earlierValues, readers, summaryText } from '../lib/driftformat';

test('a drift names the value now and each earlier run it was compared with', () => {
  assert.equal(driftValue(-0.123456), '-0.1235');
  assert.equal(driftValue(2), '2');
  assert.equal(driftValue([4, 5]), '[4, 5]');
  assert.equal(driftValue(null), '—');
  const earlier = [1, 2, 3, 4, 5, 6].map(i => ({ experiment_id: i, value: i / 10 }));
  assert.equal(earlierValues({ earlier: earlier.slice(0, 2) }), '0.1 (#1), 0.2 (#2)');
  assert.equal(earlierValues({ earlier }, 2), '4 more, 0.5 (#5), 0.6 (#6)');
  assert.equal(readers({ hypotheses: ['H1', 'H3'] }), 'read by H1, H3');
  assert.equal(readers({ hypotheses: [] }), 'no prediction reads it');
});

test('the history reads a summary in one line: its value, its elements or its statistics', () => {
  assert.equal(summaryText({ type: 'float', value: 0.42 }), '0.42');
  assert.equal(summaryText({ type: 'numpy.ndarray', dtype: 'float64', shape: [2], values: [1, -2], nan: 0 }), 'float64 [2] [1, -2]');
  assert.equal(summaryText({ type: 'torch.Tensor', dtype: 'float32', shape: [64, 4], mean: 0.5, min: 0, max: 1, nan: 3 }), 'float32 [64, 4] mean 0.5 min 0 max 1 (nan 3)');
  assert.equal(summaryText(null), '—');
  assert.equal(summaryText({ type: 'Model', repr: '<Model object>' }), '<Model object>');
});
