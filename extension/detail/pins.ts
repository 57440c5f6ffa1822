/** Pinning a figure of an experiment to the report, with its caption, from the experiment's detail view. */

import { button, el } from '../lib/dom';
import { Requester } from '../lib/types';

/** A pinned figure, as the server sends it. */
export interface IPin {
  id: number;
  experiment_id: number;
  position: number;
  caption: string;
  created_at: string;
}

/** The output types a report shows as figures; only these get a pin button. */
export const FIGURE_MIMES = ['text/html', 'application/vnd.plotly.v1+json', 'image/svg+xml', 'image/png', 'image/jpeg'];

/** An experiment's pins, by the position of the figure each pins. */
export async function pinsOf(request: Requester, experimentId: number): Promise<Map<number, IPin>> {
  const pins = await request<IPin[]>(`experiments/${experimentId}/pins`);
  return new Map(pins.map(pin => [pin.position, pin]));
}

export async function pinnedPositions(request: Requester, experimentId: number): Promise<Set<number>> {
  return new Set((await pinsOf(request, experimentId)).keys());
}

/**
 * A toggle that pins the figure at output ``position`` to the report, or takes it off, and, once pinned,
 * its caption in the report: edited in place, saved on Enter or on leaving the box.
 */
export function pinControl(request: Requester, experimentId: number, position: number, pins: Map<number, IPin>): HTMLElement {
  const node = el('span', 'jp-Logbook-pinControl');
  const toggle = button('Pin to report', 'Pin this figure to the report', () => void flip(), 'jp-Logbook-pin');
  const caption = el('input', 'jp-Logbook-input jp-Logbook-pinCaption') as HTMLInputElement;
  caption.type = 'text';
  caption.placeholder = 'Caption in the report';
  caption.setAttribute('aria-label', `Caption of the figure at output ${position} in the report`);
  caption.maxLength = 10_000;
  const status = el('span', 'jp-Logbook-muted jp-Logbook-pinStatus');
  status.setAttribute('aria-live', 'polite');
  node.append(toggle, caption, status);

  const show = (): void => {
    const pin = pins.get(position);
    toggle.textContent = pin ? 'Pinned' : 'Pin to report';
    toggle.title = pin ? 'Pinned to the report: click to unpin' : 'Pin this figure to the report';
    toggle.setAttribute('aria-label', toggle.title);
    toggle.setAttribute('aria-pressed', String(!!pin));
    caption.hidden = !pin;
    if (pin && document.activeElement !== caption) {
      caption.value = pin.caption;
    }
  };
  const fail = (what: string, error: unknown): void => {
    status.textContent = `Could not ${what}: ${error instanceof Error ? error.message : error}`;
  };
  const flip = async (): Promise<void> => {
    toggle.disabled = true;
    status.textContent = '';
    try {
      if (pins.has(position)) {
        await request(`experiments/${experimentId}/pins?position=${position}`, { method: 'DELETE' });
        pins.delete(position);
      } else {
        const pin = await request<IPin>(`experiments/${experimentId}/pins`, { method: 'POST', body: JSON.stringify({ position }) });
        pins.set(position, pin).set(pin.position, pin);
      }
      show();
    } catch (error) {
      fail('change the pin', error);
    } finally {
      toggle.disabled = false;
    }
  };
  let saving: Promise<void> | null = null;
  const saveCaption = async (): Promise<void> => {
    await saving; // Enter then leaving the box saves once
    const pin = pins.get(position);
    const text = caption.value.trim();
    if (!pin || text === pin.caption) {
      return;
    }
    saving = save(pin, text);
    await saving;
    saving = null;
  };
  const save = async (pin: IPin, text: string): Promise<void> => {
    status.textContent = 'Saving…';
    try {
      // Pinning a pinned figure again changes its caption (PinQueries.pin).
      const saved = await request<IPin>(`experiments/${experimentId}/pins`, {
        method: 'POST',
        body: JSON.stringify({ position: pin.position, caption: text })
      });
      pins.set(position, saved).set(saved.position, saved);
      status.textContent = 'Caption saved';
    } catch (error) {
      fail('save the caption', error);
    }
  };
  caption.addEventListener('keydown', event => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void saveCaption();
    } else if (event.key === 'Escape') {
      caption.value = pins.get(position)?.caption ?? '';
    }
  });
  caption.addEventListener('change', () => void saveCaption());
  show();
  return node;
}
