/** Pinning a figure of an experiment to the report, from the experiment's detail view. */

import { button } from './dom';
import { Requester } from './types';

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

export async function pinnedPositions(request: Requester, experimentId: number): Promise<Set<number>> {
  const pins = await request<IPin[]>(`experiments/${experimentId}/pins`);
  return new Set(pins.map(pin => pin.position));
}

/** A toggle that pins output ``position`` to the report, or takes it off. */
export function pinButton(request: Requester, experimentId: number, position: number, pinned: Set<number>): HTMLButtonElement {
  const node = button('Pin to report', 'Pin this figure to the report', () => void toggle(), 'jp-Logbook-pin');
  const show = (): void => {
    const on = pinned.has(position);
    node.textContent = on ? 'Pinned' : 'Pin to report';
    node.title = on ? 'Pinned to the report: click to unpin' : 'Pin this figure to the report';
    node.setAttribute('aria-label', node.title);
    node.setAttribute('aria-pressed', String(on));
  };
  const toggle = async (): Promise<void> => {
    node.disabled = true;
    try {
      if (pinned.has(position)) {
        await request(`experiments/${experimentId}/pins?position=${position}`, { method: 'DELETE' });
        pinned.delete(position);
      } else {
        const pin = await request<IPin>(`experiments/${experimentId}/pins`, {
          method: 'POST',
          body: JSON.stringify({ position })
        });
        pinned.add(position).add(pin.position);
      }
      show();
    } catch (error) {
      node.title = `Could not change the pin: ${error instanceof Error ? error.message : error}`;
      node.setAttribute('aria-label', node.title);
    } finally {
      node.disabled = false;
    }
  };
  show();
  return node;
}
