/**
 * The shapes the Logbook REST API answers with (under <base_url>/logbook/api/).
 *
 * docs/api-schema.json is the server's own account of every route's reply (`logbook schema --api`);
 * tests/unit/test_frontend_types.py checks each interface here against it, for every route.
 */

/** What the feed versions: a sidebar section, or the beliefs part (competing sets, proposals, predictions due). */
export type Section = 'mode' | 'brainstorm' | 'surprises' | 'hypotheses' | 'experiments' | 'beliefs' | 'team';
export const SECTIONS: Section[] = ['mode', 'brainstorm', 'surprises', 'hypotheses', 'experiments', 'beliefs', 'team'];
export type SurpriseFilter = 'open' | 'resolved' | 'all';

/** Calls the API: a path under logbook/api/ and fetch options; resolves to the parsed JSON. */
export type Requester = <T>(path: string, init?: RequestInit) => Promise<T>;

export class LogbookApiError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

/** One run of equal verdicts in a row: ``count`` times held (or failed), first and last where. */
export interface IVerdict {
  held: boolean;
  count: number;
  at: string;
  experiment_id: number | null;
  record: string;
  last_at: string;
  last_experiment_id: number | null;
  last_record: string;
}

/** A version of a prediction before its first verdict. */
export interface IPredictionVersion {
  expression: string;
  credence: number;
  at: string;
}

export interface IPrediction {
  id: string;
  hypothesis_id: string;
  kind: 'expression' | 'text';
  expression: string;
  names: string[];
  credence: number;
  state: 'pending' | 'held' | 'failed' | 'error' | 'too_slow';
  error: string | null;
  created_at: string;
  evaluated_at: string | null;
  /** Signed by this user; untrusted predictions are never evaluated by kernels. */
  trusted: boolean;
  first_verdict: 'held' | 'failed' | null;
  verdicts: IVerdict[];
  history: IPredictionVersion[];
  revises: string | null;
  superseded_by: string | null;
  /** The research mode in force when it was written. */
  mode: 'confirm' | 'red-team' | 'explore' | null;
  /** P(it holds | a rival of the set), by hypothesis id and "else" (absent from an older server). */
  likelihoods?: Record<string, number>;
  /** P(it holds | its hypothesis is false), for a hypothesis in no set. */
  base_rate?: number | null;
  /** When it should be judged by; past it, still pending, it is due. */
  resolve_by?: string | null;
  tags?: string[];
}

/** A prediction waiting for trust, as ``GET trust`` lists it; ``refusal`` says why it cannot be trusted. */
export interface IUntrusted extends IPrediction {
  statement: string;
  refusal: string | null;
  /** Why it is untrusted: "names changed", "from another logbook" ... */
  reasons?: string[];
  /** The hash of what trusting it signs, sent back with the trust. */
  hash?: string;
}

/** ``GET trust``: every prediction not signed by this user. */
export interface ITrustReview {
  predictions: IUntrusted[];
}

/** ``POST trust``: the predictions now signed. */
export interface ITrusted {
  trusted: IPrediction[];
}

export interface IHypothesis {
  id: string;
  statement: string;
  credence: number;
  status: 'active' | 'supported' | 'refuted' | 'abandoned';
  created_at: string;
  brainstorm_id: number | null;
  history: { credence: number; reason: string; at: string }[];
  predictions: IPrediction[];
  /** Why it is going well enough to try to break it; null otherwise. */
  going_well: string | null;
  /** The surprise it was stated to follow up ("S3"); null otherwise (absent from an older server). */
  follows?: string | null;
  /** The competing set it is a rival in (C1 is 1); null when alone. */
  set_id?: number | null;
  tags?: string[];
}

export interface ISurprise {
  id: number;
  hypothesis_id: string | null;
  prediction_id: string | null;
  prediction: string | null;
  observed: Record<string, any>;
  credence: number | null;
  surprisal_bits: number | null;
  experiment_id: number | null;
  created_at: string;
  manual: boolean;
  note: string;
  /** open, explained (no belief changed) or acted_on (a belief changed). */
  status: 'open' | 'explained' | 'acted_on';
  read: boolean;
  resolution: 'refuted' | 'credence_updated' | 'explained' | 'dismissed' | 'followed_up' | null;
  explanation: string;
  resolved_at: string | null;
  resolved_by: string | null;
  /** prediction: a failed prediction or a flag; drift: a value that moved from its earlier runs, unpredicted. */
  kind: 'prediction' | 'drift';
  drift: IDriftDetails | null;
  /** The values that decided the verdict, in evaluation order; the last is the prediction with them in. */
  steps?: IStep[];
  /** How many runs in a row failed it (more than one: it failed again), the last of them when and where. */
  runs?: number;
  last_at?: string | null;
  last_experiment_id?: number | null;
  /** The values that decided its latest run, when it failed again. */
  last_steps?: IStep[];
}

