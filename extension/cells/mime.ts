/** Renders the kernel's surprise MIME type under the cell as a card. Text only: nothing is parsed as HTML. */

import { IRenderMime } from '@jupyterlab/rendermime-interfaces';
import { Widget } from '@lumino/widgets';

import { button, el } from '../lib/dom';
import { driftMovesView, driftPill } from '../lib/drift';
import { describeObserved, formatBits, formatCredence } from '../lib/format';
import { runsWords } from '../lib/signalformat';
import { resolvedView, stepsView } from '../lib/signalview';
import { ISurprise, ISurpriseRef } from '../lib/types';

export const SURPRISE_MIME = 'application/vnd.logbook.surprise+json';
/** Kept in step with tokens.ts: the mime extension is loaded apart from the plugins. */
const SHOW_SURPRISE_EVENT = 'logbook-show-surprise';
const LOOKUP_SURPRISE_EVENT = 'logbook-lookup-surprise';
const SURPRISES_CHANGED_EVENT = 'logbook-surprises-changed';

/** What a card knows of its surprise, to find it in the logbook. */
export function cardRef(payload: any): ISurpriseRef {
  if (payload.kind === 'drift') {
    const drifts: any[] = Array.isArray(payload.drifts) ? payload.drifts : [];
    return { note: drifts[0]?.note ?? null };
  }
  if (payload.manual) {
    return { note: payload.note ?? null, hypothesis_id: payload.hypothesis_id ?? null };
  }
  return {
    prediction_id: payload.prediction_id ?? null,
    hypothesis_id: payload.hypothesis_id ?? null,
    prediction: payload.prediction ?? null,
    observed: payload.observed ?? null
  };
}

/** "Show in Logbook": asks the sidebar (listening on the document) to open the inbox on this surprise, open or resolved. */
function showInLogbook(payload: any): HTMLElement {
  const ref = cardRef(payload);
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
  const again = runsWords(payload);
  if (again) {
    head.append(el('span', 'jp-Logbook-runs', again));
  }
  card.append(head);
  if (payload.manual) {
    card.append(el('div', 'jp-Logbook-surpriseNote', payload.note ?? ''), showInLogbook(payload));
    return card;
  }
  const predicted = el('div', 'jp-Logbook-surpriseLine');
  const who = payload.prediction_id ?? payload.hypothesis_id;
  predicted.append(el('span', 'jp-Logbook-label', `${who} predicted `), el('code', undefined, payload.prediction ?? ''));
  predicted.append(el('span', 'jp-Logbook-label', ` at credence ${formatCredence(payload.credence ?? 0)}`));
  card.append(predicted);
  card.append(el('div', 'jp-Logbook-surpriseStatement', `${payload.hypothesis_id}: ${payload.statement ?? ''}`));
  const steps = stepsView(payload.steps);
  if (steps) {
    card.append(steps);
  } else {
    const observed = el('div', 'jp-Logbook-surpriseLine');
    observed.append(el('span', 'jp-Logbook-label', 'observed '), el('code', undefined, describeObserved(payload.observed ?? {})));
    card.append(observed);
  }
  card.append(showInLogbook(payload));
  return card;
}

/** The values that drifted in a cell, as one card under it: unpredicted, so labelled drift, not a failed prediction. */
export function driftCard(payload: any): HTMLElement {
  const card = el('div', 'jp-Logbook-surpriseCard jp-mod-drift');
  const drifts: any[] = (Array.isArray(payload.drifts) ? payload.drifts : []).map((d: any) => ({ earlier: [], hypotheses: [], ...d }));
  const head = el('div', 'jp-Logbook-surpriseHead');
  head.append(el('span', 'jp-Logbook-surpriseIcon', '≈'), el('strong', undefined, drifts.length === 1 ? 'Drift' : `Drift: ${drifts.length} values`), driftPill());
  head.append(el('span', 'jp-Logbook-muted', 'moved from earlier runs of this code, unpredicted'));
  card.append(head, driftMovesView(drifts), showInLogbook(payload));
  return card;
}

class SurpriseRenderer extends Widget implements IRenderMime.IRenderer {
  constructor(private readonly mimeType: string) {
    super();
    this.addClass('jp-Logbook-surpriseOutput');
    this.lookUp = this.lookUp.bind(this);
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    this.payload = model.data[this.mimeType] as any;
    this.card = surpriseCard(this.payload);
    this.node.replaceChildren(this.card);
    this.lookUp();
  }

  protected onAfterAttach(): void {
    document.addEventListener(SURPRISES_CHANGED_EVENT, this.lookUp);
    this.lookUp();
  }

  protected onBeforeDetach(): void {
    document.removeEventListener(SURPRISES_CHANGED_EVENT, this.lookUp);
  }

  /** Ask the sidebar (when it is loaded) how this card's surprise stands; a resolved one says so on the card. */
  private lookUp(): void {
    const card = this.card;
    if (!card || !this.payload || !this.isAttached) {
      return;
    }
    const reply = (s: ISurprise | null) => {
      if (card !== this.card) {
        return;
      }
      card.querySelector('.jp-Logbook-resolvedLine')?.remove();
      card.classList.toggle('jp-mod-resolved', !!s && s.status !== 'open');
      const line = resolvedView(s);
      if (line) {
        card.querySelector('.jp-Logbook-showInLogbook')?.before(line);
      }
    };
    document.dispatchEvent(new CustomEvent(LOOKUP_SURPRISE_EVENT, { detail: { ref: cardRef(this.payload), reply } }));
  }

  private payload: any = null;
  private card: HTMLElement | null = null;
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
