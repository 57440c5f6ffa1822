/**
 * A recorded output as the notebook drew it: images; HTML of yours in a sandboxed frame that runs its
 * scripts and reaches nothing; Plotly figures from their JSON and CircuitsVis views, each frame loading
 * its script from the packages beside the server and nothing else (``bundles.ts``); HTML and figures from
 * elsewhere shown inert, with *Trust and run*; or text.
 */

import { Sanitizer } from '@jupyterlab/apputils';

import { requestBlob } from '../lib/api';
import { BundleMissing, bundleScript, keepScript, keeperOf } from './bundles';
import { button, el } from '../lib/dom';
import { stripAnsi } from '../lib/format';
import {
  BundleKind,
  circuitsVisDocument,
  circuitsVisFigure,
  displayGroups,
  figureDocument,
  frameHeight,
  IPlaced,
  KIND_NAMES,
  PLOTLY_MIME,
  plotlyDocument,
  plotlyFigure,
  plotlySummary,
  RECORD_HTML,
  shownOutput,
  staticOutput
} from './outputformat';
import { IOutput } from '../lib/types';

/** Whether an experiment's rich outputs may run as yours, and why not (see the experiment route). */
export interface IOutputTrust {
  trusted: boolean;
  why: string;
}

/** What else ``outputView`` may use: another form of the same display, shown when the rich one cannot be drawn. */
export interface IOutputOptions {
  fallback?: IOutput;
  /** Words added to the caption (the display's other forms). */
  note?: string;
}

/**
 * One recorded output. Rich ones (HTML, Plotly, CircuitsVis) run in a frame with the figure policy
 * (``FIGURE_POLICY``: nothing reachable) when ``trust.trusted``; else they are shown inert with *Trust and run*.
 * ``urls`` collects the object URLs made for images, for the caller to revoke.
 */
export async function outputView(
  output: IOutput,
  urls: string[],
  trust: IOutputTrust = { trusted: true, why: '' },
  options: IOutputOptions = {}
): Promise<HTMLElement> {
  const blob = await requestBlob(`outputs/${output.sha256}?mime=${encodeURIComponent(output.mime)}`, output.mime);
  const cut = output.truncated ? ` (cut at ${blob.size.toLocaleString()} of ${output.size.toLocaleString()} bytes)` : '';
  const box = el('figure', 'jp-Logbook-output');
  box.dataset.mime = output.mime;
  const caption = el('figcaption', 'jp-Logbook-muted', `${output.mime}${cut}${options.note ? ` · ${options.note}` : ''}`);
  box.append(caption);
  const show = (...content: HTMLElement[]) => box.replaceChildren(caption, ...content);
  if (output.mime.startsWith('image/')) {
    box.append(image(blob, urls));
  } else if (output.mime === PLOTLY_MIME) {
    const text = await blob.text();
    const figure = plotlyFigure(text);
    if (!figure) {
      box.append(el('div', 'jp-Logbook-error', `This Plotly figure cannot be read${output.truncated ? ': it was cut when recorded' : ''}.`), pre(text));
    } else {
      box.dataset.figure = 'plotly';
      const draw = () => {
        show(drawing('plotly'));
        void framed('plotly', code => plotlyDocument(figure, code), options, urls).then(nodes => show(...nodes));
      };
      if (trust.trusted) {
        draw();
      } else {
        box.append(inertFigure(`Plotly figure, ${plotlySummary(figure)}`, trust.why, draw));
      }
    }
  } else if (output.mime === 'text/html') {
    const html = await blob.text();
    const cv = circuitsVisFigure(html);
    if (html.startsWith(RECORD_HTML)) {
      box.dataset.record = 'true';
    }
    if (cv) {
      box.dataset.figure = 'circuitsvis';
      const draw = () => {
        show(drawing('circuitsvis'));
        void framed('circuitsvis', code => circuitsVisDocument(cv, code), options, urls).then(nodes => show(...nodes));
      };
      if (trust.trusted) {
        draw();
      } else {
        box.append(inertFigure(`CircuitsVis ${cv.name}`, trust.why, draw));
      }
    } else if (trust.trusted) {
      box.append(figureFrame(figureDocument(html), 'HTML output of the cell'));
    } else {
      box.append(inertHtml(html, trust.why, () => show(figureFrame(figureDocument(html), 'HTML output of the cell'))));
    }
  } else {
    box.append(pre(stripAnsi(await blob.text())));
  }
  return box;
}

/**
 * One display of a cell (its outputs, as ``displayGroups`` splits them), as the notebook drew it: its
 * richest form, with its image kept as the fallback. ``dataset.position`` is the form shown.
 */
export async function displayView(group: IPlaced[], urls: string[], trust?: IOutputTrust): Promise<HTMLElement> {
  const shown = shownOutput(group);
  const others = group.filter(p => p !== shown).map(p => p.output.mime);
  const fallback = staticOutput(group);
  const view = await outputView(shown.output, urls, trust, {
    fallback: fallback && fallback !== shown ? fallback.output : undefined,
    note: others.length ? `also ${others.join(', ')}` : undefined
  });
  view.dataset.position = String(shown.position);
  return view;
}

export { displayGroups };

function pre(text: string): HTMLElement {
  return el('pre', 'jp-Logbook-pre', text);
}

function drawing(kind: BundleKind): HTMLElement {
  return el('div', 'jp-Logbook-muted jp-Logbook-drawing', `Drawing the ${KIND_NAMES[kind]} figure…`);
}

