import { strict as assert } from 'node:assert';
import { afterEach, test } from 'node:test';

import { LogbookModel } from '../lib/model';
import { FakeServer } from './fakeserver';

let model: LogbookModel | null = null;

afterEach(() => model?.dispose());

async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition never held');
    }
    await new Promise(resolve => setTimeout(resolve, 2));
  }
}

async function started(server: FakeServer): Promise<LogbookModel> {
  model = new LogbookModel({ request: server.request, retryMs: 5, pollSeconds: 1 });
  model.start();
  await until(() => model!.experiments.loaded && model!.surprises.loaded && server.fetchedSince(0).includes('brainstorms'));
  return model;
}

const writes = (server: FakeServer, mark: number) =>
  server.calls.slice(mark).filter(c => c.method !== 'GET').map(c => [c.method, c.path, c.body]);

test('explaining or dismissing many is one call; the answer says how each went', async () => {
  const server = new FakeServer();
  const [a, b, c] = [server.addSurprise(3), server.addSurprise(2), server.addSurprise(1, 'explained')];
  c.resolution = 'dismissed';
  const m = await started(server);
  const mark = server.calls.length;
  const answer = await m.bulkTriage([a, b, c], 'explained', 'one seed');
  assert.deepEqual(writes(server, mark), [['POST', 'surprises/bulk', { ids: [1, 2, 3], action: 'explained', explanation: 'one seed' }]]);
  assert.deepEqual([answer.closed, answer.refused], [2, 1]);
  await until(() => m.surprises.total === 0);
});

test('marking many expected goes drift by drift, and refuses what is not drift', async () => {
  const server = new FakeServer();
  const drift = server.addSurprise(2);
  drift.kind = 'drift';
  const prediction = server.addSurprise(3);
  const m = await started(server);
  const mark = server.calls.length;
  const answer = await m.bulkTriage([drift, prediction], 'expected');
  assert.deepEqual(writes(server, mark), [['POST', 'surprises/1/expected', {}]]);
  assert.deepEqual([answer.closed, answer.refused], [1, 1]);
  assert.match(answer.results[1].error ?? '', /S2 is not drift/);
});

test('a follow-up is one call that names the surprise; a verdict in words names its run and what was seen', async () => {
  const server = new FakeServer();
  server.addHypothesis('A');
  const surprise = server.addSurprise(3);
  const m = await started(server);
  const mark = server.calls.length;
  const created = await m.followUp(surprise, 'a bad batch', 0.4);
  assert.equal(created.follows, 'S1');
  assert.deepEqual(writes(server, mark), [['POST', 'surprises/1/follow-up', { statement: 'a bad batch', credence: 0.4 }]]);
  const judged = server.calls.length;
  await m.judge('H1.P1', false, 12, 'copying survives').catch(() => undefined);
  assert.deepEqual(writes(server, judged), [['POST', 'predictions/H1.P1/verdict', { held: false, experiment_id: 12, observed: 'copying survives' }]]);
  const refuted = server.calls.length;
  await m.setStatus('H1', 'refuted', 'patching says position', 0.1);
  assert.deepEqual(writes(server, refuted), [['PATCH', 'hypotheses/H1', { status: 'refuted', reason: 'patching says position', credence: 0.1 }]]);
});

test('an inbox with nothing open says how many are resolved, asking only then', async () => {
  const server = new FakeServer();
  server.addSurprise(1, 'explained');
  server.addSurprise(2, 'explained');
  const m = await started(server);
  assert.equal(m.resolvedCount, 2);
  assert.ok(server.fetchedSince(0).includes('feed/surprises?status=resolved&limit=1&offset=0'));
  const busy = new FakeServer();
  busy.addSurprise(1);
  model?.dispose();
  const m2 = await started(busy);
  assert.equal(m2.resolvedCount, 0);
  assert.ok(!busy.fetchedSince(0).some(path => path.includes('status=resolved')));
});

test('a card finds its surprise, resolved or not, once per change of the inbox', async () => {
  const server = new FakeServer();
  const s = server.addSurprise(2, 'explained');
  s.resolution = 'explained';
  s.explanation = 'seed noise';
  const m = await started(server);
  const mark = server.calls.length;
  const found = await m.lookupSurprise({ prediction_id: 'H1.P1' });
  assert.equal(found?.explanation, 'seed noise');
  await m.lookupSurprise({ prediction_id: 'H1.P1' });
  assert.deepEqual(server.fetchedSince(mark), ['surprises/lookup?prediction_id=H1.P1'], 'asked once');
  assert.equal(await m.lookupSurprise({ prediction_id: 'H7.P1' }), null);
  assert.equal(await m.lookupSurprise({}), null);
});
