/**
 * The experiment view's nnsight part: each trace, generation or session the cell ran (local or remote),
 * what it read, replaced, edited in place and skipped at each location, and what it saved.
 */

import { code, el, pill } from '../lib/dom';
import { part, table } from './detailparts';
import { INNsightTrace, inputsText, rowActions, savedText, traceHeading, traceRows } from './torchformat';

function traceView(trace: INNsightTrace): HTMLElement {
  const node = el('div', 'jp-Logbook-nnsightTrace');
  node.dataset.kind = trace.kind;
  const head = el('div', 'jp-Logbook-nnsightHead');
  head.append(el('strong', undefined, traceHeading(trace)));
  if (trace.remote) {
    head.append(' ', pill(trace.backend === 'remote' ? 'remote' : 'simulated remote', 'pending'));
  }
  if (trace.error) {
    head.append(' ', pill('failed', 'failed'));
  }
  node.append(head);
  const inputs = inputsText(trace);
  if (inputs) {
    node.append(el('div', 'jp-Logbook-muted', `input: ${inputs}`));
  }
  if (trace.error) {
    node.append(el('div', 'jp-Logbook-error', trace.error));
  }
  const { rows, computed } = traceRows(trace);
  if (rows.length) {
    const cells = rows.map(row => {
      const saved = el('span');
      row.saved.forEach((value, i) => saved.append(i ? ', ' : '', code(savedText(value), 'jp-Logbook-name')));
      const actions = el('span', row.set || row.edited || row.skipped ? 'jp-Logbook-intervention' : undefined, rowActions(row));
      return [code(row.location, 'jp-Logbook-name'), actions, saved];
    });
    node.append(table(['location', 'what the trace did', 'saved as'], cells, `nnsight ${trace.kind}: locations`));
  }
  if (computed.length) {
    const line = el('div', 'jp-Logbook-nnsightSaved', 'also saved, computed in the trace: ');
    computed.forEach((value, i) => line.append(i ? ', ' : '', code(savedText(value), 'jp-Logbook-name')));
    node.append(line);
  }
  if (!rows.length && !computed.length && !trace.traces?.length && !trace.error) {
    node.append(el('div', 'jp-Logbook-muted', 'It read, set and saved nothing.'));
  }
  for (const inner of trace.traces ?? []) {
    const nested = traceView(inner);
    nested.classList.add('jp-mod-nested');
    node.append(nested);
  }
  return node;
}

/** The nnsight part of an experiment, or nothing when the cell ran no nnsight trace. */
export function nnsightParts(torch: Record<string, any>): HTMLElement[] {
  const activity = torch.nnsight;
  const traces: INNsightTrace[] = Array.isArray(activity?.traces) ? activity.traces : [];
  if (!traces.length) {
    return [];
  }
  const n = traces.length;
  const title = `nnsight (${n} ${n === 1 ? 'block' : 'blocks'}${activity.version ? `, nnsight ${activity.version}` : ''})`;
  const body = traces.map(trace => traceView(trace));
  if (activity.traces_omitted) {
    body.push(el('div', 'jp-Logbook-muted', `and ${activity.traces_omitted} more, not recorded`));
  }
  const node = part(title, ...body);
  node.classList.add('jp-Logbook-nnsight');
  return [node];
}
