/** What the sidebar shows: the logbook's state as last fetched, and the signals that say it changed. */

import { ISignal, Signal } from '@lumino/signaling';

import { formatClock, isPaused, isTimeUp, remainingSeconds } from './timer';
import { DEFAULT_SURPRISE_FILTER } from './words';
import {
  DEFAULT_SETTINGS,
  IBrainstorm,
  IHypothesis,
  ILogbookSettings,
  IModeBalance,
  IStatus,
  Section,
  SurpriseFilter
} from './types';

export type ModelChange = Section | 'status' | 'settings';

/** The brainstorm clock, as the sidebar and the status bar show it. */
export interface IClock {
  brainstormId: number | null;
  text: string;
  paused: boolean;
  timeUp: boolean;
}

/** The state, read-only from outside; LogbookModel fetches it and keeps it current. */
export class LogbookState {
  /** Fired with the part of the state that changed. */
  get changed(): ISignal<this, ModelChange> {
    return this._changed;
  }

  /** Fired four times a second while a brainstorm is on, with its clock. */
  get ticked(): ISignal<this, IClock> {
    return this._ticked;
  }

  get settings(): ILogbookSettings {
    return this._settings;
  }

  set settings(settings: ILogbookSettings) {
    this._settings = settings;
    this._changed.emit('settings');
  }

  /** The last failure to reach or read the logbook, or ''. */
  get error(): string {
    return this._error;
  }

  get status(): IStatus | null {
    return this._status;
  }

  get mode(): string | null {
    return this._mode;
  }

  get balance(): IModeBalance[] {
    return this._balance;
  }

  get brainstorm(): IBrainstorm | null {
    return this._brainstorm;
  }

  get pastBrainstorms(): IBrainstorm[] {
    return this._past;
  }

  /** Every hypothesis, active ones first. */
  get hypotheses(): IHypothesis[] {
    return this._ordered;
  }

  hypothesis(id: string): IHypothesis | undefined {
    return this._hypotheses.get(id);
  }

  /** Surprises nobody has looked at yet (the badge). */
  get unread(): number {
    return this._unread;
  }

  get surpriseFilter(): SurpriseFilter {
    return this._filter;
  }

  get query(): string {
    return this._query;
  }

  /** The brainstorm clock now, by the server's time. */
  clock(): IClock {
    const b = this._brainstorm;
    if (!b) {
      return { brainstormId: null, text: '', paused: false, timeUp: false };
    }
    const now = Date.now() + this.offset;
    return { brainstormId: b.id, text: formatClock(remainingSeconds(b, now)), paused: isPaused(b), timeUp: isTimeUp(b, now) };
  }

  protected _settings: ILogbookSettings = DEFAULT_SETTINGS;
  protected _error = '';
  protected _status: IStatus | null = null;
  protected _mode: string | null = null;
  protected _balance: IModeBalance[] = [];
  protected _brainstorm: IBrainstorm | null = null;
  protected _past: IBrainstorm[] = [];
  protected _hypotheses = new Map<string, IHypothesis>();
  protected _ordered: IHypothesis[] = [];
  protected _unread = 0;
  protected _filter: SurpriseFilter = DEFAULT_SURPRISE_FILTER;
  protected _query = '';
  /** Server clock minus local clock, in ms. */
  protected offset = 0;
  protected _changed = new Signal<this, ModelChange>(this);
  protected _ticked = new Signal<this, IClock>(this);
}

const HIDDEN_RED_TEAM = 'jupyterlab-logbook:red-team-hidden';

/** The hypotheses whose red-team card the researcher hid, remembered in the browser. */
export function hiddenRedTeams(): Set<string> {
  try {
    const stored: unknown = JSON.parse(window.localStorage.getItem(HIDDEN_RED_TEAM) ?? '[]');
    return new Set(Array.isArray(stored) ? stored.filter((id): id is string => typeof id === 'string') : []);
  } catch {
    return new Set();
  }
}

/** Hide the red-team card of ``id`` from now on. */
export function hideRedTeam(id: string): void {
  const hidden = hiddenRedTeams().add(id);
  try {
    window.localStorage.setItem(HIDDEN_RED_TEAM, JSON.stringify([...hidden]));
  } catch {
    // a browser without storage forgets it on reload
  }
}
