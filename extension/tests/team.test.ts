import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { EVERYONE, authorLine, authorProblem, experimentLine, predictionLine, remarkLine, teamCount, teamQuery } from '../sidebar/teamformat';
import { ITeamAuthor } from '../lib/types';

const ana: ITeamAuthor = {
  author: 'ana',
  mine: true,
  state: 'ok',
  state_words: 'ok',
  problem: '',
  hypotheses: 1,
  experiments: 4,
  open_surprises: 2,
  events: 9,
  verified: null,
  verify_problem: ''
};

test('an author reads as who, how many hypotheses and how many open surprises', () => {
  assert.equal(authorLine(ana), 'ana (you) · 1 hypothesis · 2 open');
  assert.equal(authorLine({ ...ana, mine: false, author: 'bob', hypotheses: 3 }), 'bob · 3 hypotheses · 2 open');
});

test("a teammate's file that could not be read says why, never a count", () => {
  const bob = { ...ana, author: 'bob', mine: false, state: 'damaged' as const, state_words: 'damaged: not read', problem: 'file is not a database' };
  assert.equal(authorLine(bob), 'bob · damaged: not read');
});

test('the filter asks for one author, or for everyone', () => {
  assert.equal(teamQuery(EVERYONE), 'team');
  assert.equal(teamQuery('ana lee&co'), 'team?author=ana%20lee%26co');
});

test("the section's count: authors and open surprises; nothing outside a team project", () => {
  const view = { team: true, authors: [ana, { ...ana, author: 'bob', open_surprises: 1 }], hypotheses: [], surprises: [], experiments: [] };
  assert.equal(teamCount(view), '2 authors · 3 open');
  assert.equal(teamCount({ ...view, authors: [{ ...ana, open_surprises: 0 }] }), '1 author');
  assert.equal(teamCount({ team: false, authors: [], hypotheses: [], surprises: [], experiments: [] }), '');
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

test("a teammate's prediction reads as its label, state, credence and what it says", () => {
  const p = { label: 'H3.P1·bob', expression: 'score > 0.5', credence: 0.8, state: 'held' };
  assert.equal(predictionLine(p), 'H3.P1·bob held 0.80: score > 0.5');
});

test('a latest experiment reads as its label, outcome, notebook file and first line', () => {
  const e = { author: 'bob', id: 12, label: 'E12·bob', notebook: 'nb/probe.ipynb', summary: 'run(x)', ok: false, started_at: '' };
  assert.equal(experimentLine(e), 'E12·bob failed · probe.ipynb: run(x)');
  assert.equal(experimentLine({ ...e, notebook: null, ok: true }), 'E12·bob ok: run(x)');
});

test("a teammate's record that did not verify says so, and why in its problem", () => {
  const bob = { ...ana, author: 'bob', mine: false, verified: false, verify_problem: 'event 3 was edited' };
  assert.equal(authorLine(bob), 'bob · does not verify');
  assert.equal(authorProblem(bob), 'event 3 was edited');
  assert.equal(authorProblem({ ...bob, verified: true }), '');
  assert.equal(authorLine({ ...bob, verified: null }), 'bob · 1 hypothesis · 2 open');
});
