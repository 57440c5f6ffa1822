/**
 * The logbook as the frontend sees it (``ILogbookModel``). The model owns every REST call, the
 * change feed and the state; the sidebar's sections, the status bar and the
 * commands only read it, call its actions and listen to ``changed``.
 *
 * One change on the server moves the versions of the sections it touches in
 * the feed; the model refetches those sections and no others, and an action
 * does not refetch anything itself: its change comes back through the feed.
 */

import { ISignal, Signal } from '@lumino/signaling';

import { changedSections, isUnread, mergeHypotheses, orderHypotheses, splitBrainstorms } from './feedstate';
import { ILogbookModel, IPin } from './imodel';
import { PagedList } from './paged';
import { combineAnswers, lookupQuery, pickSurprise } from './signalformat';
import { LogbookState } from './state';
import { clockOffset } from './timer';
import { matchesFilter } from './words';
import {
  DEFAULT_SETTINGS,
  IBrainstorm,
  IBulkAnswer,
  ICellHistory,
  IComparison,
  IExperiment,
  IExperimentRow,
  IFeed,
  IHypothesesDelta,
  IHypothesis,
  IJudgement,
  ILogbookSettings,
  IModeBalance,
  IPrediction,
  IRemark,
  IResolution,
  IStatus,
  ISurprise,
  ISurprisePage,
  ISurpriseRef,
  Requester,
  Section,
  SurpriseFilter,
  IUntrusted,
  ICoverage
} from './types';

