/** Renders the kernel's surprise MIME type under the cell as a card. Text only: nothing is parsed as HTML. */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { button, el } from './dom';
import { driftLines, driftPill } from './drift';
import { describeObserved, formatBits, formatCredence } from './format';

export const SURPRISE_MIME = 'application/vnd.logbook.surprise+json';
/** Kept in step with tokens.ts: the mime extension is loaded apart from the plugins. */
const SHOW_SURPRISE_EVENT = 'logbook-show-surprise';

/** "Show in Logbook": asks the sidebar (listening on the document) to open the inbox on this surprise. */
function showInLogbook(payload: any): HTMLElement {
  const ref = { hypothesis_id: payload.hypothesis_id ?? null, prediction: payload.prediction ?? null, note: payload.note ?? null };
  return button('Show in Logbook', 'Show this surprise in the Logbook sidebar', () => {
    document.dispatchEvent(new CustomEvent(SHOW_SURPRISE_EVENT, { detail: ref }));
  }, 'jp-Logbook-link jp-Logbook-showInLogbook');
}

export function surpriseCard(payload: any): HTMLElement {
  if (payload.kind === 'drift') {
    return driftCard(payload);
  }
  const card = el('div', 'jp-Logbook-surpriseCard');
  const head = el('div', 'jp-Logbook-surpriseHead');
  head.append(el('span', 'jp-Logbook-surpriseIcon', '⚡'), el('strong', undefined, 'Surprise'));
  head.append(el('span', 'jp-Logbook-bits', formatBits(payload.surprisal_bits)));
  card.append(head);
  if (payload.manual) {
    card.append(el('div', 'jp-Logbook-surpriseNote', payload.note ?? ''), showInLogbook(payload));
    return card;
  }
  const predicted = el('div', 'jp-Logbook-surpriseLine');
  predicted.append(el('span', 'jp-Logbook-label', `${payload.hypothesis_id} predicted `), el('code', undefined, payload.prediction ?? ''));
  predicted.append(el('span', 'jp-Logbook-label', ` at credence ${formatCredence(payload.credence ?? 0)}`));
  card.append(predicted);
  card.append(el('div', 'jp-Logbook-surpriseStatement', `${payload.hypothesis_id}: ${payload.statement ?? ''}`));
  const observed = el('div', 'jp-Logbook-surpriseLine');
  observed.append(el('span', 'jp-Logbook-label', 'observed '), el('code', undefined, describeObserved(payload.observed ?? {})));
  card.append(observed, showInLogbook(payload));
  return card;
}

/** The values that drifted in a cell, as one card under it: unpredicted, so labelled drift, not a failed prediction. */
export function driftCard(payload: any): HTMLElement {
  const card = el('div', 'jp-Logbook-surpriseCard jp-mod-drift');
  const drifts: any[] = Array.isArray(payload.drifts) ? payload.drifts : [];
  const head = el('div', 'jp-Logbook-surpriseHead');
  head.append(el('span', 'jp-Logbook-surpriseIcon', '≈'), el('strong', undefined, drifts.length === 1 ? 'Drift' : `Drift: ${drifts.length} values`), driftPill());
  head.append(el('span', 'jp-Logbook-muted', 'moved from earlier runs of this code, unpredicted'));
  card.append(head);
  for (const drift of drifts) {
    const item = el('div', 'jp-Logbook-driftItem');
    item.append(...driftLines({ earlier: [], hypotheses: [], ...drift }));
    card.append(item);
  }
  card.append(showInLogbook({ note: drifts[0]?.note ?? null }));
  return card;
}

class SurpriseRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass('jp-Logbook-surpriseOutput');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.node.replaceChildren(surpriseCard(model.data[this.mimeType] as any));
  }
}

export const rendererFactory: IRenderMime.IRendererFactory = {
  safe: true,
  mimeTypes: [SURPRISE_MIME],
  createRenderer: options => new SurpriseRenderer(options.mimeType)
};

const extension: IRenderMime.IExtension = {
  id: 'jupyterlab-logbook:surprise-renderer',
  rendererFactory,
  rank: 0,
  dataType: 'json'
};

export default extension;
