import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { countsLine, dashboardPath, IDashboard, IDashboardChart, planDraw, sized } from '../dashboard/dashboardformat';

const chart = (id: string, key: string, spec: Record<string, unknown> | null = { width: 520 }): IDashboardChart => ({
  id,
  group: 'calibration',
  title: id,
  key,
  spec,
  note: '',
  warning: null,
  details: []
});

test('the request names the keys already drawn, so their specs are not sent again', () => {
  assert.equal(dashboardPath(new Map()), 'dashboard');
  assert.equal(dashboardPath(new Map([['modes', 'k1'], ['calibration', 'k2']])), 'dashboard?have=k1,k2');
  assert.equal(dashboardPath(new Map(), 'bob lee'), 'dashboard?author=bob%20lee');
  assert.equal(dashboardPath(new Map([['modes', 'k1']]), 'bob'), 'dashboard?author=bob&have=k1');
});

test('only new and changed charts are drawn; charts gone are removed', () => {
  const drawn = new Map([
    ['modes', 'k1'],
    ['calibration', 'k2'],
    ['set-C1', 'k3']
  ]);
  const reply: IDashboard = {
    charts: [chart('modes', 'k1', null), chart('calibration', 'k9'), chart('surprises', 'k4')],
    counts: {},
    author: null,
    authors: []
  };
  const plan = planDraw(drawn, reply);
  assert.deepEqual(
    plan.draw.map(c => c.id),
    ['calibration', 'surprises']
  );
  assert.deepEqual(plan.remove, ['set-C1']);
});

test('a fixed width follows the card; a width by step stays', () => {
  assert.equal(sized({ width: 520 }, 900).width, 690);
  assert.equal(sized({ width: 300, padding: { right: 150 } }, 900).width, 540);
  assert.equal(sized({ width: 520 }, 200).width, 180);
  const grid = { width: { step: 14 } };
  assert.equal(sized(grid, 900), grid);
});

test('the counts read as words', () => {
  assert.equal(countsLine({ hypotheses: 1000, experiments: 100000, surprises: 1 }), '1,000 hypotheses · 100,000 experiments · 1 surprise');
  assert.equal(countsLine({ hypotheses: 1 }), '1 hypothesis');
});
