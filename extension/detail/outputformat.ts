/**
 * How a recorded output is shown, as pure functions: which displays the outputs make and which form of
 * each the notebook drew, and the documents the sandboxed figure frames run (HTML of yours, Plotly
 * figures drawn from their JSON, CircuitsVis views), each carrying the script it needs inline.
 */

import { IOutput } from '../lib/types';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** The types kept of each display, in the order the kernel keeps them (logbook/figures.py). */
export const RECORDED_MIMES = ['text/plain', 'text/html', PLOTLY_MIME, 'image/svg+xml', 'image/png', 'image/jpeg'];

/** Which form of a display is shown, richest first, as JupyterLab picks it (Plotly's JSON before its HTML). */
export const SHOWN_FIRST = [PLOTLY_MIME, 'text/html', 'image/svg+xml', 'image/png', 'image/jpeg', 'text/plain'];

/** How a logbook record shows itself in a notebook: HTML, but not a figure (logbook/figures.py). */
export const RECORD_HTML = '<span class="jp-Logbook-record">';

export interface IPlaced {
  position: number;
  output: IOutput;
}

/**
 * ``outputs`` split into the displays that made them: a display's rows follow RECORDED_MIMES, so a row
 * whose type does not come later than the row before starts the next display (as ``figures.displays``).
 */
export function displayGroups(outputs: IOutput[]): IPlaced[][] {
  const groups: IPlaced[][] = [];
  let last = RECORDED_MIMES.length;
  outputs.forEach((output, position) => {
    const found = RECORDED_MIMES.indexOf(output.mime);
    const rank = found < 0 ? RECORDED_MIMES.length : found;
    if (rank <= last || rank === RECORDED_MIMES.length || !groups.length) {
      groups.push([]);
    }
    groups[groups.length - 1].push({ position, output });
    last = rank;
  });
  return groups;
}

/** The form of a display the notebook showed. */
export function shownOutput(group: IPlaced[]): IPlaced {
  const rank = (p: IPlaced) => {
    const found = SHOWN_FIRST.indexOf(p.output.mime);
    return found < 0 ? SHOWN_FIRST.length : found;
  };
  return [...group].sort((a, b) => rank(a) - rank(b) || a.position - b.position)[0];
}

/** A display's image, to show when its rich form cannot be drawn. */
export function staticOutput(group: IPlaced[]): IPlaced | undefined {
  return group.find(p => p.output.mime.startsWith('image/'));
}

/**
 * What a frame running a recorded figure may reach: nothing outside itself. No network (fetch, images,
 * fonts or styles from anywhere), no forms, no frames or workers of its own; its sandbox (scripts only)
 * also keeps it from JupyterLab, top navigation and form posts. WebRTC, which no content policy stops,
 * is taken away by the frame's first script. A frame may still navigate itself.
 */
export const FIGURE_POLICY =
  "default-src 'none'; script-src 'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; " +
  "img-src data: blob:; font-src data:; form-action 'none'; base-uri 'none'; frame-src 'none'; " +
  "child-src 'none'; worker-src 'none'";

const NO_WEBRTC = `<script>(function () {
  ["RTCPeerConnection", "webkitRTCPeerConnection", "RTCDataChannel", "RTCRtpSender", "RTCRtpReceiver",
   "RTCSessionDescription", "RTCIceCandidate", "RTCIceTransport", "RTCDtlsTransport", "RTCSctpTransport"]
    .forEach(function (name) {
      try { Object.defineProperty(window, name, { value: undefined, writable: false, configurable: false }); }
      catch (e) {}
    });
})();</script>`;

/** Tells the view how tall the frame's content is (the frame cannot be measured from outside) and what failed. */
const FRAME_REPORTS = `<script>(function () {
  function size() {
    var root = document.documentElement, body = document.body;
    var height = Math.max(root ? root.scrollHeight : 0, body ? body.scrollHeight : 0);
    parent.postMessage({ logbookFrameHeight: Math.ceil(height) }, "*");
  }
  window.addEventListener("error", function (event) {
    parent.postMessage({ logbookFrameError: String(event.message || event.error) }, "*");
  });
  window.addEventListener("load", size);
  window.addEventListener("DOMContentLoaded", function () {
    if (window.ResizeObserver) new ResizeObserver(size).observe(document.body);
    size();
  });
  [300, 1000, 3000].forEach(function (ms) { setTimeout(size, ms); });
})();</script>`;

const FRAME_STYLE = '<style>body { margin: 8px; background: #fff; color: #1b1b1b; font: 13px system-ui, sans-serif; }</style>';