export interface IModelOptions {
  request: Requester;
  settings?: ILogbookSettings;
  /** Experiments per page. */
  pageSize?: number;
  /** Surprises per page. */
  surprisePageSize?: number;
  /** Wait after a failed call before asking the feed again. */
  retryMs?: number;
  /** How long the server may hold the feed open. */
  pollSeconds?: number;
}

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export class LogbookModel extends LogbookState implements ILogbookModel {
  readonly surprises: PagedList<ISurprise>;
  readonly experiments: PagedList<IExperimentRow>;

  constructor(options: IModelOptions) {
    super();
    this.request = options.request;
    this._settings = options.settings ?? DEFAULT_SETTINGS;
    this.retryMs = options.retryMs ?? 2000;
    this.pollSeconds = options.pollSeconds ?? 25;
    this.surprises = new PagedList((offset, limit) => this.surprisePage(offset, limit), options.surprisePageSize ?? 50);
    this.experiments = new PagedList((offset, limit) => this.experimentPage(offset, limit), options.pageSize ?? 100);
    this.surprises.changed.connect(() => this._changed.emit('surprises'));
    this.experiments.changed.connect(() => this._changed.emit('experiments'));
  }

  /** The sections the change feed says moved, as soon as it says so (before they are fetched again). */
  get revised(): ISignal<this, Section[]> {
    return this._revised;
  }

  /** Load everything, then follow the change feed until disposed. */
  start(): void {
    if (this.started) {
      return;
    }
    this.started = true;
    void this.loadStatus();
    void this.follow();
    this.timer = setInterval(() => this._brainstorm && this._ticked.emit(this.clock()), 250);
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    this.disposed = true;
    clearInterval(this.timer);
    Signal.clearData(this);
  }

  /** Fetch these sections again. */
  async refresh(sections: Section[]): Promise<void> {
    await Promise.all(sections.map(section => this.loaders[section]()));
  }

  // -- actions: each is one call; its change comes back through the feed --

  switchMode = (mode: string) => this.send('mode', 'POST', { mode });
  startBrainstorm = () =>
    this.send('brainstorms', 'POST', {
      planned_seconds: Math.round(this._settings.brainstormMinutes * 60),
      target: this._settings.brainstormTarget
    });
  brainstormAction = (id: number, action: 'pause' | 'resume' | 'finish') =>
    this.send(`brainstorms/${id}`, 'POST', { action });
  addHypothesis = (statement: string, credence: number | null, brainstormId: number | null = null) =>
    this.send<IHypothesis>('hypotheses', 'POST', {
      statement,
      credence: credence ?? this._settings.defaultCredence,
      brainstorm_id: brainstormId
    });
  setCredence = (id: string, credence: number, reason: string) =>
    this.send(`hypotheses/${id}`, 'PATCH', { credence, reason });
  /** A new status, with its reason; ``credence`` (0-1) too when given (refuting records 0 otherwise). */
  setStatus = (id: string, status: string, reason: string, credence: number | null = null) =>
    this.send(`hypotheses/${id}`, 'PATCH', credence === null ? { status, reason } : { status, reason, credence });
  addPrediction = (id: string, kind: 'expression' | 'text', text: string, credence: number) =>
    this.send(`hypotheses/${id}/predictions`, 'POST', { [kind]: text, credence });
  editPrediction = (id: string, expression: string) => this.send(`predictions/${id}`, 'PATCH', { expression });
  /** Your verdict on a prediction in words: on experiment ``experimentId`` (null: the last one), with what you saw. */
  judge = (id: string, held: boolean, experimentId: number | null = null, observed = '') =>
    this.send(`predictions/${id}/verdict`, 'POST', { held, experiment_id: experimentId, observed });
  checkExpression = (expression: string) =>
    this.send<{ ok: boolean; names?: string[]; error?: string }>('predictions/check', 'POST', { expression });
  addNote = (text: string, experimentId: number | null, hypothesisId: string | null) =>
    this.send('notes', 'POST', { text, experiment_id: experimentId, hypothesis_id: hypothesisId });
  /** A comment, challenge or follow-up on a teammate's record, written in your logbook (``POST team/remarks``). */
  remark = (body: { kind: string; author: string; id: string; text?: string; expression?: string; credence?: number }) =>
    this.send<IRemark>('team/remarks', 'POST', body);
  /** Write an export: the body of ``POST export`` (path, format, title, since, until, hypotheses, replace). */
  writeExport = (body: Record<string, unknown>) => this.send<{ path: string; bytes: number }>('export', 'POST', body);

  // -- competing sets and proposed updates (drawn by setview.ts and proposalview.ts) --
  competingSets = <T>() => this.request<T[]>('sets');
  openProposals = <T>() => this.request<T[]>('proposals?status=proposed');
  duePredictions = <T>() => this.request<T[]>('predictions/due');
  /** A member's (or ``else``'s) new credence in set ``setId``; ``giveWay`` names who gives way (null: all, in proportion). */
  setSetCredence = (setId: number, hypothesisId: string, credence: number, reason: string, giveWay: string[] | null) =>
    this.send(`sets/${setId}`, 'POST', { hypothesis_id: hypothesisId, credence, reason, give_way: giveWay });
  /** One competing set of the brainstorm's hypotheses that are in no set yet. */
  setFromBrainstorm = (brainstormId: number) =>
    this.send('sets', 'POST', { question: `brainstorm ${brainstormId}`, brainstorm_id: brainstormId });
  decideProposal = (id: number, decision: 'accepted' | 'edited' | 'rejected', reason: string, credences: Record<string, number> | null = null) =>
    this.send(`proposals/${id}`, 'POST', { decision, reason, credences });

  /** Mark a surprise seen (once; the badge counts open surprises not yet seen). */
  async markRead(surprise: ISurprise): Promise<void> {
    if (isUnread(surprise)) {
      await this.send(`surprises/${surprise.id}`, 'PATCH', { read: true });
    }
  }

  /** Resolve a surprise: explained, refuted, credence updated, or dismissed; the server records who and when. */
  resolveSurprise = (surprise: ISurprise, resolution: IResolution) =>
    this.send<ISurprise>(`surprises/${surprise.id}`, 'PATCH', resolution);

  /** Dismiss a drift surprise as expected: it is explained, and its value is not flagged again in its cell. */
  expectDrift = (surprise: ISurprise) => this.send<ISurprise>(`surprises/${surprise.id}/expected`, 'POST', {});

  /** State a hypothesis that follows up ``surprise``; the server closes the surprise as followed up. */
  followUp = (surprise: ISurprise, statement: string, credence: number | null) =>
    this.send<IHypothesis>(`surprises/${surprise.id}/follow-up`, 'POST', {
      statement,
      credence: credence ?? this._settings.defaultCredence
    });

  /**
   * Close many surprises with one gesture: explained (one text for all) or dismissed in one call that
   * closes each on its own; expected surprise by surprise (drift only). The answer says how each went.
   */
  async bulkTriage(surprises: ISurprise[], action: 'explained' | 'dismissed' | 'expected', explanation = ''): Promise<IBulkAnswer> {
    if (action !== 'expected') {
      return this.send<IBulkAnswer>('surprises/bulk', 'POST', { ids: surprises.map(s => s.id), action, explanation });
    }
    const results = await Promise.all(
      surprises.map(async s => {
        if (s.kind !== 'drift') {
          return { id: s.id, ok: false, error: `S${s.id} is not drift: only drift can be marked expected` };
        }
        const already = s.status !== 'open';
        try {
          await this.expectDrift(s);
          return { id: s.id, ok: true, already };
        } catch (error) {
          return { id: s.id, ok: false, error: message(error) };
        }
      })
    );
    return combineAnswers(results);
  }

  /**
   * The surprise a card under a cell stands for, as the server has it now (any status), or null;
   * answers are kept until the inbox next changes.
   */
  async lookupSurprise(ref: ISurpriseRef): Promise<ISurprise | null> {
    const query = lookupQuery(ref);
    if (!Object.keys(query).length) {
      return null;
    }
    return pickSurprise(await this.lookupSurprises(query), ref) ?? null;
  }

  private lookupSurprises(query: Record<string, string>): Promise<ISurprise[]> {
    const key = new URLSearchParams(query).toString();
    let found = this.lookups.get(key);
    if (!found) {
      found = this.request<ISurprise[]>(`surprises/lookup?${key}`);
      found.catch(() => this.lookups.delete(key));
      this.lookups.set(key, found);
    }
    return found;
  }

  /** The newest experiments (for choosing which one a verdict in words judges). */
  recentExperiments = async (limit = 100) =>
    (await this.request<{ total: number; experiments: IExperimentRow[] }>(`experiments?limit=${limit}&offset=0`)).experiments;

  /** Watch a value in a cell again: undo "expected to vary" for ``label`` there. */
  unexpectValue = (cellKey: string, label: string) =>
    this.send<{ cell_key: string; expected: string[] }>('expected', 'DELETE', { cell_key: cellKey, label });

  /** With the open filter and nothing open: how many surprises are resolved (the inbox says "All N resolved"). */
  get resolvedCount(): number {
    return this._resolvedCount;
  }

  /** Mark a name as expected to vary in one cell: its drift is not flagged there again. */
  expectValue = (cellKey: string, name: string) =>
    this.send<{ cell_key: string; expected: string[] }>('expected', 'POST', { cell_key: cellKey, name });

  /** Every run of the cell experiment ``id`` ran, and what changed between them. */
  history = (id: number) => this.request<ICellHistory>(`experiments/${id}/history`);

  /** Two experiments side by side: both, the predictions judged on each, and what changed from ``oldId`` to ``newId``. */
  compare = (oldId: number, newId: number) => this.request<IComparison>(`experiments/compare?old=${oldId}&new=${newId}`);

  /** Keep the logbook's drift threshold (read by every kernel) equal to the setting; writes only on a change. */
  async syncDriftThreshold(value: number): Promise<void> {
    const current = await this.request<{ drift_threshold: number }>('settings');
    if (current.drift_threshold !== value) {
      await this.send('settings', 'POST', { drift_threshold: value });
    }
  }

  /**
   * Sign exactly these predictions, so kernels evaluate them from the next cell on: each as it was
   * shown (``shown``, by default the list last fetched), by the hash the server gave it. A prediction
   * changed since is answered 409 and nothing is signed.
   */
  trustPredictions = (ids: string[], shown: ReadonlyArray<IUntrusted> = this._untrusted) => {
    const hashes: Record<string, string> = {};
    for (const p of shown as ReadonlyArray<IUntrusted & { hash?: string }>) {
      if (ids.includes(p.id) && p.hash) {
        hashes[p.id] = p.hash;
      }
    }
    return this.send<{ trusted: IPrediction[] }>('trust', 'POST', { ids, hashes });
  };

  /** The predictions not trusted here (from a cloned logbook or edited by hand), as of the last hypotheses change. */
  get untrusted(): IUntrusted[] {
    return this._untrusted;
  }

  async setSurpriseFilter(filter: SurpriseFilter): Promise<void> {
    this._filter = filter;
    await this.surprises.reset();
  }

  async search(query: string): Promise<void> {
    this._query = query;
    await this.experiments.reset();
  }

  /** Where the notebook has looked in the models experiment ``id`` ran. */
  coverage = (id: number) => this.request<ICoverage[]>(`experiments/${id}/coverage`);

  /** Experiment ``experimentId``'s pinned figures. */
  pins = (experimentId: number) => this.request<IPin[]>(`experiments/${experimentId}/pins`);

  /** Pin the figure at output ``position`` to the report; pinning a pinned figure again sets its caption. */
  pin = (experimentId: number, position: number, caption?: string) =>
    this.send<IPin>(`experiments/${experimentId}/pins`, 'POST', caption === undefined ? { position } : { position, caption });

  unpin = async (experimentId: number, position: number): Promise<void> => {
    await this.request(`experiments/${experimentId}/pins?position=${position}`, { method: 'DELETE' });
  };

  /** Read a route the model keeps no state for (notes, search, the dashboard). */
  read = <T>(path: string) => this.request<T>(path);

  /** One experiment with everything recorded about it, and the predictions judged there. */
  async experiment(id: number): Promise<{ experiment: IExperiment; judgements: IJudgement[] }> {
    const [experiment, judged] = await Promise.all([
      this.request<IExperiment>(`experiments/${id}`),
      this.request<{ judgements: IJudgement[] }>(`experiments/${id}/judgements`)
    ]);
    return { experiment, judgements: judged.judgements };
  }

  // -- the feed and the sections it refetches ---------------------------

  private async follow(): Promise<void> {
    let since = -1;
    while (!this.disposed) {
      try {
        const feed = await this.request<IFeed>(`feed?since=${since}&timeout=${this.pollSeconds}`);
        this.offset = clockOffset(feed.server_time, Date.now());
        since = feed.revision;
        this.setError('');
        const changed = changedSections(this.seen, feed.sections);
        if (changed.length) {
          this._revised.emit(changed); // views that read the logbook their own way (the dashboard) start now
        }
        await Promise.all(
          changed.map(async section => {
            await this.loaders[section]();
            this.seen[section] = feed.sections[section];
          })
        );
      } catch (error) {
        if (this.disposed) {
          return;
        }
        this.setError(message(error));
        since = -1; // ask again at once for the sections that did not load
        await new Promise(resolve => setTimeout(resolve, this.retryMs));
      }
    }
  }

  private loaders: Record<Section, () => Promise<void>> = {
    mode: async () => {
      const mode = await this.request<{ mode: string | null; balance: IModeBalance[] }>('mode');
      [this._mode, this._balance] = [mode.mode, mode.balance];
      this._changed.emit('mode');
    },
    brainstorm: async () => {
      const split = splitBrainstorms(await this.request<IBrainstorm[]>('brainstorms'));
      [this._brainstorm, this._past] = [split.current, split.past];
      this._changed.emit('brainstorm');
    },
    hypotheses: async () => {
      const since = encodeURIComponent(this.hypothesesVersion);
      const delta = await this.request<IHypothesesDelta>(`feed/hypotheses?since=${since}`);
      this._hypotheses = mergeHypotheses(this._hypotheses, delta);
      this._ordered = orderHypotheses(this._hypotheses.values());
      this.hypothesesVersion = delta.version;
      // The trust list is asked for only while some prediction is untrusted: usually never.
      const untrustedSeen = delta.hypotheses.some(h => h.predictions.some(p => !p.trusted));
      if (untrustedSeen || this._untrusted.length > 0) {
        const trust = await this.request<{ predictions: IUntrusted[] }>('trust');
        this._untrusted = trust.predictions;
      }
      this._changed.emit('hypotheses');
    },
    surprises: () => {
      this.lookups.clear();
      return this.surprises.refresh();
    },
    experiments: () => this.experiments.refresh(),
    // Sets, proposals and predictions due fetch their own routes when told: only when one of them changed.
    beliefs: async () => this._changed.emit('beliefs'),
    // A teammate wrote to their own file: the team section fetches its view when told.
    team: async () => this._changed.emit('team')
  };

  private async surprisePage(offset: number, limit: number) {
    const filter = this._filter;
    const page = await this.request<ISurprisePage>(`feed/surprises?status=${filter}&limit=${limit}&offset=${offset}`);
    this._unread = page.unread;
    if (filter === 'open' && offset === 0) {
      // An empty inbox says whether anything was ever surprising: one small count, only then.
      this._resolvedCount = page.total > 0 ? 0 : (await this.request<ISurprisePage>('feed/surprises?status=resolved&limit=1&offset=0')).total;
    }
    return { total: page.total, rows: page.surprises.filter(s => matchesFilter(s, filter)) };
  }

  private async experimentPage(offset: number, limit: number) {
    const q = this._query ? `&q=${encodeURIComponent(this._query)}` : '';
    const page = await this.request<{ total: number; experiments: IExperimentRow[] }>(
      `experiments?limit=${limit}&offset=${offset}${q}`
    );
    return { total: page.total, rows: page.experiments };
  }

  private async loadStatus(): Promise<void> {
    try {
      this._status = await this.request<IStatus>('status');
      this._changed.emit('status');
    } catch (error) {
      this.setError(message(error));
    }
  }

  private send<T = unknown>(path: string, method: string, body: unknown): Promise<T> {
    return this.request<T>(path, { method, body: JSON.stringify(body) });
  }

  private setError(error: string): void {
    if (error !== this._error) {
      this._error = error;
      this._changed.emit('status');
    }
  }

  private _revised = new Signal<this, Section[]>(this);
  private readonly request: Requester;
  private readonly retryMs: number;
  private readonly pollSeconds: number;
  private hypothesesVersion = '';
  private lookups = new Map<string, Promise<ISurprise[]>>();
  private _resolvedCount = 0;
  private _untrusted: IUntrusted[] = [];
  private seen: Partial<Record<Section, string>> = {};
  private started = false;
  private disposed = false;
  private timer: ReturnType<typeof setInterval> | undefined;
}
