import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import {
  changeCounts,
  changeText,
  diffCounts,
  foldUnchanged,
  outputPairs,
  parseExperimentPair,
  sourceDiff,
  statLine,
  valueChangeLines,
  verdictWords
} from '../detail/compareformat';
import { IValueComparison, IVerdictComparison } from '../lib/types';

const kinds = (rows: { kind: string }[]) => rows.map(r => r.kind).join(' ');

test('a changed line is one removed and one added, numbered in each, the changed word marked', () => {
  const rows = sourceDiff('import torch\nseed = 0\nacts = make(seed)', 'import torch\nseed = 1\nacts = make(seed)\n');
  assert.equal(kinds(rows), 'same del add same');
  assert.deepEqual(
    rows.map(r => [r.oldNo, r.newNo, r.text]),
    [
      [1, 1, 'import torch'],
      [2, null, 'seed = 0'],
      [null, 2, 'seed = 1'],
      [3, 3, 'acts = make(seed)']
    ]
  );
  assert.deepEqual(rows[1].pieces?.filter(p => p.changed).map(p => p.text), ['0']);
  assert.deepEqual(rows[2].pieces?.filter(p => p.changed).map(p => p.text), ['1']);
  assert.equal(rows[0].pieces, undefined);
  assert.deepEqual(diffCounts(rows), { added: 1, removed: 1 });
});

test('lines added or removed without a partner are not paired; equal sources have no change', () => {
  const rows = sourceDiff('a = 1\n', 'a = 1\nb = 2\nc = 3');
  assert.equal(kinds(rows), 'same add add');
  assert.equal(rows[1].pieces, undefined);
  assert.equal(kinds(sourceDiff('x = 1', 'x = 1\n')), 'same');
  assert.equal(kinds(sourceDiff('', 'x = 1')), 'add');
});

test('long unchanged stretches fold, three lines of context stay beside a change', () => {
  const old = Array.from({ length: 20 }, (_, i) => `line ${i + 1}`).join('\n');
  const rows = sourceDiff(old, old.replace('line 10', 'line ten'));
  const shown = foldUnchanged(rows);
  assert.equal(kinds(shown), 'fold same same same del add same same same fold');
  assert.deepEqual(shown.filter(r => r.kind === 'fold').map(r => (r as any).count), [6, 7]);
  // A fold of one line is not worth a click.
  assert.equal(kinds(foldUnchanged(sourceDiff('a\nb\nc\nd\ne', 'a\nb\nc\nd\nE'), 3)), 'same same same same del add');
  assert.equal(kinds(foldUnchanged(sourceDiff('a\nb\nc\nd\ne\nf', 'a\nb\nc\nd\ne\nF'), 3)), 'fold same same same del add');
});

test('a statistic reads old → new with the change and its percentage', () => {
  assert.equal(statLine({ stat: 'mean', old: 0.125, new: 0.5, changed: true, delta: 0.375, relative: 3 }), 'mean 0.125 → 0.5 (+0.375, +300%)');
  assert.equal(statLine({ stat: 'norm', old: 2, new: 2, changed: false, delta: 0, relative: 0 }), 'norm 2');
  assert.equal(statLine({ stat: 'value', old: 0, new: 1, changed: true, delta: 1, relative: null }), 'value 0 → 1 (+1)');
  assert.equal(statLine({ stat: 'value', old: 'a', new: 'b', changed: true, delta: null, relative: null }), 'value "a" → "b" (changed)');
  assert.equal(changeText({ changed: true, delta: -0.0123456, relative: -0.05 }), '−0.01235, −5%');
  assert.equal(changeText({ changed: true, delta: -2, relative: -1.004 }), '−2, −100%');
});

const tensor = (mean: number, shape = [4]) => ({ type: 'torch.Tensor', dtype: 'float32', device: 'cpu', shape, mean, norm: 2 });

test('a value says its changes first, and what stayed the same in one line', () => {
  const v: IValueComparison = {
    name: 'acts',
    change: 'changed',
    old: tensor(0.125),
    new: { ...tensor(0.5, [8]), values: [1, 2] },
    stats: [
      { stat: 'mean', old: 0.125, new: 0.5, changed: true, delta: 0.375, relative: 3 },
      { stat: 'norm', old: 2, new: 2, changed: false, delta: 0, relative: 0 }
    ],
    shape_changed: true,
    kind_changed: false,
    differs: ['mean', 'shape', 'values']
  };
  assert.deepEqual(valueChangeLines(v), {
    changed: ['shape [4] → [8]', 'mean 0.125 → 0.5 (+0.375, +300%)', 'also different: values'],
    same: 'norm 2'
  });
  const kind = valueChangeLines({ ...v, kind_changed: true, new: { ...tensor(0.125), dtype: 'float16' }, stats: [], differs: ['dtype'] });
  assert.deepEqual(kind.changed, ['torch.Tensor float32 [4] cpu → torch.Tensor float16 [4] cpu']);
  const added = valueChangeLines({ ...v, change: 'added', old: null, shape_changed: false, differs: [] });
  assert.deepEqual(added, { changed: ['added: torch.Tensor float32 [8] cpu'], same: 'mean 0.5, norm 2' });
});

test('verdicts in words, and how many changed', () => {
  const v = (change: IVerdictComparison['change'], old: 'held' | 'failed' | null, now: 'held' | 'failed' | null): IVerdictComparison => ({
    prediction_id: 'H1.P1',
    hypothesis_id: 'H1',
    expression: 'x > 0',
    statement: null,
    old,
    new: now,
    change
  });
  assert.equal(verdictWords(v('held_to_failed', 'held', 'failed'), 3, 5), 'held on #3, failed on #5');
  assert.equal(verdictWords(v('only_new', null, 'held'), 3, 5), 'not judged on #3, held on #5');
  assert.equal(verdictWords(v('same', 'held', 'held'), 3, 5), 'held on both');
  const counts = changeCounts([], [v('held_to_failed', 'held', 'failed'), v('same', 'held', 'held'), v('only_old', 'held', null)]);
  assert.deepEqual(counts, { values: 0, verdicts: 2, broke: 1 });
});

test('outputs pair by position; the same bytes are the same output', () => {
  const out = (sha256: string) => ({ mime: 'text/plain', sha256, size: 1, truncated: false });
  const pairs = outputPairs([out('a'), out('b')], [out('a'), out('c'), out('d')]);
  assert.deepEqual(pairs.map(p => [p.position, p.old?.sha256 ?? null, p.new?.sha256 ?? null, p.same]), [
    [0, 'a', 'a', true],
    [1, 'b', 'c', false],
    [2, null, 'd', false]
  ]);
});

test('two ids as typed: "#" allowed, the order kept, a bad or repeated id refused with why', () => {
  assert.deepEqual(parseExperimentPair(' #12', '7 '), { ids: [12, 7] });
  assert.deepEqual(parseExperimentPair('', '7'), { error: 'An experiment id is missing' });
  assert.deepEqual(parseExperimentPair('12', 'seven'), { error: '"seven" is not an experiment id (a whole number, such as 12)' });
  assert.deepEqual(parseExperimentPair('12', '#12'), { error: 'Choose two different experiments: both are #12' });
});
