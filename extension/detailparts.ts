/** The parts of the experiment detail view, each built from recorded data as text (no HTML parsing). */

import { Sanitizer } from '@jupyterlab/apputils';

import { requestBlob } from './api';
import { button, code, el, pill } from './dom';
import { describeObserved, formatBits, formatCredence, highlightPieces, stripAnsi } from './format';
import { observedWords } from './signalformat';
import { stepsView } from './signalview';
import { IExperiment, IJudgement, IOutput } from './types';

export function part(title: string, ...content: (HTMLElement | string)[]): HTMLElement {
  const node = el('section', 'jp-Logbook-detailPart');
  node.append(el('h3', 'jp-Logbook-detailHeading', title), ...content);
  return node;
}

export function pre(text: string, className = ''): HTMLElement {
  return el('pre', `jp-Logbook-pre ${className}`.trim(), text);
}

export function table(headings: string[], rows: (string | HTMLElement)[][], label: string): HTMLElement {
  const node = el('table', 'jp-Logbook-table');
  node.setAttribute('aria-label', label);
  const head = el('tr');
  head.append(...headings.map(h => el('th', undefined, h)));
  node.append(head);
  for (const row of rows) {
    const tr = el('tr');
    for (const cell of row) {
      const td = el('td');
      td.append(cell);
      tr.append(td);
    }
    node.append(tr);
  }
  return node;
}

/** The source, numbered, with the search words marked and matching lines flagged. */
export function sourceView(source: string, words: string[]): HTMLElement {
  const node = el('pre', 'jp-Logbook-pre jp-Logbook-source');
  source.split('\n').forEach((line, i) => {
    const pieces = highlightPieces(line, words);
    const row = el('span', `jp-Logbook-sourceLine${pieces.some(p => p.match) ? ' jp-mod-match' : ''}`);
    row.append(el('span', 'jp-Logbook-lineNo', String(i + 1).padStart(3)));
    for (const piece of pieces) {
      row.append(piece.match ? el('mark', 'jp-Logbook-mark', piece.text) : document.createTextNode(piece.text));
    }
    node.append(row, '\n');
  });
  return node;
}

const STATS = ['min', 'max', 'mean', 'norm', 'nan', 'true'];

/** One assigned name: what it is (type, shape, dtype, device) and its statistics or value. */
export function nameRow(name: string, s: Record<string, any>): (string | HTMLElement)[] {
  const what = [s.type, s.dtype, s.shape ? `[${s.shape.join(', ')}]` : '', s.device].filter(Boolean).join(' ');
  const stats = STATS.filter(k => s[k] !== undefined).map(k => `${k} ${typeof s[k] === 'number' ? Number(s[k].toPrecision(4)) : s[k]}`);
  const extra =
    s.value !== undefined
      ? describeObserved({ v: s } as any).replace(/^v = /, '')
      : s.keys !== undefined
        ? `${s.keys} keys: ${(s.first_keys ?? []).join(', ')}`
        : s.parameters !== undefined
          ? `${Number(s.parameters).toLocaleString()} parameters${s.training ? ', training' : ''}`
          : s.repr ?? s.name ?? s.error ?? '';
  return [code(name, 'jp-Logbook-name'), what, stats.join(', ') || extra];
}

