import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  bulkSummary,
  combineAnswers,
  driftMoves,
  envelopeText,
  firstMoves,
  lookupQuery,
  matchesRef,
  movesSummary,
  observedWords,
  pickSurprise,
  readSteps,
  resolvedLine,
  runsWords,
  stepLines
} from '../lib/signalformat';

const move = (name: string, part: string, change = 'changed sign') => ({
  name,
  part,
  change,
  value: 1,
  earlier: [],
  hypotheses: [],
  cell_key: 'k'
});

test('the values that decided a verdict read as pytest shows a failing assert', () => {
  const steps = [
    { text: 'head_scores.max()', value: '0.3' },
    { text: '0.3 > 0.5', value: 'False' }
  ];
  assert.deepEqual(stepLines(steps), ['head_scores.max() → 0.3', '0.3 > 0.5 → False']);
  assert.deepEqual(stepLines(JSON.stringify(steps)), ['head_scores.max() → 0.3', '0.3 > 0.5 → False']);
  // An older server, or a broken value: nothing, never an exception.
  assert.deepEqual(readSteps(undefined), []);
  assert.deepEqual(readSteps('not json'), []);
  assert.deepEqual(readSteps([null, { value: '1' }, { text: 'x', value: 2 }]), [{ text: 'x', value: '2' }]);
});

test('a surprise that failed again says how many runs it stands for', () => {
  assert.equal(runsWords({ runs: 3 }), 'failed again · 3 runs');
  assert.equal(runsWords({ runs: 1 }), '');
  assert.equal(runsWords({}), '');
});

test('a drift lists every part that moved, an older one its one value', () => {
  const first = move('scores', '[1, 3]');
  const drift = { ...first, moves: [first, move('acts', ".mean", 'moved 12 spreads'), move('loss', '')] };
  assert.equal(driftMoves(drift).length, 3);
  assert.equal(movesSummary(drift), '3 values moved: scores[1, 3], acts.mean, loss');
  assert.equal(movesSummary({ ...first }), 'scores[1, 3] changed sign');
  assert.deepEqual(driftMoves({ ...first, moves: [] }).map(m => m.name), ['scores']);
  assert.deepEqual(driftMoves(null), []);
  assert.equal(movesSummary({ ...first, moves: [1, 2, 3, 4, 5].map(i => move(`v${i}`, '')) }), '5 values moved: v1, v2, v3, …');
  // The first few, then "and N more"; never "and 1 more".
  assert.deepEqual(firstMoves([1, 2, 3, 4, 5, 6]), { first: [1, 2, 3], more: 3 });
  assert.deepEqual(firstMoves([1, 2, 3, 4]), { first: [1, 2, 3, 4], more: 0 });
});

test('an expected value shows the change marked normal', () => {
  assert.equal(envelopeText({ label: 'scores[1, 3]', envelope: 0.02 }), 'scores[1, 3] ± 0.02');
  assert.equal(envelopeText({ label: 'x', envelope: null }), 'x');
});

test('a bulk action says how many closed and which were refused, and why', () => {
  const answer = {
    closed: 2,
    already: 1,
    refused: 1,
    results: [
      { id: 1, ok: true },
      { id: 2, ok: true },
      { id: 3, ok: true, already: true },
      { id: 5, ok: false, error: 'S5 was already resolved (dismissed by ana)' }
    ]
  };
  assert.equal(bulkSummary(answer), 'Closed 2 · 1 already closed · 1 refused: S5 was already resolved (dismissed by ana)');
  const expected = combineAnswers([
    { id: 1, ok: true },
    { id: 4, ok: false, error: 'not drift' }
  ]);
  assert.deepEqual([expected.closed, expected.refused], [1, 1]);
  assert.equal(bulkSummary(expected), 'Closed 1 · 1 refused: S4: not drift');
});

test('a card finds its surprise by prediction, by the values it saw, or by its note', () => {
  const base = { hypothesis_id: 'H1', prediction_id: 'H1.P2', prediction: 'x > 1', note: '', observed: {} };
  const older = { ...base, id: 3, observed: { x: { type: 'int', value: 0 } } } as any;
  const newer = { ...base, id: 7, observed: { x: { type: 'int', value: -1 } } } as any;
  assert.equal(pickSurprise([older, newer], { prediction_id: 'H1.P2' })?.id, 7);
  assert.equal(pickSurprise([older, newer], { prediction_id: 'H1.P2', observed: { x: { type: 'int', value: 0 } } })?.id, 3);
  assert.equal(pickSurprise([older, newer], { hypothesis_id: 'H1', prediction: 'x > 1' })?.id, 7);
  assert.equal(pickSurprise([older], { prediction_id: 'H9.P1' }), undefined);
  assert.ok(matchesRef({ ...base, id: 9, note: 'loss spikes' }, { note: 'loss spikes' }));
  assert.ok(matchesRef({ ...base, id: 9 }, { id: 9 }) && !matchesRef({ ...base, id: 9 }, { id: 8 }));
  assert.deepEqual(lookupQuery({ id: 3, prediction_id: 'H1.P2', prediction: 'x' }), { id: '3' });
  assert.deepEqual(lookupQuery({ prediction_id: 'H1.P2', prediction: 'x' }), { prediction_id: 'H1.P2' });
  assert.deepEqual(lookupQuery({ note: 'n' }), { note: 'n' });
  assert.deepEqual(lookupQuery({}), {});
});

test('what was seen in words, and how a closed surprise reads under its card', () => {
  assert.equal(observedWords({ observed: { observed: { type: 'str', len: 4, value: 'none' } } }), 'none');
  assert.equal(observedWords({ observed: { x: { type: 'int', value: 1 } } }), null);
  assert.equal(observedWords({ observed: { observed: { type: 'str', value: 'x' } }, kind: 'drift' }), null);
  const closed = { status: 'explained', resolution: 'explained', resolved_by: 'ana', explanation: 'a corrupted shard' } as const;
  assert.equal(resolvedLine(closed, 'explained by ana'), 'resolved: explained by ana — a corrupted shard');
  assert.equal(resolvedLine({ ...closed, status: 'open' }, ''), '');
});
