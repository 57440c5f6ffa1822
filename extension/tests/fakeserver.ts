/**
 * An in-memory Logbook server for the model's tests: the routes the model
 * calls, a change feed with one version per section, and a log of requests.
 */

import { IPin } from '../lib/imodel';
import { IBrainstorm, IExperimentRow, IHypothesis, IPrediction, ISurprise, IUntrusted, LogbookApiError, Requester, Section } from '../lib/types';

export interface ICall {
  method: string;
  path: string;
  body: any;
}

const NOW = '2026-11-25T10:00:00.000Z';

export class FakeServer {
  hypotheses = new Map<string, IHypothesis>();
  surprises: ISurprise[] = [];
  experiments: IExperimentRow[] = [];
  brainstorms: IBrainstorm[] = [];
  mode: string | null = null;
  calls: ICall[] = [];
  /** While set, every call fails with this status and message. */
  failing: { status: number; message: string } | null = null;
  revision = 0;
  versions: Record<Section, number> = { mode: 0, brainstorm: 0, hypotheses: 0, surprises: 0, experiments: 0, beliefs: 0, team: 0 };
  /** Each experiment's pinned figures. */
  pins = new Map<number, IPin[]>();
  /** Per hypothesis, the hypotheses version at which it last changed. */
  touched = new Map<string, number>();