/** One part of a prediction and its value when judged: ``head_scores.max()`` → ``0.3``. */
export interface IStep {
  text: string;
  value: string;
}

/** One part of a value that moved in a cell run: ``scores[1, 3]`` changed sign. */
export interface IDriftMove {
  name: string;
  /** Which part, as indexing: "", "[1, 3]", ".mean", "['blocks.0.attn.hook_pattern'].mean". */
  part: string;
  /** name + part. */
  label?: string;
  change: string;
  value: any;
  earlier: { experiment_id: number | null; value: any }[];
  bits?: number | null;
  hypotheses: string[];
  cell_key: string;
}

/** What moved in one run of a cell: every part, most surprising first; the fields of the first at the top. */
export interface IDriftDetails extends IDriftMove {
  moves?: IDriftMove[];
}

/** All runs of one cell, oldest first, and what changed between each and the next. */
export interface ICellHistory {
  cell_key: string;
  notebook: string | null;
  cell_id: string | null;
  runs: ICellRun[];
  steps: IHistoryStep[];
  expected: string[];
  /** Each value expected to vary here and the size of change marked normal (null: never flagged here). */
  expected_envelopes?: { label: string; envelope: number | null }[];
}

export interface ICellRun {
  experiment_id: number;
  started_at: string;
  execution_count: number | null;
  ok: boolean;
  error_name: string | null;
  source_key: string | null;
  drift: number;
}

export interface IHistoryStep {
  previous_id: number;
  experiment_id: number;
  same_source: boolean;
  source_diff: string;
  values: { name: string; old: Record<string, any> | null; new: Record<string, any> | null }[];
  outputs: { position: number; old: IOutput | null; new: IOutput | null }[];
  flipped: { prediction_id: string; hypothesis_id: string | null; expression: string | null; old: 'held' | 'failed'; new: 'held' | 'failed' }[];
}

export interface IBrainstorm {
  id: number;
  started_at: string;
  planned_seconds: number;
  target: number;
  finished_at: string | null;
  paused_at: string | null;
  paused_seconds: number;
  hypothesis_ids: string[];
}

export interface IExperimentRow {
  id: number;
  started_at: string;
  duration_ms: number;
  ok: boolean;
  error_name: string | null;
  notebook: string | null;
  lab_path: string | null;
  cell_id: string | null;
  execution_count: number | null;
  mode: string | null;
  source: string;
  /** With a search: the line that matched, and where. */
  match?: { field: string; line: number; text: string; marks?: [number, number][] } | null;
}

export interface IStatus {
  version: string;
  path: string;
  mode: string | null;
  hypotheses: number;
  experiments: number;
  surprises: number;
  unread_surprises: number;
  revision: number;
  error?: string;
}

/** ``GET changes``: the revision once the logbook moved past the one asked about. */
export interface IRevision {
  revision: number;
}

export interface IModeBalance {
  mode: string;
  experiments: number;
  run_seconds: number;
  mode_seconds?: number | null;
}

/** ``GET mode``: the research mode in force and the balance between modes. */
export interface IModeState {
  mode: string | null;
  balance: IModeBalance[];
}

/** ``POST mode``: the switch of research mode just made. */
export interface IMode {
  id: number;
  mode: 'confirm' | 'red-team' | 'explore';
  started_at: string;
}

/** The change feed: the revision, the server's clock, and one version per section. */
export interface IFeed {
  revision: number;
  server_time: string;
  sections: Record<Section, string>;
}

/** One author of a team project: their file's state as read, and what it holds. */
export interface ITeamAuthor {
  author: string;
  mine: boolean;
  state: 'ok' | 'damaged' | 'newer' | 'older' | 'half-copied' | 'unreadable';
  /** The state in words: "half-copied: its records are in a WAL that is not beside it". */
  state_words: string;
  problem: string;
  hypotheses: number;
  experiments: number;
  open_surprises: number;
  events: number;
  /** Whether a teammate's record verified when the server last checked it (null: not yet, or your own). */
  verified: boolean | null;
  verify_problem: string;
}

