import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { EVERYONE, authorLine, remarkLine, teamCount, teamQuery } from '../sidebar/teamformat';
import { ITeamAuthor } from '../lib/types';

const ana: ITeamAuthor = {
  author: 'ana',
  mine: true,
  state: 'ok',
  problem: '',
  hypotheses: 1,
  experiments: 4,
  open_surprises: 2,
  events: 9
};

test('an author reads as who, how many hypotheses and how many open surprises', () => {
  assert.equal(authorLine(ana), 'ana (you) · 1 hypothesis · 2 open');
  assert.equal(authorLine({ ...ana, mine: false, author: 'bob', hypotheses: 3 }), 'bob · 3 hypotheses · 2 open');
});

test("a teammate's file that could not be read says why, never a count", () => {
  const bob = { ...ana, author: 'bob', mine: false, state: 'damaged' as const, problem: 'file is not a database' };
  assert.equal(authorLine(bob), 'bob · damaged: not read');
  assert.equal(authorLine({ ...bob, state: 'half-copied' }), 'bob · half-copied: its WAL is missing');
});

test('the filter asks for one author, or for everyone', () => {
  assert.equal(teamQuery(EVERYONE), 'team');
  assert.equal(teamQuery('ana lee&co'), 'team?author=ana%20lee%26co');
});

test("the section's count: authors and open surprises; nothing outside a team project", () => {
  const view = { team: true, authors: [ana, { ...ana, author: 'bob', open_surprises: 1 }], hypotheses: [], surprises: [] };
  assert.equal(teamCount(view), '2 authors · 3 open');
  assert.equal(teamCount({ ...view, authors: [{ ...ana, open_surprises: 0 }] }), '1 author');
  assert.equal(teamCount({ team: false, authors: [], hypotheses: [], surprises: [] }), '');
});

test('a remark reads as who wrote what, with the record of theirs it made', () => {
  const base = { author: 'ana', about: 'H1·bob', created_at: '2026-12-03T10:00:00+00:00' };
  assert.equal(
    remarkLine({ ...base, label: 'R1·ana', kind: 'comment', text: 'layer 0, not 1', made: null }),
    'R1·ana comment: layer 0, not 1'
  );
  assert.equal(
    remarkLine({ ...base, label: 'R2·ana', kind: 'challenge', text: 'score < 0.2', made: 'H2.P1·ana' }),
    'R2·ana challenge: score < 0.2 (H2.P1·ana)'
  );
});
