/** Pinning a figure of an experiment to the report, with its caption, from the experiment's detail view. */

import { button, el } from '../lib/dom';
import { ILogbookModel, IPin } from '../lib/imodel';

export type { IPin } from '../lib/imodel';

/** What pinning needs of the model: an experiment's pins, pinning (or captioning) one, and unpinning. */
export type IPinner = Pick<ILogbookModel, 'pins' | 'pin' | 'unpin'>;

/** The output types a report shows as figures; only these get a pin button. */
export const FIGURE_MIMES = ['text/html', 'application/vnd.plotly.v1+json', 'image/svg+xml', 'image/png', 'image/jpeg'];

/** An experiment's pins, by the position of the figure each pins. */
export async function pinsOf(model: IPinner, experimentId: number): Promise<Map<number, IPin>> {
  const pins = await model.pins(experimentId);
  return new Map(pins.map(pin => [pin.position, pin]));
}

/**
 * A toggle that pins the figure at output ``position`` to the report, or takes it off, and, once pinned,
 * its caption in the report: edited in place, saved on Enter or on leaving the box.
 */
export function pinControl(model: IPinner, experimentId: number, position: number, pins: Map<number, IPin>): HTMLElement {
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
        await model.unpin(experimentId, position);
        pins.delete(position);
      } else {
        const pin = await model.pin(experimentId, position);
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
      // Pinning a pinned figure again changes its caption.
      const saved = await model.pin(experimentId, pin.position, text);
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
