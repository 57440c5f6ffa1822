import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { prefixed, redTeamTemplates, renamed, subject } from '../sidebar/redteam';
import { IHypothesis, IPrediction } from '../lib/types';

const prediction = (
  expression: string,
  names: string[],
  first_verdict: 'held' | 'failed' | null,
  mode: IPrediction['mode'] = null
): IPrediction => ({
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
  mode
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

test('a name that already carries the prefix keeps it', () => {
  assert.equal(prefixed('ablated_head_loss', 'ablated'), 'ablated_head_loss');
  assert.equal(renamed('ablated_loss > 1', ['ablated_loss'], 'ablated'), 'ablated_loss > 1');
});

test('the name a prediction is about is its first, the left side of the comparison', () => {
  assert.equal(subject('ablated_head_loss > 2 * varied_loss', ['varied_loss', 'ablated_head_loss']), 'ablated_head_loss');
  assert.equal(subject('x.score > 1', ['score', 'x']), 'x');
});

test('templates build on the first prediction that is not red-team, and rename only the name it is about', () => {
  const h = hypothesis([
    prediction('varied_period7_loss < 1.0', ['varied_period7_loss'], 'held'),
    { ...prediction('varied_induction_score_L1 > 0.5', ['varied_induction_score_L1'], 'held'), id: 'H1.P2' },
    { ...prediction('ablated_head_period7_loss > 2 * varied_period7_loss', ['ablated_head_period7_loss', 'varied_period7_loss'], null, 'red-team'), id: 'H1.P3' }
  ]);
  const byLabel = Object.fromEntries(redTeamTemplates(h).map(t => [t.label, t]));
  assert.equal(byLabel['ablate / patch'].text, 'not (ablated_varied_period7_loss < 1.0)');
  assert.equal(byLabel['off-distribution'].text, 'other_inputs_varied_period7_loss < 1.0');
});

test('a comparison keeps its baseline name, and a prefixed name is not prefixed again', () => {
  const h = hypothesis([prediction('ablated_head_loss > 2 * varied_loss', ['ablated_head_loss', 'varied_loss'], 'held')]);
  const byLabel = Object.fromEntries(redTeamTemplates(h).map(t => [t.label, t]));
  assert.equal(byLabel['ablate / patch'].text, 'not (ablated_head_loss > 2 * varied_loss)');
  assert.equal(byLabel['another seed'].text, 'seed1_ablated_head_loss > 2 * varied_loss');
  assert.equal(byLabel['another seed'].how, 'Compute seed1_ablated_head_loss on a model trained with another seed');
});

test('"another metric" is written in words, never an expression pasted into them', () => {
  const h = hypothesis([prediction('induction_score > 0.5', ['induction_score'], 'held')]);
  const metric = redTeamTemplates(h).find(t => t.label === 'another metric');
  assert.equal(metric?.kind, 'text');
  assert.ok(!metric?.text.includes('> 0.5') && metric?.text.includes('Head 1.2 is an induction head'));
});

test('templates build on the first expression prediction, the ablation and baseline negated', () => {
  const h = hypothesis([prediction('induction_score > 0.5', ['induction_score'], 'held'), { ...prediction('loss < 9', ['loss'], null), id: 'H1.P2' }]);
  const byLabel = Object.fromEntries(redTeamTemplates(h).map(t => [t.label, t]));
  assert.deepEqual(Object.keys(byLabel), ['off-distribution', 'ablate / patch', 'random baseline', 'another seed', 'larger model', 'another metric']);
  assert.equal(byLabel['off-distribution'].text, 'other_inputs_induction_score > 0.5');
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