/** A remark one author wrote on another's record: R2·ana comment on H3·bob, and the record it made. */
export interface ITeamRemark {
  author: string;
  label: string;
  kind: 'comment' | 'challenge' | 'follow-up';
  about: string;
  text: string;
  made: string | null;
  created_at: string;
}

/** A remark as written in your own logbook (``POST team/remarks``). */
export interface IRemark {
  id: number;
  kind: 'comment' | 'challenge' | 'follow-up';
  about_author: string;
  about_id: string;
  text: string;
  hypothesis_id: string | null;
  prediction_id: string | null;
  author: string | null;
  created_at: string;
}

/** A prediction of a teammate's hypothesis: H3.P1·ana, what it says, where it stands. */
export interface ITeamPrediction {
  label: string;
  expression: string;
  credence: number;
  state: string;
}

/** A hypothesis of one author; ``label`` is the id a team reads (H3·ana when there are several authors). */
export interface ITeamHypothesis {
  author: string;
  id: string;
  label: string;
  statement: string;
  credence: number;
  status: string;
  /** Its predictions (the newest version of each), in the order written. */
  predictions: ITeamPrediction[];
  remarks: ITeamRemark[];
  /** The teammate's record this one challenges or follows up (H3·bob). */
  answers: string | null;
}

/** An open surprise of one author. */
export interface ITeamSurprise {
  author: string;
  id: number;
  label: string;
  what: string;
  surprisal_bits: number | null;
  experiment_id: number | null;
  flagged_at: string;
  remarks: ITeamRemark[];
}

/** ``GET team``: every author, and the records of the authors asked for. */
export interface ITeamView {
  team: boolean;
  authors: ITeamAuthor[];
  hypotheses: ITeamHypothesis[];
  surprises: ITeamSurprise[];
  /** The latest experiments of the authors asked for, newest first. */
  experiments: ITeamExperiment[];
}

/** One of an author's latest cells: E12·bob, where it ran, its first line, whether it failed. */
export interface ITeamExperiment {
  author: string;
  id: number;
  label: string;
  notebook: string | null;
  summary: string;
  ok: boolean;
  started_at: string;
}

export interface IHypothesesDelta {
  version: string;
  full: boolean;
  hypotheses: IHypothesis[];
}

export interface ISurprisePage {
  status: SurpriseFilter;
  total: number;
  unread: number;
  offset: number;
  surprises: ISurprise[];
}

export interface IPage<T> {
  total: number;
  rows: T[];
}

export interface IOutput {
  mime: string;
  sha256: string;
  size: number;
  truncated: boolean;
}

export interface IExperiment {
  id: number;
  session: string;
  notebook: string | null;
  lab_path: string | null;
  /** Whether its rich outputs may run as yours: recorded by you and unchanged since. */
  outputs_trusted?: boolean;
  /** Why not, in words ("recorded by ana, not by you"). */
  outputs_untrusted_why?: string;
  cell_id: string | null;
  execution_count: number | null;
  source: string;
  started_at: string;
  duration_ms: number;
  ok: boolean;
  error: { name: string; value: string; traceback: string } | null;
  stdout: string;
  stderr: string;
  outputs: IOutput[];
  names: Record<string, Record<string, any>>;
  torch: Record<string, any>;
  mode: 'confirm' | 'red-team' | 'explore' | null;
  record_ms: number | null;
  /** The key all runs of this cell share. */
  cell_key: string | null;
  /** The user whose kernel recorded the cell (absent from an older server). */
  author?: string | null;
}

/** A prediction judged in an experiment: held (evidence) or failed (a surprise). */
export interface IJudgement {
  id: number;
  verdict: 'held' | 'failed';
  /** Where it is kept: evidence (held) or surprises (failed). */
  table?: 'evidence' | 'surprises';
  experiment_id?: number | null;
  hypothesis_id: string | null;
  prediction_id: string | null;
  prediction: string | null;
  statement: string | null;
  observed: Record<string, any>;
  /** The values that decided the verdict (absent from an older server). */
  steps?: IStep[] | string | null;
  credence: number | null;
  surprisal_bits: number | null;
  created_at: string;
}

