import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { parseCredence, parseEntry } from '../lib/entry';
import { changedSections, isOpen, isUnread, matchesFilter, resolutionWords, verdictRuns, verdictSummary, mergeHypotheses, predictionCounts, splitBrainstorms } from '../lib/feedstate';
import { brainstormTiming, breakableSegments, highlightPieces, sparklinePoints, stripAnsi } from '../lib/format';
import { IBrainstorm, IHypothesis } from '../lib/types';

test('a credence typed after the hypothesis', () => {
  assert.deepEqual(parseEntry('Layer 1 does induction @0.6'), {
    statement: 'Layer 1 does induction',
    credence: 0.6,
    error: null
  });
  assert.equal(parseEntry('Heads copy @.35').credence, 0.35);
  assert.equal(parseEntry('Heads copy @ 60%').credence, 0.6);
  assert.equal(parseEntry('Heads copy @60').credence, 0.6);
  assert.equal(parseEntry('Heads copy @1').credence, 1);
});

test('text without a trailing credence is all statement', () => {
  assert.deepEqual(parseEntry('  mail me@0.6 later '), { statement: 'mail me@0.6 later', credence: null, error: null });
  assert.deepEqual(parseEntry('x@0.6'), { statement: 'x@0.6', credence: null, error: null });
  assert.equal(parseEntry('score @ head 3').credence, null);
});

test('a credence out of range, or with no hypothesis, is refused with a reason', () => {
  assert.match(parseEntry('Heads copy @150').error ?? '', /not between 0 and 1/);
  assert.match(parseEntry('@0.6').error ?? '', /write the hypothesis/);
  assert.equal(parseCredence('0.25'), 0.25);
  assert.equal(parseCredence('80%'), 0.8);
  assert.equal(parseCredence('abc'), null);
  // A fraction above 1 is a slip, not a percentage: refused, never read as 1.5%.
  assert.match(parseEntry('Heads copy @1.7').error ?? '', /above 1: .*\(1\.7%\)/);
  assert.equal(parseCredence('1.5'), null);
  assert.equal(parseCredence('1.5%'), 0.015);
});

const hypothesis = (id: string, states: string[] = []): IHypothesis => ({
  id,
  statement: id,
  credence: 0.5,
  status: 'active',
  created_at: '',
  brainstorm_id: null,
  history: [],
  predictions: states.map((state, i) => ({
    id: `${id}.P${i + 1}`,
    hypothesis_id: id,
    kind: 'expression',
    expression: 'x',
    names: [],
    credence: 0.9,
    state: state as any,
    error: null,
    created_at: '',
    evaluated_at: null,
    trusted: true,
    first_verdict: null,
    verdicts: [],
    history: [],
    revises: null,
    superseded_by: null,
    mode: null
  })),
  going_well: null
});

test('only the sections whose version moved are fetched again', () => {
  const now = { mode: '1', brainstorm: '1', surprises: '4', hypotheses: 'e9', experiments: '7', beliefs: 'e0.0', team: '' };
  assert.deepEqual(changedSections({}, now), ['mode', 'brainstorm', 'surprises', 'hypotheses', 'experiments', 'beliefs', 'team']);
  assert.deepEqual(changedSections(now, { ...now, team: '3f2a' }), ['team']);
  assert.deepEqual(changedSections(now, { ...now, hypotheses: 'e10', experiments: '8' }), ['hypotheses', 'experiments']);
  assert.deepEqual(changedSections(now, now), []);
});

test('a hypotheses delta replaces what changed; a full answer replaces everything', () => {
  const before = new Map([
    ['H1', hypothesis('H1')],
    ['H2', hypothesis('H2')]
  ]);
  const changed = { ...hypothesis('H2'), credence: 0.9 };
  const merged = mergeHypotheses(before, { full: false, hypotheses: [changed, hypothesis('H3')] });
  assert.deepEqual([...merged.keys()], ['H1', 'H2', 'H3']);
  assert.equal(merged.get('H2')?.credence, 0.9);
  assert.deepEqual([...mergeHypotheses(before, { full: true, hypotheses: [hypothesis('H5')] }).keys()], ['H5']);
});

