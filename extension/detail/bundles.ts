/**
 * The scripts that draw Plotly and CircuitsVis figures, from the packages installed beside the Jupyter
 * server (``GET bundles`` names them; each is served publicly under its digest). A figure frame loads its
 * script by URL, the one address its content policy lets it reach.
 *
 * Chromium keeps a script it compiled for the page while some frame still holds it: so, once per page, a
 * hidden frame (the *keeper*) loads each kind's script and stays, and every figure frame after it finds
 * plotly.js (4.8 MB) compiled instead of compiling it again. The keeper is made in idle time when the
 * logbook holds figures of that kind (``readyFigureScripts``), or after the first figure of that kind drew.
 */

import { ServerConnection } from '@jupyterlab/services';
import { URLExt } from '@jupyterlab/coreutils';

import { requestAPI } from '../lib/api';
import { whenIdle } from '../lib/idle';
import { IBundleReady, IBundles } from '../lib/types';
import { BundleKind, KIND_NAMES, figureDocument, scriptTag } from './outputformat';

/** A figure kind whose script is not to be had: says why, and what to install. */
export class BundleMissing extends Error {}

let index: Promise<IBundles> | null = null;
const keepers = new Map<BundleKind, Promise<void>>();

function bundles(): Promise<IBundles> {
  if (!index) {
    index = requestAPI<IBundles>('bundles');
    index.catch(() => (index = null));
  }
  return index;
}

async function ready(kind: BundleKind): Promise<IBundleReady> {
  const info = (await bundles())[kind];
  if (!info) {
    throw new BundleMissing(`This Jupyter server cannot serve the script that draws ${KIND_NAMES[kind]} figures.`);
  }
  if ('missing' in info) {
    index = null; // installed later, it is found on the next try
    throw new BundleMissing(info.missing);
  }
  return info;
}

/** The absolute URL of the script that draws ``kind`` figures; throws ``BundleMissing`` (with what to install) when there is none. */
export async function bundleScript(kind: BundleKind): Promise<string> {
  const info = await ready(kind);
  return new URL(URLExt.join(ServerConnection.makeSettings().baseUrl, info.script), window.location.href).href;
}

/** The keeper of ``kind``'s script: made once per page, resolved when its script has run. */
export function keepScript(kind: BundleKind, url: string): Promise<void> {
  let kept = keepers.get(kind);
  if (!kept) {
    const frame = document.createElement('iframe');
    frame.className = 'jp-Logbook-scriptKeeper';
    frame.dataset.figureScript = kind;
    frame.setAttribute('sandbox', 'allow-scripts');
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    frame.title = `${KIND_NAMES[kind]} script, kept compiled`;
    frame.style.display = 'none';
    kept = new Promise<void>(resolve => frame.addEventListener('load', () => resolve(), { once: true }));
    frame.srcdoc = figureDocument(scriptTag(url), url);
    document.body.append(frame);
    keepers.set(kind, kept);
  }
  return kept;
}

/** Wait for ``kind``'s keeper if one is on its way (so the script is compiled once, not twice at the same time). */
export function keeperOf(kind: BundleKind): Promise<void> | undefined {
  return keepers.get(kind);
}

/**
 * In the browser's idle time, keep the script of each kind of figure the logbook holds, so that the first
 * experiment opened with one draws it without compiling the script. Nothing is fetched for a logbook
 * without Plotly or CircuitsVis figures. The document's root says how far it is
 * (``data-logbook-figure-scripts``: waiting, loading, ready with the milliseconds in
 * ``data-logbook-figure-scripts-ms``, or none).
 */
export function readyFigureScripts(): void {
  const root = document.documentElement;
  if (root.dataset.logbookFigureScripts) {
    return;
  }
  root.dataset.logbookFigureScripts = 'waiting';
  whenIdle(async () => {
    const kinds: BundleKind[] = [];
    try {
      const found = await bundles();
      for (const kind of Object.keys(KIND_NAMES) as BundleKind[]) {
        const info = found[kind];
        if (info && !('missing' in info) && info.recorded) {
          kinds.push(kind);
        }
      }
    } catch {
      // the server could not say: the first figure opened loads its script
    }
    if (!kinds.length) {
      root.dataset.logbookFigureScripts = 'none';
      return;
    }
    root.dataset.logbookFigureScripts = 'loading';
    const started = performance.now();
    try {
      for (const kind of kinds) {
        await keepScript(kind, await bundleScript(kind));
      }
      root.dataset.logbookFigureScriptsMs = String(Math.round(performance.now() - started));
      root.dataset.logbookFigureScripts = 'ready';
    } catch {
      root.dataset.logbookFigureScripts = 'failed';
    }
  });
}