/** ``GET experiments/{id}/judgements``: the predictions judged in one experiment, oldest first. */
export interface IExperimentJudgements {
  experiment_id: number;
  judgements: IJudgement[];
}

/** A result that bore out a prediction: what ``POST predictions/{id}/verdict`` answers for a held one. */
export interface IEvidence {
  id: number;
  hypothesis_id: string;
  prediction_id: string | null;
  prediction: string | null;
  observed: Record<string, any>;
  steps: IStep[];
  credence: number | null;
  surprisal_bits: number | null;
  experiment_id: number | null;
  created_at: string;
}

/** ``POST predictions/check`` of a prediction: the names it reads. */
export interface IExpressionAccepted {
  ok: true;
  names: string[];
}

/** ``POST predictions/check`` of what is no prediction: why. */
export interface IExpressionRefused {
  ok: false;
  error: string;
}

export type IExpressionCheck = IExpressionAccepted | IExpressionRefused;

/** ``GET brainstorms/current``: the brainstorm running, if any, and the server's clock for its timer. */
export interface ICurrentBrainstorm {
  brainstorm: IBrainstorm | null;
  server_time: string;
}

/** ``GET experiments``: one page of experiments, newest first, and how many there are. */
export interface IExperimentPage {
  total: number;
  offset: number;
  experiments: IExperimentRow[];
}

/** What the expected routes answer: what is expected to vary in one cell, and by how much. */
export interface IExpectedValues {
  cell_key: string;
  expected: string[];
  expected_envelopes: { label: string; envelope: number | null }[];
}

/** ``GET``/``POST settings``: the relative change that flags a value with few earlier runs. */
export interface IDriftSettings {
  drift_threshold: number;
}

/** ``POST export``: the file written, relative to the project folder, and its size. */
export interface IExportWritten {
  path: string;
  bytes: number;
}

/** The calibration of the first verdicts that share one value of a dimension. */
export interface ICalibrationSlice {
  dimension: string;
  key: string;
  judged: number;
  came_true: number;
  brier: number;
  mean_credence: number;
  warning: string | null;
}

/** ``GET calibration?by=tag|mode|brainstorm|model``: one slice per value, most judged first. */
export interface ICalibrationSlices {
  by: string;
  slices: ICalibrationSlice[];
}

/** The Brier score of the last first verdicts (up to the window) as of the ``index``-th one. */
export interface IRollingPoint {
  at: string;
  index: number;
  judged: number;
  brier: number;
}

/** ``GET calibration?by=time``: the rolling Brier score, and whether it is getting better, in words. */
export interface ICalibrationOverTime {
  by: 'time';
  points: IRollingPoint[];
  summary: string;
}

/** One kind's figure script: its package's version, digest, size, public path, and whether the logbook has such figures. */
export interface IBundleReady {
  version: string | null;
  digest: string;
  bytes: number;
  script: string;
  recorded: boolean;
}

/** Why one kind's figures cannot be drawn, and what to install. */
export interface IBundleMissing {
  missing: string;
}

/** ``GET bundles``: the script that draws each kind of figure, or why there is none. */
export interface IBundles {
  plotly: IBundleReady | IBundleMissing;
  circuitsvis: IBundleReady | IBundleMissing;
}

/** How one surprise of a bulk action went: closed (or already closed), or refused with the reason. */
export interface IBulkResult {
  id: number;
  ok: boolean;
  already?: boolean;
  error?: string;
  surprise?: ISurprise;
}

/** Bulk triage: ``POST surprises/bulk`` closes each on its own and answers per id. */
export interface IBulkAnswer {
  closed: number;
  already: number;
  refused: number;
  results: IBulkResult[];
}

/** What a card under a cell knows of its surprise, to find it: its id, its prediction, or its note. */
export interface ISurpriseRef {
  id?: number | null;
  prediction_id?: string | null;
  hypothesis_id?: string | null;
  prediction?: string | null;
  note?: string | null;
  /** The values the card shows, to tell one failure of a prediction from another. */
  observed?: Record<string, any> | null;
}

/** How a surprise is resolved from the inbox: the body of ``PATCH surprises/<id>``. */
export interface IResolution {
  action: NonNullable<ISurprise['resolution']>;
  explanation?: string;
  credence?: number;
  reason?: string;
}

export interface ILogbookSettings {
  brainstormMinutes: number;
  brainstormTarget: number;
  defaultCredence: number;
  exportFolder: string;
  driftThreshold: number;
}