test('predictions are counted by state, superseded ones left out', () => {
  const h = hypothesis('H1', ['held', 'failed', 'pending', 'pending', 'too_slow', 'failed']);
  h.predictions[5].superseded_by = 'H1.P7';
  assert.deepEqual(predictionCounts(h), { held: 1, failed: 1, pending: 2, error: 0, too_slow: 1 });
});

test('brainstorms split into the running one and past ones, newest first', () => {
  const b = (id: number, finished: boolean): IBrainstorm => ({
    id,
    started_at: '2026-11-25T10:00:00Z',
    planned_seconds: 300,
    target: 4,
    finished_at: finished ? '2026-11-25T10:04:31Z' : null,
    paused_at: null,
    paused_seconds: 0,
    hypothesis_ids: ['H1', 'H2']
  });
  const split = splitBrainstorms([b(1, true), b(2, true), b(3, false)]);
  assert.equal(split.current?.id, 3);
  assert.deepEqual(split.past.map(x => x.id), [2, 1]);
  assert.equal(brainstormTiming(b(1, true)), '2 of 4 hypotheses in 4:31 (of 5:00)');
});

test('open and resolved surprises, read or not', () => {
  assert.ok(isOpen({ status: 'open' }));
  assert.ok(!isOpen({ status: 'explained' }) && !isOpen({ status: 'acted_on' }));
  assert.ok(isUnread({ status: 'open', read: false }) && !isUnread({ status: 'open', read: true }));
  assert.ok(!isUnread({ status: 'explained', read: false }));
  assert.ok(matchesFilter({ status: 'acted_on' }, 'resolved') && matchesFilter({ status: 'open' }, 'open'));
  assert.ok(matchesFilter({ status: 'explained' }, 'all') && !matchesFilter({ status: 'explained' }, 'open'));
});

test('a verdict history reads in a line and compactly', () => {
  const run = (held: boolean, count: number) => ({ held, count }) as any;
  assert.equal(verdictSummary({ verdicts: [] }), '');
  assert.equal(verdictSummary({ verdicts: [run(true, 1)] }), 'held');
  assert.equal(verdictSummary({ verdicts: [run(false, 3)] }), 'failed 3 times');
  assert.equal(verdictSummary({ verdicts: [run(false, 2), run(true, 1)] }), 'held after 2 failed runs');
  assert.equal(verdictSummary({ verdicts: [run(true, 1), run(false, 1), run(true, 2)] }), 'held 2 times after 2 earlier runs');
  assert.equal(verdictRuns({ verdicts: [run(false, 2), run(true, 1)] }), 'failed ×2 → held ×1');
  assert.equal(resolutionWords({ resolution: 'explained', resolved_by: 'ada' }), 'explained by ada');
  assert.equal(resolutionWords({ resolution: 'credence_updated', resolved_by: '' }), 'updated the credence');
  assert.equal(resolutionWords({ resolution: null, resolved_by: null }), '');
});

test('code wraps between tokens, never inside an identifier or a number', () => {
  assert.deepEqual(breakableSegments('induction_score[1, 4] > 0.6'), ['induction_score[', '1,', ' ', '4] ', '> ', '0.6']);
  assert.deepEqual(breakableSegments('model.blocks[0].attn'), ['model.', 'blocks[', '0].', 'attn']);
  assert.equal(breakableSegments('a  <  b').join(''), 'a  <  b');
});

test('search words are marked at the start of a token', () => {
  assert.deepEqual(highlightPieces('score = induction_score(model)', ['induct']), [
    { text: 'score = ', match: false },
    { text: 'induction', match: true },
    { text: '_score(model)', match: false }
  ]);
  const pieces = highlightPieces('Score = score_1 + rescore', ['score']);
  assert.deepEqual(pieces.filter(p => p.match).map(p => p.text), ['Score', 'score']);
  assert.equal(pieces.map(p => p.text).join(''), 'Score = score_1 + rescore');
  assert.deepEqual(highlightPieces('abc', []), [{ text: 'abc', match: false }]);
});

test('sparklines, tracebacks', () => {
  assert.equal(sparklinePoints([0, 1], 10, 10), '0.0,9.0 10.0,1.0');
  assert.equal(sparklinePoints([0.5], 10, 10), '0.0,5.0 10.0,5.0');
  assert.equal(stripAnsi('\u001b[0;31mValueError\u001b[0m: x'), 'ValueError: x');
});
