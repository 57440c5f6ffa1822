import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { proposalLine, setParts, share } from '../setformat';

test('a set reads as its members then something else, each with its share', () => {
  const parts = setParts({ id: 1, question: 'q', credences: { H1: 0.5, H2: 0.4 }, something_else: 0.1 });
  assert.deepEqual(
    parts.map(p => [p.id, p.label, share(p.share)]),
    [
      ['H1', 'H1', '0.50'],
      ['H2', 'H2', '0.40'],
      ['else', 'something else', '0.10']
    ]
  );
});

test('a proposal line names the hypothesis judged, before → after, and the likelihood ratio', () => {
  const base = { id: 3, prediction_id: 'H2.P1', set_id: 1, hypothesis_id: 'H2', held: true };
  const before = { H1: 0.5, H2: 0.4, else: 0.1 };
  const after = { H1: 0.2, H2: 0.62, else: 0.18 };
  assert.equal(proposalLine({ ...base, before, after, ratio: 3.14 }), 'H2 0.40 → 0.62, likelihood ratio 3.1');
  assert.equal(proposalLine({ ...base, before, after, ratio: null }), 'H2 0.40 → 0.62');
});
