/**
 * The scripts that draw Plotly and CircuitsVis figures, from the packages installed beside the Jupyter
 * server (``GET bundles``): fetched once per page, and kept by the browser under their digest, so a
 * figure frame gets its script inline and never reaches the network.
 */

import { requestAPI, requestCachedText } from '../lib/api';
import { BundleKind, KIND_NAMES } from './outputformat';

/** A bundle the server has, or why it has none. */
type IBundleInfo = { version: string | null; digest: string; bytes: number; url: string } | { missing: string };

/** A figure kind whose script is not to be had: says why, and what to install. */
export class BundleMissing extends Error {}

let index: Promise<Record<string, IBundleInfo>> | null = null;
const code = new Map<BundleKind, Promise<string>>();

/** The JavaScript that draws ``kind`` figures; throws ``BundleMissing`` (with what to install) when there is none. */
export function bundleCode(kind: BundleKind): Promise<string> {
  let found = code.get(kind);
  if (!found) {
    found = fetchBundle(kind);
    code.set(kind, found);
    // A failure (the server restarting, say) is asked again next time; a missing package too, once installed.
    found.catch(() => code.delete(kind));
  }
  return found;
}

async function fetchBundle(kind: BundleKind): Promise<string> {
  if (!index) {
    index = requestAPI<Record<string, IBundleInfo>>('bundles');
    index.catch(() => (index = null));
  }
  const info = (await index)[kind];
  if (!info) {
    throw new BundleMissing(`This Jupyter server cannot serve the script that draws ${KIND_NAMES[kind]} figures.`);
  }
  if ('missing' in info) {
    index = null; // installed later, it is found on the next try
    throw new BundleMissing(info.missing);
  }
  return requestCachedText(info.url);
}
