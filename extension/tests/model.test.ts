import { strict as assert } from 'node:assert';
import { afterEach, test } from 'node:test';

import { ILogbookModel } from '../lib/imodel';
import { LogbookModel } from '../lib/model';
import { FakeServer } from './fakeserver';

let model: LogbookModel | null = null;

afterEach(() => model?.dispose());

/** Wait until ``condition`` holds, polling, failing after ``ms``. */
async function until(condition: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('condition never held');
    }
    await new Promise(resolve => setTimeout(resolve, 2));
  }
}

/** A started model over ``server``, once its first load is done. */
async function started(server: FakeServer, options = {}): Promise<LogbookModel> {
  model = new LogbookModel({ request: server.request, retryMs: 5, pollSeconds: 1, ...options });
  model.start();
  await until(() => model!.experiments.loaded && model!.surprises.loaded && server.fetchedSince(0).includes('brainstorms'));
  return model;
}

test('the first load fetches every section once', async () => {
  const server = new FakeServer();
  server.addHypothesis('Layer 1 has induction heads');
  server.addSurprise(3.3);
  await started(server);
  assert.deepEqual(server.fetchedSince(0).sort(), [
    'brainstorms',
    'experiments?limit=100&offset=0',
    'feed/hypotheses?since=',
    'feed/surprises?status=open&limit=50&offset=0',
    'mode',
    'status'
  ]);
  assert.deepEqual(model!.hypotheses.map(h => h.id), ['H1']);
  assert.equal(model!.unread, 1);
});

test('a change refetches only the section that changed, once', async () => {
  const server = new FakeServer();
  server.addHypothesis('A');
  server.addHypothesis('B');
  const m = await started(server);
  const mark = server.calls.length;
  const signals: string[] = [];
  m.changed.connect((_, what) => signals.push(what));
  await m.setCredence('H2', 0.2, 'ablation');
  await until(() => m.hypothesis('H2')?.credence === 0.2);
  assert.deepEqual(server.fetchedSince(mark), ['feed/hypotheses?since=2']);
  assert.deepEqual(signals, ['hypotheses']);
  assert.equal(m.hypothesis('H1')?.statement, 'A');

  const modeMark = server.calls.length;
  await m.switchMode('explore');
  await until(() => m.mode === 'explore');
  assert.deepEqual(server.fetchedSince(modeMark), ['mode']);
});

test('the state follows each change event', async () => {
  const server = new FakeServer();
  const m = await started(server);
  await m.addHypothesis('Heads copy by position', 0.6);
  await until(() => m.hypotheses.length === 1);
  assert.equal(m.hypotheses[0].credence, 0.6);
  server.addHypothesis('Written in the kernel');
  await until(() => m.hypotheses.length === 2);
  await m.setStatus('H1', 'refuted', 'patching');
  await until(() => m.hypothesis('H1')?.status === 'refuted');
  assert.deepEqual(m.hypotheses.map(h => h.id), ['H2', 'H1'], 'active hypotheses come first');
  server.brainstorms.push({
    id: 1,
    started_at: '2026-11-25T10:00:00Z',
    planned_seconds: 300,
    target: 4,
    finished_at: '2026-11-25T10:04:00Z',
    paused_at: null,
    paused_seconds: 0,
    hypothesis_ids: ['H1']
  });
  server.change('brainstorm');
  await until(() => m.pastBrainstorms.length === 1);
  assert.equal(m.brainstorm, null);
});

test('surprises come a page at a time, and a change refetches only the pages in view', async () => {
  const server = new FakeServer();
  for (let i = 0; i < 120; i++) {
    server.addSurprise(10 - i / 20, i % 3 ? 'read' : 'unread');
  }
  const m = await started(server, { surprisePageSize: 50 });
  assert.equal(m.surprises.total, 120);
  assert.equal(m.surprises.get(0)?.id, 1);
  assert.equal(m.surprises.get(60), undefined);
  m.surprises.ensure({ first: 55, last: 70 });
  await until(() => m.surprises.get(60) !== undefined);
  assert.equal(m.surprises.get(60)?.id, 61);

  const mark = server.calls.length;
  server.addSurprise(20);
  server.change('surprises');
  await until(() => m.surprises.total === 121);
  assert.deepEqual(server.fetchedSince(mark), ['feed/surprises?status=open&limit=50&offset=50']);
  assert.equal(m.surprises.get(0), undefined, 'pages out of view are dropped');
  assert.equal(m.unread, 41);
});

test('the inbox filter asks the server again, and guards against a server that ignores it', async () => {
  const server = new FakeServer();
  server.addSurprise(1);
  server.addSurprise(2, 'explained');
  const m = await started(server);
  assert.deepEqual(m.surprises.rows().map(s => s.id), [1]);
  await m.setSurpriseFilter('resolved');
  assert.deepEqual(m.surprises.rows().map(s => s.id), [2]);
  await m.setSurpriseFilter('all');
  assert.deepEqual(m.surprises.rows().map(s => s.id), [1, 2]);

  const ignoring = new FakeServer();
  ignoring.addSurprise(1);
  ignoring.addSurprise(2, 'explained');
  const request = ignoring.request;
  ignoring.request = (path, init) => request(path.replace(/status=\w+/, 'status=all'), init);
  model?.dispose();
  const m2 = await started(ignoring);
  assert.deepEqual(m2.surprises.rows().map(s => s.id), [1]);
});