/** A configuration value as text; a nested record (a model's identity) as ``key value`` pairs. */
function fieldText(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${k} ${fieldText(v)}`)
      .join(', ');
  }
  return Array.isArray(value) ? value.map(fieldText).join(', ') : String(value);
}

/** Hooks that read the same (point, function, direction, aliases) as one row, with how many there were and their calls. */
export function collapseHooks(hooks: any[]): { hook: any; times: number; calls: number }[] {
  const rows = new Map<string, { hook: any; times: number; calls: number }>();
  for (const h of hooks) {
    const key = JSON.stringify([h.hook_point, h.function, h.direction, h.aliases ?? []]);
    const row = rows.get(key) ?? rows.set(key, { hook: h, times: 0, calls: 0 }).get(key)!;
    row.times += 1;
    row.calls += Number(h.calls) || 0;
  }
  return [...rows.values()];
}

export function torchParts(torch: Record<string, any>): HTMLElement[] {
  const parts: HTMLElement[] = [];
  for (const model of torch.models ?? []) {
    const rows = Object.entries(model).filter(([k]) => k !== 'class').map(([k, v]) => [k, fieldText(v)]);
    parts.push(part(`Model: ${model.class ?? 'model'}`, table(['field', 'value'], rows, `Configuration of ${model.class}`)));
  }
  if (torch.hooks?.length) {
    const rows = collapseHooks(torch.hooks).map(({ hook: h, times, calls }) => [
      code(h.hook_point, 'jp-Logbook-name'),
      times > 1 ? `${h.function} ×${times}` : h.function,
      h.direction,
      String(calls),
      (h.aliases ?? []).join(', ')
    ]);
    parts.push(part('Hooks', table(['hook point', 'function', 'dir', 'calls', 'also named'], rows, 'Hooks')));
  }
  if (torch.cache_keys?.length) {
    const lists = torch.cache_keys.map((keys: string[], i: number) => {
      const details = el('details', 'jp-Logbook-cacheKeys');
      details.append(el('summary', undefined, `cache ${i + 1}: ${keys.length} keys`), pre(keys.join('\n')));
      return details;
    });
    parts.push(part(`Caches (${torch.caches ?? lists.length} made)`, ...lists));
  }
  if (torch.module_calls) {
    const calls = Object.entries(torch.module_calls).map(([name, n]) => `${name} × ${n}`);
    parts.push(part('Forward calls', el('div', undefined, calls.join(', '))));
  }
  return parts;
}

/** What decided a judgement: its steps as pytest shows them, what was seen (in words), or the values observed. */
function judgedOn(j: IJudgement): string | HTMLElement {
  const words = observedWords(j);
  return stepsView(j.steps) ?? (words !== null ? words : describeObserved(j.observed ?? {}));
}

export function judgementsPart(judgements: IJudgement[]): HTMLElement {
  const rows = judgements.map(j => [
    el('span', 'jp-Logbook-id', j.prediction_id ?? j.hypothesis_id ?? 'flagged'),
    code(j.prediction ?? ''),
    pill(j.verdict, j.verdict),
    formatBits(j.surprisal_bits),
    j.credence === null ? '' : formatCredence(j.credence),
    judgedOn(j)
  ]);
  const body = rows.length
    ? table(['prediction', 'expression', 'verdict', 'surprisal', 'credence', 'observed'], rows, 'Predictions judged here')
    : el('div', 'jp-Logbook-muted', 'No prediction was judged on this cell.');
  return part('Predictions judged here', body);
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

/** The document a trusted HTML output runs as: its policy and the WebRTC guard first, then the output. */
export function figureDocument(html: string): string {
  return `<meta http-equiv="Content-Security-Policy" content="${FIGURE_POLICY}">${NO_WEBRTC}${html}`;
}

/** Whether an experiment's rich outputs may run as yours, and why not (see the experiment route). */
export interface IOutputTrust {
  trusted: boolean;
  why: string;
}

/**
 * A display output: an image; HTML of yours in a sandboxed frame that runs its scripts and reaches
 * nothing; HTML from elsewhere (a colleague's kernel, a cloned logbook, a file edited by hand) as
 * sanitised static HTML, with *Trust and run* to run it; or text.
 */
export async function outputView(
  output: IOutput,
  urls: string[],
  trust: IOutputTrust = { trusted: true, why: '' }
): Promise<HTMLElement> {
  const blob = await requestBlob(`outputs/${output.sha256}?mime=${encodeURIComponent(output.mime)}`, output.mime);
  const note = output.truncated ? ` (cut at ${blob.size.toLocaleString()} of ${output.size.toLocaleString()} bytes)` : '';
  const box = el('figure', 'jp-Logbook-output');
  box.append(el('figcaption', 'jp-Logbook-muted', `${output.mime}${note}`));
  if (output.mime.startsWith('image/')) {
    const url = URL.createObjectURL(blob);
    urls.push(url);
    const img = el('img', 'jp-Logbook-outputImage') as HTMLImageElement;
    img.alt = 'image output of the cell';
    img.src = url;
    box.append(img);
  } else if (output.mime === 'text/html') {
    const html = await blob.text();
    if (trust.trusted) {
      box.append(figureFrame(html));
    } else {
      box.append(inertHtml(html, trust.why, () => box.replaceChildren(box.firstChild!, figureFrame(html))));
    }
  } else {
    box.append(pre(stripAnsi(await blob.text())));
  }
  return box;
}

function figureFrame(html: string): HTMLIFrameElement {
  const frame = el('iframe', 'jp-Logbook-outputFrame') as HTMLIFrameElement;
  frame.setAttribute('sandbox', 'allow-scripts');
  frame.title = 'HTML output of the cell';
  frame.srcdoc = figureDocument(html);
  return frame;
}

/** HTML from elsewhere, inert: sanitised (no scripts, no handlers, nothing fetched), and why, with a way to run it. */
function inertHtml(html: string, why: string, run: () => void): HTMLElement {
  const wrap = el('div', 'jp-Logbook-inertOutput');
  const notice = el('div', 'jp-Logbook-muted jp-Logbook-inertNotice', `Shown without running: ${why || 'not recorded by you'}. `);
  notice.append(button('Trust and run', 'Run this figure\'s scripts in a sandboxed frame that reaches nothing', run, 'jp-Logbook-link'));
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

export function metaLine(e: IExperiment): string {
  const parts = [
    `${e.lab_path ?? e.notebook ?? 'unknown notebook'} [${e.execution_count ?? ' '}]`,
    new Date(e.started_at).toLocaleString(),
    `${e.duration_ms.toFixed(0)} ms`,
    e.mode ? `${e.mode} mode` : ''
  ];
  return parts.filter(Boolean).join(' · ');
}
