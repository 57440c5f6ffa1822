import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { handleTarget, layoutOf, PAGE_PX, parseLayout, sharesFor, sizesFor, STEP_PX } from '../sidebar/layoutformat';

const SECTIONS = ['mode', 'brainstorm', 'surprises', 'hypotheses', 'experiments'];

test('a stored layout keeps only sections that exist and shares between 0 and 1', () => {
  const raw = JSON.stringify({
    collapsed: ['mode', 'mode', 'gone', 3, 'experiments'],
    sizes: { surprises: 0.3, hypotheses: 0.7, gone: 0.5, brainstorm: -1, experiments: 'big', mode: 2 }
  });
  assert.deepEqual(parseLayout(raw, SECTIONS), {
    collapsed: ['mode', 'experiments'],
    sizes: { surprises: 0.3, hypotheses: 0.7 }
  });
});

test('nothing stored, or something unreadable, is the default layout', () => {
  for (const raw of [null, '', '{', 'null', '[1, 2]', '"mode"', '{"collapsed": "mode"}']) {
    assert.deepEqual(parseLayout(raw, SECTIONS), { collapsed: [], sizes: {} }, String(raw));
  }
});

test('sizes are restored only when every open section has one', () => {
  const layout = { collapsed: ['mode', 'brainstorm', 'experiments'], sizes: { surprises: 0.35, hypotheses: 0.65 } };
  assert.deepEqual(sizesFor(layout, SECTIONS), [0, 0, 0.35, 0.65, 0]);
  assert.equal(sizesFor({ collapsed: [], sizes: { surprises: 0.35, hypotheses: 0.65 } }, SECTIONS), null);
  assert.equal(sizesFor({ collapsed: [], sizes: {} }, SECTIONS), null);
  assert.equal(sizesFor({ collapsed: SECTIONS, sizes: {} }, SECTIONS), null);
});

test('the layout stored is what is collapsed and the shares of the open sections', () => {
  const stored = layoutOf(SECTIONS, [true, true, false, false, true], [0, 0, 0.333333, 0.666667, 0]);
  assert.deepEqual(stored, { collapsed: ['mode', 'brainstorm', 'experiments'], sizes: { surprises: 0.3333, hypotheses: 0.6667 } });
  assert.deepEqual(parseLayout(JSON.stringify(stored), SECTIONS), stored);
  assert.deepEqual(sizesFor(stored, SECTIONS), [0, 0, 0.3333, 0.6667, 0]);
});

test('the arrows move a handle a step, the page keys further, other keys not at all', () => {
  assert.equal(handleTarget('ArrowUp', 300), 300 - STEP_PX);
  assert.equal(handleTarget('ArrowDown', 300), 300 + STEP_PX);
  assert.equal(handleTarget('PageUp', 300), 300 - PAGE_PX);
  assert.equal(handleTarget('PageDown', 300), 300 + PAGE_PX);
  for (const key of ['ArrowLeft', 'Enter', ' ', 'Tab', 'a']) {
    assert.equal(handleTarget(key, 300), null, key);
  }
});

test('a collapse or an expansion shares the height among the open sections by their stretch', () => {
  const stretch = [0, 1, 2, 3, 2];
  assert.deepEqual(sharesFor(stretch, [false, false, true, true, false]), [0, 0, 2, 3, 0]);
  assert.deepEqual(sharesFor(stretch, [true, true, true, true, true]), stretch);
  assert.equal(sharesFor(stretch, [true, false, false, false, false]), null); // Mode alone does not stretch
  assert.equal(sharesFor(stretch, [false, false, false, false, false]), null);
});