export const DEFAULT_SETTINGS: ILogbookSettings = {
  brainstormMinutes: 5,
  brainstormTarget: 4,
  defaultCredence: 0.5,
  exportFolder: '',
  driftThreshold: 0.5
};

/** Where the notebook has looked in one model (``GET experiments/{id}/coverage``): experiments per kind. */
export interface ICoverage {
  model: string;
  /** The notebook variable holding the model, and its config's architecture name. */
  variable?: string | null;
  architecture?: string | null;
  n_layers: number;
  n_heads: number;
  d_model?: number | null;
  /** The weight fingerprints seen, oldest first: one per retrain. */
  fingerprints?: { fingerprint: string; experiments: number; first_experiment: number; last_experiment: number; first_seen: string | null; last_seen: string | null }[];
  experiments: number[];
  heads: Record<string, number>[][];
  points: { name: string; layered: boolean; layers: Record<string, number>[] }[];
  here: string[];
}

/** One statistic of a value in two experiments (``GET experiments/compare``): ``mean 0.12 → 0.48``. */
export interface IStatChange {
  stat: string;
  old: any;
  new: any;
  changed: boolean;
  /** new − old, when both are finite numbers. */
  delta: number | null;
  /** delta / |old|, when old is a number other than 0. */
  relative: number | null;
}

/** One name assigned in either experiment, its summary in each, and what changed. */
export interface IValueComparison {
  name: string;
  change: 'added' | 'removed' | 'changed' | 'same';
  old: Record<string, any> | null;
  new: Record<string, any> | null;
  stats: IStatChange[];
  shape_changed: boolean;
  /** The type, dtype or device differs. */
  kind_changed: boolean;
  /** The summary fields that differ, sorted. */
  differs: string[];
}

/** One prediction judged on either experiment, with its verdict on each (null: not judged there). */
export interface IVerdictComparison {
  prediction_id: string;
  hypothesis_id: string | null;
  expression: string | null;
  statement: string | null;
  old: 'held' | 'failed' | null;
  new: 'held' | 'failed' | null;
  change: 'held_to_failed' | 'failed_to_held' | 'only_old' | 'only_new' | 'same';
}

/** Two experiments side by side: ``GET experiments/compare?old=&new=``. */
export interface IComparison {
  old: IExperiment;
  new: IExperiment;
  old_judgements: IJudgement[];
  new_judgements: IJudgement[];
  /** Two runs of one cell (they share a cell key). */
  same_cell: boolean;
  same_source: boolean;
  /** Every name either assigned: the new one's order, then the removed ones. */
  values: IValueComparison[];
  /** Held → failed first, then failed → held, then the rest. */
  verdicts: IVerdictComparison[];
}

/** The kinds of record a search of the whole logbook finds, in the order it groups them. */
export type SearchKind = 'hypothesis' | 'prediction' | 'surprise' | 'note' | 'experiment';

/** One record a search found, with the line that matched (``SearchHit`` in logbook/models.py). */
export interface ISearchHit {
  kind: SearchKind;
  /** "H3", "H3.P1", "S12", "N4", "#1234". */
  id: string;
  /** Where it matched: "statement", "explanation", "source", "output", ... */
  field: string;
  line: number;
  /** The matching line, cut to the match and the words around it. */
  text: string;
  /** The matches in ``text``, as [start, end) offsets. */
  marks: [number, number][];
  about: string;
  status?: string | null;
  hypothesis_id?: string | null;
  prediction_id?: string | null;
  surprise_id?: number | null;
  note_id?: number | null;
  experiment_id?: number | null;
  notebook?: string | null;
  lab_path?: string | null;
}

/** The hits of one kind, best first: ``total`` match, the newest ``ranked`` of them were ranked. */
export interface ISearchGroup {
  kind: SearchKind;
  total: number;
  ranked: number;
  offset: number;
  hits: ISearchHit[];
}

/** ``GET search?q=``: what a search of the whole logbook found, grouped by kind. */
export interface ISearchResults {
  query: string;
  groups: ISearchGroup[];
  /** In a team project, what the search found in each teammate's logbook (first page only). */
  teammates: ITeammateMatches[];
}

/** What a search found in one teammate's logbook: how many records, and the best of each kind. */
export interface ITeammateMatches {
  author: string;
  total: number;
  hits: ISearchHit[];
}