test('resolving a surprise is one PATCH with the action, and it leaves the open filter', async () => {
  const server = new FakeServer();
  server.addHypothesis('A', 0.9);
  const surprise = server.addSurprise(3.3);
  const m = await started(server);
  const mark = server.calls.length;
  await m.resolveSurprise(surprise, { action: 'refuted', reason: 'x was 0' });
  const writes = server.calls.slice(mark).filter(c => c.method !== 'GET');
  assert.deepEqual(
    writes.map(c => [c.method, c.path, c.body]),
    [['PATCH', 'surprises/1', { action: 'refuted', reason: 'x was 0' }]]
  );
  await until(() => m.unread === 0 && m.surprises.total === 0);
  await m.setSurpriseFilter('resolved');
  assert.equal(m.surprises.get(0)?.resolution, 'refuted');
});

test('opening a surprise marks it read once', async () => {
  const server = new FakeServer();
  server.addSurprise(3.3);
  const m = await started(server);
  assert.equal(m.unread, 1);
  await m.markRead(m.surprises.get(0)!);
  await until(() => m.unread === 0 && m.surprises.get(0)?.read === true);
  const mark = server.calls.length;
  await m.markRead(m.surprises.get(0)!);
  assert.deepEqual(server.calls.slice(mark), [], 'a read surprise is not marked again');
  const patches = server.calls.filter(c => c.method === 'PATCH');
  assert.deepEqual(patches.map(c => c.body), [{ read: true }]);
});

test('untrusted predictions are listed, and trusting sends exactly their ids with the hashes shown', async () => {
  const server = new FakeServer();
  server.addHypothesis('A');
  server.addPrediction('H1', 'x > 1');
  server.addPrediction('H1', 'y > 1', { trusted: false });
  server.addPrediction('H1', 'z > 1', { trusted: false });
  const m = await started(server);
  await until(() => m.untrusted.length === 2);
  assert.deepEqual(m.untrusted.map(p => [p.id, p.statement, p.expression]), [
    ['H1.P2', 'A', 'y > 1'],
    ['H1.P3', 'A', 'z > 1']
  ]);
  await m.trustPredictions(m.untrusted.map(p => p.id));
  assert.deepEqual(server.calls.filter(c => c.method === 'POST').map(c => c.body), [
    { ids: ['H1.P2', 'H1.P3'], hashes: { 'H1.P2': 'sha-H1.P2', 'H1.P3': 'sha-H1.P3' } }
  ]);
  await until(() => m.untrusted.length === 0 && m.hypothesis('H1')!.predictions.every(p => p.trusted));
});

test('a failing server shows its message, and the model recovers when it comes back', async () => {
  const server = new FakeServer();
  server.failing = { status: 503, message: 'the logbook at /p/logbook.db is damaged' };
  model = new LogbookModel({ request: server.request, retryMs: 5, pollSeconds: 1 });
  const seen: string[] = [];
  model.changed.connect((m, what) => what === 'status' && seen.push(m.error));
  model.start();
  await until(() => model!.error.includes('is damaged'));
  server.failing = null;
  server.addHypothesis('back');
  await until(() => model!.error === '' && model!.hypotheses.length === 1);
  assert.ok(seen.includes(''));
});

test('a section that fails to load is fetched again without waiting for the next change', async () => {
  const server = new FakeServer();
  const request = server.request;
  let failures = 1;
  server.request = (path, init) => {
    if (path === 'mode' && failures-- > 0) {
      return Promise.reject(new Error('mode unavailable'));
    }
    return request(path, init);
  };
  server.mode = 'confirm';
  const m = await started(server);
  await until(() => m.mode === 'confirm');
});

test('the brainstorm clock counts down by the server\'s time and says when it is paused', async () => {
  const server = new FakeServer();
  const started_at = new Date(Date.now() - 60_000).toISOString();
  server.brainstorms.push({
    id: 3,
    started_at,
    planned_seconds: 300,
    target: 4,
    finished_at: null,
    paused_at: null,
    paused_seconds: 0,
    hypothesis_ids: []
  });
  const m = await started(server);
  const clock = m.clock();
  assert.equal(clock.brainstormId, 3);
  assert.ok(['4:00', '3:59'].includes(clock.text), clock.text);
  assert.equal(clock.paused, false);
  server.brainstorms[0].paused_at = new Date().toISOString();
  server.change('brainstorm');
  await until(() => m.clock().paused);
  const ticks: string[] = [];
  m.ticked.connect((_, c) => ticks.push(c.text));
  await until(() => ticks.length > 0);
});

test('pins go through the model: listed, pinned, captioned and unpinned on the experiment\'s routes', async () => {
  const server = new FakeServer();
  const m: ILogbookModel = new LogbookModel({ request: server.request });
  const mark = server.calls.length;
  const pinned = await m.pin(7, 2);
  assert.deepEqual([pinned.experiment_id, pinned.position, pinned.caption], [7, 2, '']);
  assert.equal((await m.pin(7, 2, 'Head 1.4 copies')).caption, 'Head 1.4 copies');
  assert.deepEqual((await m.pins(7)).map(p => [p.position, p.caption]), [[2, 'Head 1.4 copies']]);
  await m.unpin(7, 2);
  assert.deepEqual(await m.pins(7), []);
  assert.deepEqual(
    server.calls.slice(mark).map(c => `${c.method} ${c.path} ${JSON.stringify(c.body ?? null)}`),
    [
      'POST experiments/7/pins {"position":2}',
      'POST experiments/7/pins {"position":2,"caption":"Head 1.4 copies"}',
      'GET experiments/7/pins null',
      'DELETE experiments/7/pins?position=2 null',
      'GET experiments/7/pins null'
    ]
  );
});
