/** The parts of the experiment detail view, each built from recorded data as text (no HTML parsing). */

import { code, el, pill } from '../lib/dom';
import { describeObserved, formatBits, formatCredence, highlightPieces } from '../lib/format';
import { observedWords } from '../lib/signalformat';
import { stepsView } from '../lib/signalview';
import { hookNames } from './torchformat';
import { IExperiment, IJudgement } from '../lib/types';

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
    const rows = collapseHooks(torch.hooks).map(({ hook: h, times, calls }) => {
      const { name, internal } = hookNames(h);
      return [
        code(name, 'jp-Logbook-name'),
        times > 1 ? `${h.function} ×${times}` : h.function,
        h.direction,
        h.effect ?? '',
        String(calls),
        internal.length ? code(internal.join(', '), 'jp-Logbook-internalName') : ''
      ];
    });
    parts.push(part('Hooks', table(['hook point', 'function', 'dir', 'effect', 'calls', 'internal name'], rows, 'Hooks')));
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

// The outputs' views live in outputview.ts (pure parts in outputformat.ts); named here too, where they were first.
export { FIGURE_POLICY, figureDocument } from './outputformat';
export { displayView, outputView } from './outputview';
export type { IOutputOptions, IOutputTrust } from './outputview';

export function metaLine(e: IExperiment): string {
  const parts = [
    `${e.lab_path ?? e.notebook ?? 'unknown notebook'} [${e.execution_count ?? ' '}]`,
    new Date(e.started_at).toLocaleString(),
    `${e.duration_ms.toFixed(0)} ms`,
    e.mode ? `${e.mode} mode` : ''
  ];
  return parts.filter(Boolean).join(' · ');
}