function image(blob: Blob, urls: string[]): HTMLElement {
  const url = URL.createObjectURL(blob);
  urls.push(url);
  const img = el('img', 'jp-Logbook-outputImage') as HTMLImageElement;
  img.alt = 'image output of the cell';
  img.src = url;
  return img;
}

/** A figure drawn by a package's script: its frame, or why it cannot be drawn (and its image, if it has one). */
async function framed(kind: BundleKind, document: (script: string) => string, options: IOutputOptions, urls: string[]): Promise<HTMLElement[]> {
  try {
    const script = await bundleScript(kind);
    // A keeper on its way is waited for: the script is then compiled once, not twice at once.
    await keeperOf(kind);
    const frame = figureFrame(document(script), `${KIND_NAMES[kind]} figure of the cell`);
    frame.dataset.figure = kind;
    // The first figure of its kind drawn, a keeper holds the script compiled for every later one.
    frame.addEventListener('load', () => void keepScript(kind, script), { once: true });
    return [frame];
  } catch (error) {
    const missing = error instanceof BundleMissing;
    const note = el('div', 'jp-Logbook-figureMissing', missing ? error.message : `The script that draws ${KIND_NAMES[kind]} figures could not be fetched: ${error instanceof Error ? error.message : error}`);
    note.setAttribute('role', 'note');
    const nodes: HTMLElement[] = [note];
    if (options.fallback) {
      note.append(' Its image, recorded with it, is shown instead.');
      const blob = await requestBlob(`outputs/${options.fallback.sha256}?mime=${encodeURIComponent(options.fallback.mime)}`, options.fallback.mime).catch(() => null);
      if (blob) {
        nodes.push(image(blob, urls));
      }
    }
    return nodes;
  }
}

function figureFrame(document: string, title: string): HTMLIFrameElement {
  watchFrames();
  const frame = el('iframe', 'jp-Logbook-outputFrame') as HTMLIFrameElement;
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = title;
  frame.srcdoc = document;
  return frame;
}

let watching = false;

/**
 * Frames report their height and their errors (their origin is opaque, so the view cannot measure them):
 * each message is taken only from the frame it names as its source, and only sizes that frame.
 */
function watchFrames(): void {
  if (watching) {
    return;
  }
  watching = true;
  window.addEventListener('message', event => {
    const data = event.data;
    if (!data || typeof data !== 'object' || event.source === null) {
      return;
    }
    const frame = Array.from(document.querySelectorAll<HTMLIFrameElement>('iframe.jp-Logbook-outputFrame')).find(f => f.contentWindow === event.source);
    if (!frame) {
      return;
    }
    if (typeof data.logbookFrameHeight === 'number' && Number.isFinite(data.logbookFrameHeight)) {
      frame.style.height = `${frameHeight(data.logbookFrameHeight)}px`;
    }
    if (typeof data.logbookFrameError === 'string' && !frame.nextElementSibling?.classList.contains('jp-Logbook-frameError')) {
      frame.after(el('div', 'jp-Logbook-error jp-Logbook-frameError', `This figure failed to draw: ${data.logbookFrameError.slice(0, 300)}`));
    }
  });
}

/** A figure from elsewhere, not run: what it is, why it is not run, and *Trust and run*. */
function inertFigure(what: string, why: string, run: () => void): HTMLElement {
  const wrap = el('div', 'jp-Logbook-inertOutput');
  const notice = el('div', 'jp-Logbook-muted jp-Logbook-inertNotice', `${what}, shown without running: ${why || 'not recorded by you'}. `);
  notice.append(button('Trust and run', "Run this figure's scripts in a sandboxed frame that reaches nothing", run, 'jp-Logbook-link'));
  wrap.append(notice);
  return wrap;
}

/** HTML from elsewhere, inert: sanitised (no scripts, no handlers, nothing fetched), and why, with a way to run it. */
function inertHtml(html: string, why: string, run: () => void): HTMLElement {
  const wrap = el('div', 'jp-Logbook-inertOutput');
  const notice = el('div', 'jp-Logbook-muted jp-Logbook-inertNotice', `Shown without running: ${why || 'not recorded by you'}. `);
  notice.append(button('Trust and run', "Run this figure's scripts in a sandboxed frame that reaches nothing", run, 'jp-Logbook-link'));
  const shown = el('div', 'jp-Logbook-inertHtml');
  const sanitized = new Sanitizer().sanitize(html, { allowedTags: INERT_TAGS });
  // Even sanitised, nothing is fetched: images and styles from elsewhere are dropped.
  const template = document.createElement('template');
  template.innerHTML = sanitized;
  template.content.querySelectorAll('img, link, style, source, picture, video, audio, iframe').forEach(node => node.remove());
  template.content.querySelectorAll('*').forEach(node => {
    for (const attribute of Array.from(node.attributes)) {
      if (/^(on|src|href|srcset|style|background|action|formaction|xlink:href)/i.test(attribute.name)) {
        node.removeAttribute(attribute.name);
      }
    }
  });
  shown.append(template.content);
  wrap.append(notice, shown);
  return wrap;
}

/** Structure and text only: what a figure from elsewhere may show before you trust it. */
const INERT_TAGS = [
  'b', 'i', 'em', 'strong', 'code', 'pre', 'p', 'div', 'span', 'br', 'hr', 'ul', 'ol', 'li', 'table', 'thead',
  'tbody', 'tr', 'th', 'td', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'sub', 'sup', 'small', 'caption'
];
