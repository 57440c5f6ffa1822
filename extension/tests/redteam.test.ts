import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { redTeamTemplates, renamed } from '../redteam';
import { IHypothesis, IPrediction } from '../types';

const prediction = (expression: string, names: string[], first_verdict: 'held' | 'failed' | null): IPrediction => ({
  id: 'H1.P1',
  hypothesis_id: 'H1',
  kind: 'expression',
  expression,
  names,
  credence: 0.8,
  state: first_verdict ?? 'pending',
  error: null,
  created_at: '',
  evaluated_at: null,
  trusted: true,
  first_verdict,
  verdicts: [],
  history: [],
  revises: null,
  superseded_by: null,
  mode: null
});

const hypothesis = (predictions: IPrediction[]): IHypothesis => ({
  id: 'H1',
  statement: 'Head 1.2 is an induction head',
  credence: 0.85,
  status: 'active',
  created_at: '',
  brainstorm_id: null,
  history: [],
  predictions,
  going_well: 'credence 0.85'
});

test('a template renames the names of the claim and nothing else', () => {
  assert.equal(renamed('score_L1 > 0.5 and score_L1 < x.score_L1', ['score_L1'], 'ood'), 'ood_score_L1 > 0.5 and ood_score_L1 < x.score_L1');
  assert.equal(renamed('loss < 1', ['loss'], 'seed1'), 'seed1_loss < 1');
});

test('templates build on the held expression prediction, the ablation and baseline negated', () => {
  const h = hypothesis([prediction('induction_score > 0.5', ['induction_score'], 'held'), { ...prediction('loss < 9', ['loss'], null), id: 'H1.P2' }]);
  const byLabel = Object.fromEntries(redTeamTemplates(h).map(t => [t.label, t]));
  assert.deepEqual(Object.keys(byLabel), ['off-distribution', 'ablate / patch', 'random baseline', 'another seed', 'larger model', 'another metric']);
  assert.equal(byLabel['off-distribution'].text, 'ood_induction_score > 0.5');
  assert.equal(byLabel['ablate / patch'].text, 'not (ablated_induction_score > 0.5)');
  assert.equal(byLabel['random baseline'].text, 'not (shuffled_induction_score > 0.5)');
  assert.equal(byLabel['larger model'].text, 'larger_induction_score > 0.5');
  assert.equal(byLabel['another metric'].kind, 'text');
});

test('a hypothesis without an expression prediction gets templates in words', () => {
  const templates = redTeamTemplates(hypothesis([]));
  assert.equal(templates.length, 6);
  assert.ok(templates.every(t => t.kind === 'text' && t.text.includes('Head 1.2 is an induction head')));
});
