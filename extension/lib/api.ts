/** Calls to Logbook's REST API under <base_url>/logbook/api/, with Jupyter's auth and XSRF. */

import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { LogbookApiError, Requester } from './types';

export { LogbookApiError };

async function fetchAPI(path: string, init: RequestInit): Promise<Response> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'logbook', 'api', path);
  try {
    return await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new LogbookApiError(`cannot reach the Jupyter server: ${error}`, 0);
  }
}

export const requestAPI: Requester = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
  const response = await fetchAPI(path, init);
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
};

/** An output's bytes, typed as ``mime`` (the server sends all but PNG as inert text). */
export async function requestBlob(path: string, mime: string): Promise<Blob> {
  const response = await fetchAPI(path, {});
  if (!response.ok) {
    throw new LogbookApiError(response.statusText, response.status);
  }
  return new Blob([await response.arrayBuffer()], { type: mime });
}

