/** Calls to Logbook's REST API under <base_url>/logbook/api/, with Jupyter's auth and XSRF. */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

export class LogbookApiError extends Error {
  constructor(
    message: string,
    readonly status: number
  ) {
    super(message);
  }
}

export async function requestAPI<T>(path: string, init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'logbook', 'api', path);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new LogbookApiError(`cannot reach the Jupyter server: ${error}`, 0);
  }
  const text = await response.text();
  let data: any = text;
  try {
    data = text ? JSON.parse(text) : {};
  } catch {
    // Not JSON: an export or an output, returned as text.
  }
  if (!response.ok) {
    const message = (data && (data.message || data.error || data.reason)) || response.statusText;
    throw new LogbookApiError(message, response.status);
  }
  return data as T;
}

export const send = <T>(path: string, method: string, body: unknown): Promise<T> =>
  requestAPI<T>(path, { method, body: JSON.stringify(body) });

export interface IPrediction {
  id: string;
  hypothesis_id: string;
  kind: 'expression' | 'text';
  expression: string;
  names: string[];
  credence: number;
  state: 'pending' | 'held' | 'failed' | 'error' | 'too_slow';
  error: string | null;
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
  status: 'unread' | 'read' | 'explained';
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

export interface IModeBalance {
  mode: string;
  experiments: number;
  run_seconds: number;
  mode_seconds?: number;
}
