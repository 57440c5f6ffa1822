/**
 * What the sidebar, the detail views, the dashboard and the commands know of
 * the logbook: its state, the signals that say it changed, and its actions.
 * ``LogbookModel`` implements it; plugins receive it through the
 * ``ILogbookModel`` token (``tokens.ts``), and views depend on nothing more.
 */

import { ISignal } from '@lumino/signaling';

import { PagedList } from './paged';
import { IClock, ModelChange } from './state';
import {
  IBrainstorm,
  IBulkAnswer,
  ICellHistory,
  IComparison,
  ICoverage,
  IExperiment,
  IExperimentRow,
  IHypothesis,
  IJudgement,
  ILogbookSettings,
  IModeBalance,
  IPrediction,
  IRemark,
  IResolution,
  IStatus,
  ISurprise,
  ISurpriseRef,
  IUntrusted,
  Section,
  SurpriseFilter
} from './types';

/** A figure pinned to the report, as the server sends it. */
export interface IPin {
  id: number;
  experiment_id: number;
  position: number;
  caption: string;
  created_at: string;
}

/** The logbook's state as last fetched, and the signals that say it changed. */
export interface ILogbookState {
  /** Fired with the part of the state that changed. */
  readonly changed: ISignal<ILogbookModel, ModelChange>;
  /** Fired four times a second while a brainstorm is on, with its clock. */
  readonly ticked: ISignal<ILogbookModel, IClock>;
  /** The sections the change feed says moved, as soon as it says so (before they are fetched again). */
  readonly revised: ISignal<ILogbookModel, Section[]>;
  settings: ILogbookSettings;
  /** The last failure to reach or read the logbook, or ''. */
  readonly error: string;
  readonly status: IStatus | null;
  readonly mode: string | null;
  readonly balance: IModeBalance[];
  readonly brainstorm: IBrainstorm | null;
  readonly pastBrainstorms: IBrainstorm[];
  /** Every hypothesis, active ones first. */
  readonly hypotheses: IHypothesis[];
  hypothesis(id: string): IHypothesis | undefined;
  /** Surprises nobody has looked at yet (the badge). */
  readonly unread: number;
  readonly surpriseFilter: SurpriseFilter;
  readonly query: string;
  /** With the open filter and nothing open: how many surprises are resolved. */
  readonly resolvedCount: number;
  /** The predictions not trusted here, as of the last hypotheses change. */
  readonly untrusted: IUntrusted[];
  readonly surprises: PagedList<ISurprise>;
  readonly experiments: PagedList<IExperimentRow>;
  /** The brainstorm clock now, by the server's time. */
  clock(): IClock;
}

/** The logbook: its state, kept current by the change feed, and every call to the server. */
export interface ILogbookModel extends ILogbookState {
  readonly isDisposed: boolean;
  /** Stop following the change feed. */
  dispose(): void;
  /** Load everything, then follow the change feed until disposed. */
  start(): void;
  /** Fetch these sections again. */
  refresh(sections: Section[]): Promise<void>;

  // -- research mode and brainstorms
  switchMode(mode: string): Promise<unknown>;
  startBrainstorm(): Promise<unknown>;
  brainstormAction(id: number, action: 'pause' | 'resume' | 'finish'): Promise<unknown>;

  // -- hypotheses and predictions
  addHypothesis(statement: string, credence: number | null, brainstormId?: number | null): Promise<IHypothesis>;
  setCredence(id: string, credence: number, reason: string): Promise<unknown>;
  /** A new status, with its reason; ``credence`` (0-1) too when given (refuting records 0 otherwise). */
  setStatus(id: string, status: string, reason: string, credence?: number | null): Promise<unknown>;
  addPrediction(id: string, kind: 'expression' | 'text', text: string, credence: number): Promise<unknown>;
  editPrediction(id: string, expression: string): Promise<unknown>;
  /** Your verdict on a prediction in words: on experiment ``experimentId`` (null: the last one), with what you saw. */
  judge(id: string, held: boolean, experimentId?: number | null, observed?: string): Promise<unknown>;
  checkExpression(expression: string): Promise<{ ok: boolean; names?: string[]; error?: string }>;
  /** Sign exactly these predictions, each as it was shown (by default the list last fetched). */
  trustPredictions(ids: string[], shown?: ReadonlyArray<IUntrusted>): Promise<{ trusted: IPrediction[] }>;

  // -- competing sets and proposed updates
  competingSets<T>(): Promise<T[]>;
  openProposals<T>(): Promise<T[]>;
  duePredictions<T>(): Promise<T[]>;
  setSetCredence(setId: number, hypothesisId: string, credence: number, reason: string, giveWay: string[] | null): Promise<unknown>;
  setFromBrainstorm(brainstormId: number): Promise<unknown>;
  decideProposal(id: number, decision: 'accepted' | 'edited' | 'rejected', reason: string, credences?: Record<string, number> | null): Promise<unknown>;

  // -- surprises
  setSurpriseFilter(filter: SurpriseFilter): Promise<void>;
  markRead(surprise: ISurprise): Promise<void>;
  resolveSurprise(surprise: ISurprise, resolution: IResolution): Promise<ISurprise>;
  expectDrift(surprise: ISurprise): Promise<ISurprise>;
  followUp(surprise: ISurprise, statement: string, credence: number | null): Promise<IHypothesis>;
  bulkTriage(surprises: ISurprise[], action: 'explained' | 'dismissed' | 'expected', explanation?: string): Promise<IBulkAnswer>;
  /** The surprise a card under a cell stands for, as the server has it now, or null. */
  lookupSurprise(ref: ISurpriseRef): Promise<ISurprise | null>;
  expectValue(cellKey: string, name: string): Promise<{ cell_key: string; expected: string[] }>;
  unexpectValue(cellKey: string, label: string): Promise<{ cell_key: string; expected: string[] }>;

  // -- experiments
  search(query: string): Promise<void>;
  recentExperiments(limit?: number): Promise<IExperimentRow[]>;
  experiment(id: number): Promise<{ experiment: IExperiment; judgements: IJudgement[] }>;
  history(id: number): Promise<ICellHistory>;
  compare(oldId: number, newId: number): Promise<IComparison>;
  coverage(id: number): Promise<ICoverage[]>;
  addNote(text: string, experimentId: number | null, hypothesisId: string | null): Promise<unknown>;
  /** A comment, challenge or follow-up on a teammate's record (``author``, ``id``), written in your logbook. */
  remark(body: { kind: string; author: string; id: string; text?: string; expression?: string; credence?: number }): Promise<IRemark>;

  // -- figures pinned to the report
  /** Experiment ``experimentId``'s pins. */
  pins(experimentId: number): Promise<IPin[]>;
  /** Pin the figure at output ``position`` (pinned already: set its caption). */
  pin(experimentId: number, position: number, caption?: string): Promise<IPin>;
  unpin(experimentId: number, position: number): Promise<void>;

  // -- settings and exports
  syncDriftThreshold(value: number): Promise<void>;
  /** Write an export: the body of ``POST export``. */
  writeExport(body: Record<string, unknown>): Promise<{ path: string; bytes: number }>;

  /** Read a route the model keeps no state for (notes, search, the dashboard); every change goes through an action above. */
  read<T>(path: string): Promise<T>;
}
