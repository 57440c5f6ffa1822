import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  giveWay,
  giveWayChoices,
  isMoot,
  proposalLine,
  rivalsToOffer,
  setParts,
  share,
  shortfallNudge
} from '../sidebar/setformat';

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
  // Credences moved since it was proposed: the line shows what accepting it writes now.
  const now = { before: { H1: 0.0, H2: 0.6, else: 0.4 }, after: { H1: 0.0, H2: 0.68, else: 0.32 }, ratio: 1.4 };
  assert.equal(proposalLine({ ...base, before, after, ratio: 3.14, now }), 'H2 0.60 → 0.68, likelihood ratio 1.4');
});

test('a member moved on its card may take from its fellow members or something else, never from itself or another set', () => {
  const all = [
    { id: 'H1', set_id: 1 },
    { id: 'H2', set_id: 1 },
    { id: 'H3', set_id: 2 },
    { id: 'H4', set_id: null },
    { id: 'H5' }
  ];
  assert.deepEqual(
    giveWayChoices('H1', 1, all).map(c => [c.id, c.label]),
    [
      ['H2', 'H2'],
      ['else', 'something else']
    ]
  );
  assert.equal(giveWay(''), null);
  assert.deepEqual(giveWay('H2'), ['H2']);
});

test('a brainstorm below its target asks for more; at or past it, nothing', () => {
  assert.equal(shortfallNudge(2, 4), '2 of 4: one more?');
  assert.equal(shortfallNudge(0, 5), '0 of 5: one more?');
  assert.equal(shortfallNudge(4, 4), null);
  assert.equal(shortfallNudge(6, 4), null);
});

test('a past brainstorm offers to make rivals of its hypotheses in no set, two or more of them', () => {
  const sets: Record<string, number | null> = { H1: null, H2: 3, H3: null };
  assert.deepEqual(rivalsToOffer(['H1', 'H2', 'H3'], id => sets[id]), ['H1', 'H3']);
  assert.deepEqual(rivalsToOffer(['H1', 'H2'], id => sets[id]), []);
  assert.deepEqual(rivalsToOffer(['H4', 'H5'], () => undefined), ['H4', 'H5']);
});

test('a proposal that would move no credence as shown is moot; one that moves any is not', () => {
  const base = { id: 1, prediction_id: 'H1.P1', set_id: null, hypothesis_id: 'H1', held: false, ratio: 0.4 };
  assert.equal(isMoot({ ...base, before: { H1: 0 }, after: { H1: 0 } }), true);
  assert.equal(isMoot({ ...base, before: { H1: 0.5 }, after: { H1: 0.502 } }), true);
  assert.equal(isMoot({ ...base, before: { H1: 0.5 }, after: { H1: 0.29 } }), false);
  // Judged from the credences as they are now, when they moved since the proposal was made.
  const refuted = { before: { H1: 0, H2: 0.6 }, after: { H1: 0, H2: 0.6 }, ratio: 0.4 };
  assert.equal(isMoot({ ...base, before: { H1: 0.5, H2: 0.3 }, after: { H1: 0.29, H2: 0.4 }, now: refuted }), true);
});