/** The policy of a frame that may load the one script at ``script`` (an absolute URL) besides its own. */
export function figurePolicy(script?: string): string {
  if (!script) {
    return FIGURE_POLICY;
  }
  const url = new URL(script);
  if (!/^https?:$/.test(url.protocol) || url.search || url.hash || /[\s;,'"]/.test(url.href)) {
    throw new Error(`not a script address a frame may load: ${script}`);
  }
  return FIGURE_POLICY.replace("script-src 'unsafe-inline'", `script-src ${url.href} 'unsafe-inline'`);
}

/**
 * The document a trusted HTML output or a figure runs as: its policy and the WebRTC guard first, then the
 * content; ``script`` (an absolute URL) is the one address the frame may load a script from.
 */
export function figureDocument(html: string, script?: string): string {
  return `<meta http-equiv="Content-Security-Policy" content="${figurePolicy(script)}">${NO_WEBRTC}${FRAME_REPORTS}${html}`;
}

/** A ``<script>`` element that loads ``url``. */
export function scriptTag(url: string): string {
  return `<script src="${url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;')}"></script>`;
}

/** A value as a JavaScript literal that is safe inside a ``<script>`` element. */
export function scriptValue(value: unknown): string {
  return JSON.stringify(value ?? null)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** The figure kinds drawn with a script from an installed package (see logbook/server/bundles.py). */
export type BundleKind = 'plotly' | 'circuitsvis';

export const KIND_NAMES: Record<BundleKind, string> = { plotly: 'Plotly', circuitsvis: 'CircuitsVis' };

/** One CircuitsVis view: its element id, its React component and its properties. */
export interface ICircuitsVis {
  uuid: string;
  name: string;
  props: unknown;
}

const CIRCUITSVIS_START = /^\s*<div id="circuits-vis-[\w-]+"/;
const CIRCUITSVIS_CALL =
  /render\(\s*"(circuits-vis-[\w-]+)",\s*(?:CircuitsVis\.)?(\w+),\s*(\{[\s\S]*\})\s*\)\s*<\/script>\s*$/;

/**
 * The CircuitsVis view ``html`` draws, in any of the forms CircuitsVis writes (its bundle inline, or
 * imported from a CDN) or the compact form the logbook keeps (logbook/figure_scripts.py); null for other HTML.
 */
export function circuitsVisFigure(html: string): ICircuitsVis | null {
  if (!CIRCUITSVIS_START.test(html)) {
    return null;
  }
  const tail = html.length > 200_000 ? html.slice(-200_000) : html;
  const match = CIRCUITSVIS_CALL.exec(tail);
  if (!match) {
    return null;
  }
  try {
    return { uuid: match[1], name: match[2], props: JSON.parse(match[3]) };
  } catch {
    return null;
  }
}

/** A Plotly figure as its JSON output carries it. */
export interface IPlotlyFigure {
  data: unknown[];
  layout: Record<string, unknown>;
  config: Record<string, unknown>;
}

/** The figure a Plotly JSON output holds; null when it is not one (not JSON, or no ``data`` list). */
export function plotlyFigure(text: string): IPlotlyFigure | null {
  let spec: any;
  try {
    spec = JSON.parse(text);
  } catch {
    return null;
  }
  if (!spec || typeof spec !== 'object' || !Array.isArray(spec.data)) {
    return null;
  }
  const object = (value: unknown) => (value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
  return { data: spec.data, layout: object(spec.layout), config: object(spec.config) };
}

/** A few words on a Plotly figure, for a figure shown without running: ``2 traces: bar, scatter · "Loss"``. */
export function plotlySummary(figure: IPlotlyFigure): string {
  const types = [...new Set(figure.data.map((t: any) => String(t?.type ?? 'scatter')))];
  const n = figure.data.length;
  const title: any = figure.layout.title;
  const text = typeof title === 'string' ? title : typeof title?.text === 'string' ? title.text : '';
  return `${n} trace${n === 1 ? '' : 's'}${types.length ? `: ${types.join(', ')}` : ''}${text ? ` · “${text}”` : ''}`;
}

/** The document that draws a Plotly figure with plotly.min.js from ``plotly`` (its URL), reaching nothing else. */
export function plotlyDocument(figure: IPlotlyFigure, plotly: string): string {
  const config = { displaylogo: false, responsive: true, ...figure.config };
  const draw =
    `<div id="logbook-plot"></div><script>Plotly.newPlot("logbook-plot", ${scriptValue(figure.data)}, ` +
    `${scriptValue(figure.layout)}, ${scriptValue(config)}).then(function (plot) {` +
    // Drawn in a frame whose width follows the view's: resize with it, as a notebook's output does.
    ` if (window.ResizeObserver) new ResizeObserver(function () { Plotly.Plots.resize(plot).catch(function () {}); }).observe(document.body); });</script>`;
  return figureDocument(`${FRAME_STYLE}${scriptTag(plotly)}${draw}`, plotly);
}

/**
 * CircuitsVis does its tensor arithmetic with TensorFlow.js, which starts a WebGL backend first: on a machine
 * drawing WebGL in software that start alone took 1.5 s per frame, for arithmetic on a few thousand numbers.
 * Without WebGL in the frame, TensorFlow.js uses its CPU backend (the same numbers) and the view draws in
 * tens of milliseconds.
 */
const NO_WEBGL = `<script>(function () {
  [window.HTMLCanvasElement, window.OffscreenCanvas].forEach(function (Canvas) {
    if (!Canvas) return;
    var getContext = Canvas.prototype.getContext;
    Canvas.prototype.getContext = function (kind) {
      return /webgl/i.test(String(kind)) ? null : getContext.apply(this, arguments);
    };
  });
})();</script>`;

/** The document that draws a CircuitsVis view with its browser bundle from ``circuitsvis`` (its URL), reaching nothing else. */
export function circuitsVisDocument(figure: ICircuitsVis, circuitsvis: string): string {
  const draw =
    `<div id="${figure.uuid}" style="margin: 15px 0;"></div><script>` +
    `CircuitsVis.render(${scriptValue(figure.uuid)}, CircuitsVis[${scriptValue(figure.name)}], ${scriptValue(figure.props)});</script>`;
  return figureDocument(`${FRAME_STYLE}${NO_WEBGL}${scriptTag(circuitsvis)}${draw}`, circuitsvis);
}

/** The height a frame takes for content of ``reported`` pixels: a little room, never tiny nor endless. */
export function frameHeight(reported: number): number {
  return Math.min(Math.max(Math.ceil(reported) + 4, 60), 1600);
}
