import { strict as assert } from 'node:assert';
import { test } from 'node:test';

import { brainstormTiming } from '../lib/format';
import { clockOffset, elapsedSeconds, formatClock, isPaused, isTimeUp, remainingSeconds } from '../lib/timer';

const START = '2026-11-25T10:00:00.000Z';
const at = (seconds: number): number => new Date(START).getTime() + seconds * 1000;
const clock = (extra: Partial<Parameters<typeof remainingSeconds>[0]> = {}) => ({
  started_at: START,
  planned_seconds: 300,
  paused_at: null,
  paused_seconds: 0,
  finished_at: null,
  ...extra
});

test('a fresh five-minute brainstorm counts down from 5:00', () => {
  assert.equal(formatClock(remainingSeconds(clock(), at(0))), '5:00');
  assert.equal(formatClock(remainingSeconds(clock(), at(0.2))), '5:00');
  assert.equal(formatClock(remainingSeconds(clock(), at(1))), '4:59');
  assert.equal(formatClock(remainingSeconds(clock(), at(295))), '0:05');
});

test('time is up at zero and the clock never shows negative time', () => {
  assert.equal(isTimeUp(clock(), at(299)), false);
  assert.equal(isTimeUp(clock(), at(300)), true);
  assert.equal(formatClock(remainingSeconds(clock(), at(400))), '0:00');
});

test('a paused clock stands still, and past pauses are not counted', () => {
  const paused = clock({ paused_at: '2026-11-25T10:01:00.000Z', paused_seconds: 0 });
  assert.equal(isPaused(paused), true);
  assert.equal(remainingSeconds(paused, at(60)), 240);
  assert.equal(remainingSeconds(paused, at(500)), 240);
  const resumed = clock({ paused_seconds: 30 });
  assert.equal(remainingSeconds(resumed, at(90)), 240);
});

test('a finished brainstorm keeps the time it took', () => {
  const finished = clock({ finished_at: '2026-11-25T10:03:20.000Z', paused_seconds: 20 });
  assert.equal(elapsedSeconds(finished, at(1000)), 180);
});

test('the server clock offset corrects a skewed browser clock', () => {
  assert.equal(clockOffset('2026-11-25T10:00:05.000Z', at(0)), 5000);
});

test('a brainstorm\'s timing counts as its clock does: pauses left out, a paused one stopped at its pause', () => {
  const b = { started_at: '2026-11-25T10:00:00Z', planned_seconds: 300, target: 4, hypothesis_ids: ['H1'], paused_seconds: 30 };
  const later = new Date('2026-11-25T11:00:00Z').getTime();
  const finished = { ...b, finished_at: '2026-11-25T10:05:01Z', paused_at: null };
  const paused = { ...b, finished_at: null, paused_at: '2026-11-25T10:02:00Z' };
  assert.equal(brainstormTiming(finished, later), '1 of 4 hypotheses in 4:31 (of 5:00)');
  assert.equal(brainstormTiming(paused, later), '1 of 4 hypotheses in 1:30 (of 5:00)');
});