  /** The model's requester, answering from this server. */
  request: Requester = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const method = init.method ?? 'GET';
    const body = init.body ? JSON.parse(String(init.body)) : undefined;
    this.calls.push({ method, path, body });
    await Promise.resolve();
    if (this.failing) {
      throw new LogbookApiError(this.failing.message, this.failing.status);
    }
    return JSON.parse(JSON.stringify(await this.route(method, path, body))) as T; // a copy, as over the wire
  };

  /** The GET paths asked for since ``mark`` (an index into ``calls``), feed polls left out. */
  fetchedSince(mark: number): string[] {
    return this.calls
      .slice(mark)
      .filter(c => c.method === 'GET' && !c.path.startsWith('feed?'))
      .map(c => c.path);
  }

  /** Record a change to these sections (as a write on the server would). */
  change(...sections: Section[]): void {
    for (const section of sections) {
      this.versions[section] += 1;
    }
    this.revision += 1;
    const waiting = this.waiters;
    this.waiters = [];
    waiting.forEach(resolve => resolve());
  }

  addHypothesis(statement: string, credence = 0.5, brainstormId: number | null = null): IHypothesis {
    const id = `H${this.hypotheses.size + 1}`;
    const h: IHypothesis = {
      id,
      statement,
      credence,
      status: 'active',
      created_at: NOW,
      brainstorm_id: brainstormId,
      history: [{ credence, reason: 'stated', at: NOW }],
      predictions: [],
      going_well: credence >= 0.8 ? `credence ${credence.toFixed(2)}` : null
    };
    this.hypotheses.set(id, h);
    this.touch(id);
    return h;
  }

  /** A surprise; ``status`` 'unread' and 'read' are open ones, seen or not. */
  addSurprise(bits: number, status: 'unread' | 'read' | ISurprise['status'] = 'unread'): ISurprise {
    const s: ISurprise = {
      id: this.surprises.length + 1,
      hypothesis_id: 'H1',
      prediction_id: 'H1.P1',
      prediction: 'x > 1',
      observed: { x: { type: 'int', value: 0 } },
      credence: 0.9,
      surprisal_bits: bits,
      experiment_id: null,
      created_at: NOW,
      manual: false,
      note: '',
      status: status === 'unread' || status === 'read' ? 'open' : status,
      read: status !== 'unread',
      resolution: null,
      explanation: '',
      resolved_at: null,
      resolved_by: null,
      kind: 'prediction',
      drift: null
    };
    this.surprises.push(s);
    return s;
  }

  /** A prediction of ``hid`` as the server answers it; untrusted ones are listed by ``GET trust``. */
  addPrediction(hid: string, expression: string, extra: Partial<IPrediction> = {}): IPrediction {
    const h = this.hypotheses.get(hid)!;
    const p: IPrediction = {
      id: `${hid}.P${h.predictions.length + 1}`,
      hypothesis_id: hid,
      kind: 'expression',
      expression,
      names: [],
      credence: 0.8,
      state: 'pending',
      error: null,
      created_at: NOW,
      evaluated_at: null,
      trusted: true,
      first_verdict: null,
      verdicts: [],
      history: [],
      revises: null,
      superseded_by: null,
      mode: null,
      ...extra
    };
    h.predictions.push(p);
    this.touch(hid);
    return p;
  }

  touch(id: string): void {
    this.touched.set(id, this.versions.hypotheses + 1);
    this.change('hypotheses');
  }

  private waiters: (() => void)[] = [];

  private async route(method: string, path: string, body: any): Promise<unknown> {
    const [route, query] = path.split('?');
    const params = new URLSearchParams(query ?? '');
    const int = (name: string, fallback: number) => Number(params.get(name) ?? fallback);
    if (method === 'GET') {
      switch (route) {
        case 'feed':
          if (int('since', -1) === this.revision) {
            await new Promise<void>(resolve => {
              this.waiters.push(resolve);
              setTimeout(resolve, int('timeout', 1) * 1000);
            });
          }
          return {
            revision: this.revision,
            server_time: new Date().toISOString(),
            sections: Object.fromEntries(Object.entries(this.versions).map(([k, v]) => [k, String(v)]))
          };
        case 'status':
          return { version: '0', path: '/project/.logbook/logbook.db' };
        case 'mode':
          return { mode: this.mode, balance: [] };
        case 'brainstorms':
          return this.brainstorms;
        case 'feed/hypotheses': {
          const since = params.get('since') ? Number(params.get('since')) : NaN;
          const all = [...this.hypotheses.values()];
          const full = Number.isNaN(since);
          const hypotheses = full ? all : all.filter(h => (this.touched.get(h.id) ?? 0) > since);
          return { version: String(this.versions.hypotheses), full, hypotheses };
        }
        case 'feed/surprises': {
          const status = params.get('status') ?? 'all';
          const open = (s: ISurprise) => s.status === 'open';
          const chosen = this.surprises.filter(s => status === 'all' || (status === 'open') === open(s));
          const offset = int('offset', 0);
          return {
            total: chosen.length,
            unread: this.surprises.filter(s => open(s) && !s.read).length,
            offset,
            surprises: chosen.slice(offset, offset + int('limit', 50))
          };
        }
        case 'trust': {
          const untrusted: IUntrusted[] = [];
          for (const h of this.hypotheses.values()) {
            for (const p of h.predictions.filter(p => !p.trusted)) {
              untrusted.push({ ...p, statement: h.statement, refusal: null, hash: `sha-${p.id}` } as IUntrusted);
            }
          }
          return { predictions: untrusted };
        }
        case 'experiments': {
          const offset = int('offset', 0);
          return { total: this.experiments.length, experiments: this.experiments.slice(offset, offset + int('limit', 100)) };
        }
      }
    }
    if (method === 'POST' && route === 'hypotheses') {
      return this.addHypothesis(body.statement, body.credence, body.brainstorm_id);
    }
    if (method === 'POST' && route === 'mode') {
      this.mode = body.mode;
      this.change('mode');
      return { mode: body.mode };
    }
    const hypothesis = /^hypotheses\/(H\d+)$/.exec(route);
    if (method === 'PATCH' && hypothesis) {
      const h = this.hypotheses.get(hypothesis[1])!;
      Object.assign(h, body.credence !== undefined ? { credence: body.credence } : {}, body.status ? { status: body.status } : {});
      this.touch(h.id);
      return h;
    }
    const surprise = /^surprises\/(\d+)$/.exec(route);
    if (method === 'PATCH' && surprise) {
      const s = this.surprises[Number(surprise[1]) - 1];
      if (body.status !== undefined) {
        throw new LogbookApiError('status is no longer set directly', 400);
      }
      if (body.action && s.status !== 'open') {
        throw new LogbookApiError(`surprise #${s.id} is already resolved`, 400);
      }
      if (body.action) {
        const changed = body.action === 'refuted' || body.action === 'credence_updated';
        Object.assign(s, { status: changed ? 'acted_on' : 'explained', resolution: body.action, read: true });
        Object.assign(s, { explanation: body.explanation ?? body.reason ?? '', resolved_at: NOW, resolved_by: 'ada' });
      } else {
        s.read = body.read;
      }
      this.change('surprises');
      return this.surprises[Number(surprise[1]) - 1];
    }
    if (method === 'POST' && route === 'trust') {
      const trusted: IPrediction[] = [];
      for (const h of this.hypotheses.values()) {
        for (const p of h.predictions.filter(p => body.ids.includes(p.id))) {
          p.trusted = true;
          trusted.push(p);
          this.touch(h.id);
        }
      }
      return { trusted };
    }
    if (method === 'POST' && route === 'notes') {
      return { id: 1, ...body };
    }
    if (method === 'GET' && route === 'surprises/lookup') {
      const wanted = [...params.entries()];
      return this.surprises
        .filter(s => wanted.every(([key, value]) => String((s as any)[key]) === value))
        .sort((a, b) => b.id - a.id);
    }
    if (method === 'POST' && route === 'surprises/bulk') {
      const results = body.ids.map((id: number) => {
        const s = this.surprises[id - 1];
        if (!s) {
          return { id, ok: false, error: `no surprise ${id} in this logbook` };
        }
        if (s.resolution && s.resolution !== body.action) {
          return { id, ok: false, error: `S${id} was already resolved (${s.resolution})` };
        }
        const already = s.resolution === body.action;
        Object.assign(s, { status: 'explained', resolution: body.action, read: true, explanation: body.explanation ?? '' });
        return { id, ok: true, already, surprise: s };
      });
      this.change('surprises');
      const count = (f: (r: any) => boolean) => results.filter(f).length;
      return { closed: count(r => r.ok && !r.already), already: count(r => r.ok && r.already), refused: count(r => !r.ok), results };
    }
    const expected = /^surprises\/(\d+)\/expected$/.exec(route);
    if (method === 'POST' && expected) {
      const s = this.surprises[Number(expected[1]) - 1];
      Object.assign(s, { status: 'explained', resolution: 'explained', read: true });
      this.change('surprises');
      return s;
    }
    const followUp = /^surprises\/(\d+)\/follow-up$/.exec(route);
    if (method === 'POST' && followUp) {
      const s = this.surprises[Number(followUp[1]) - 1];
      const h = this.addHypothesis(body.statement, body.credence);
      h.follows = `S${s.id}`;
      Object.assign(s, { status: 'acted_on', resolution: 'followed_up', read: true, explanation: `${h.id}: ${h.statement}` });
      this.change('surprises');
      return h;
    }
    const pins = /^experiments\/(\d+)\/pins$/.exec(route);
    if (pins) {
      const id = Number(pins[1]);
      const kept = this.pins.get(id) ?? [];
      this.pins.set(id, kept);
      const position = method === 'DELETE' ? int('position', -1) : body?.position;
      const at = kept.findIndex(p => p.position === position);
      if (method === 'GET') {
        return kept;
      }
      if (method === 'DELETE') {
        kept.splice(at, 1);
        return { ok: true };
      }
      if (method === 'POST' && at >= 0) {
        kept[at].caption = body.caption ?? kept[at].caption;
        return kept[at];
      }
      if (method === 'POST') {
        const pin = { id: kept.length + 1, experiment_id: id, position, caption: body.caption ?? '', created_at: NOW };
        kept.push(pin);
        return pin;
      }
    }
    throw new LogbookApiError(`no route ${method} ${path}`, 404);
  }
}
