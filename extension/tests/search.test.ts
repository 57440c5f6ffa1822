import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { groupHeading, groupNote, hasMore, hitName, hitWhere, markedPieces, moveFocus, resultsSummary, withMore } from '../sidebar/searchformat';
import { ISearchHit, ISearchResults } from '../lib/types';

const hit = (over: Partial<ISearchHit>): ISearchHit => ({
  kind: 'surprise',
  id: 'S4',
  field: 'explanation',
  line: 2,
  text: 'the tokenizer splits the block',
  marks: [[4, 13]],
  about: 'H2.P1 failed · explained',
  ...over
});

test('a hit names where it matched: a line of code, a field, or nothing for the usual field', () => {
  assert.equal(hitWhere(hit({ kind: 'experiment', field: 'source', line: 6 })), 'L6');
  assert.equal(hitWhere(hit({ kind: 'experiment', field: 'stdout' })), 'stdout');
  assert.equal(hitWhere(hit({})), 'explanation');
  assert.equal(hitWhere(hit({ kind: 'hypothesis', field: 'statement' })), '');
  assert.equal(hitWhere(hit({ kind: 'prediction', field: 'expression' })), '');
  assert.equal(hitWhere(hit({ kind: 'prediction', field: 'tags' })), 'tags');
  assert.equal(hitName(hit({})), 'Surprise S4, explanation: the tokenizer splits the block. H2.P1 failed · explained');
  assert.equal(hitName(hit({ kind: 'experiment', id: '#12', field: 'source', line: 3, about: '' })), 'Experiment #12, line 3: the tokenizer splits the block');
});

test('the marks cut the text into pieces, tidied when they overlap or run past it', () => {
  assert.deepEqual(markedPieces('the tokenizer splits', [[4, 13]]), [
    { text: 'the ', match: false },
    { text: 'tokenizer', match: true },
    { text: ' splits', match: false }
  ]);
  assert.deepEqual(markedPieces('abcdef', [[3, 99], [0, 2], [1, 4]]), [
    { text: 'ab', match: true },
    { text: 'cd', match: true },
    { text: 'ef', match: true }
  ]);
  assert.deepEqual(markedPieces('abc', [[-5, 0], [2, 2]]), [{ text: 'abc', match: false }]);
  assert.deepEqual(markedPieces('', []), []);
});

test('groups say how many matched and when only the newest were ranked', () => {
  assert.equal(groupHeading({ kind: 'experiment', total: 13571 }), 'Experiments · 13,571');
  assert.equal(groupNote({ total: 13571, ranked: 2000 }), 'best of the newest 2,000');
  assert.equal(groupNote({ total: 3, ranked: 3 }), '');
  assert.equal(hasMore({ ranked: 7, offset: 0, hits: [hit({}), hit({})] }), true);
  assert.equal(hasMore({ ranked: 2, offset: 0, hits: [hit({}), hit({})] }), false);
  const none: ISearchResults = { query: ' qwerty ', groups: [], teammates: [] };
  assert.equal(resultsSummary(none), 'Nothing in the logbook matches “qwerty”.');
  const some: ISearchResults = { query: 'x', groups: [{ kind: 'note', total: 2, ranked: 2, offset: 0, hits: [] }, { kind: 'experiment', total: 1200, ranked: 1200, offset: 0, hits: [] }], teammates: [] };
  assert.equal(resultsSummary(some), '1,202 found');
  const bobs = [{ author: 'bob', total: 3, hits: [] }];
  assert.equal(resultsSummary({ ...some, teammates: bobs }), '1,202 found · 3 in teammates’ logbooks');
  assert.equal(resultsSummary({ ...none, teammates: bobs }), 'Nothing in your logbook matches “qwerty” · 3 in teammates’ logbooks.');
});

test('more hits of one kind join its group once each', () => {
  const first: ISearchResults = {
    query: 'x',
    groups: [
      { kind: 'hypothesis', total: 7, ranked: 7, offset: 0, hits: [hit({ kind: 'hypothesis', id: 'H1' }), hit({ kind: 'hypothesis', id: 'H2' })] },
      { kind: 'note', total: 1, ranked: 1, offset: 0, hits: [hit({ kind: 'note', id: 'N1' })] }
    ],
    teammates: []
  };
  const page: ISearchResults = {
    query: 'x',
    groups: [{ kind: 'hypothesis', total: 8, ranked: 8, offset: 2, hits: [hit({ kind: 'hypothesis', id: 'H2' }), hit({ kind: 'hypothesis', id: 'H5' })] }],
    teammates: []
  };
  const merged = withMore(first, page);
  assert.deepEqual(merged.groups[0].hits.map(h => h.id), ['H1', 'H2', 'H5']);
  assert.equal(merged.groups[0].total, 8);
  assert.equal(merged.groups[1], first.groups[1]);
});

test('arrow keys move between hits and up from the first goes back to the box', () => {
  assert.equal(moveFocus(0, 'ArrowDown', 3), 1);
  assert.equal(moveFocus(2, 'ArrowDown', 3), 2);
  assert.equal(moveFocus(0, 'ArrowUp', 3), -1);
  assert.equal(moveFocus(1, 'Home', 3), 0);
  assert.equal(moveFocus(0, 'End', 3), 2);
  assert.equal(moveFocus(0, 'a', 3), null);
  assert.equal(moveFocus(0, 'ArrowDown', 0), null);
});
