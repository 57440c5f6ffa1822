/**
 * The experiment detail's warning parts: hooks a cell left attached, and the
 * hooks left by an earlier cell that a later cell's results were computed with
 * (``torch.running_with``, each naming the cell and experiment that left it).
 */

import { button, code, el, pill } from '../lib/dom';
import { part, table } from './detailparts';

interface IHookLeft {
  hook_point: string;
  function: string;
  direction: string;
  left_by?: { cell?: number; experiment?: number };
  model?: string;
}

function hookTable(hooks: IHookLeft[], label: string): HTMLElement {
  const rows = hooks.map(h => [code(h.hook_point, 'jp-Logbook-name'), h.function, h.direction]);
  return table(['hook point', 'function', 'dir'], rows, label);
}

/** Who left a hook: "cell [3]" and its experiment, a button that opens it when ``open`` is given. */
function leftBy(h: IHookLeft, open?: (id: number) => void): HTMLElement {
  const node = el('span');
  const cell = h.left_by?.cell;
  node.append(cell === undefined || cell === null ? 'an earlier cell' : `cell [${cell}]`);
  const id = h.left_by?.experiment;
  if (typeof id === 'number') {
    node.append(' ', open ? button(`#${id}`, `Open experiment #${id}, which left the hook attached`, () => open(id), 'jp-Logbook-link') : `#${id}`);
  }
  return node;
}

/** How to take the hooks off: ``model.reset_hooks()`` with the notebook's own names for the models. */
export function resetAdvice(hooks: { model?: string }[]): string {
  const models = [...new Set(hooks.map(h => h.model).filter((m): m is string => !!m))].sort();
  return (models.length ? models : ['model']).map(m => `${m}.reset_hooks()`).join(' and ');
}

export function hooksLeftParts(torch: Record<string, any>, open?: (id: number) => void): HTMLElement[] {
  const parts: HTMLElement[] = [];
  if (torch.hooks_left?.length) {
    const note = el('div', 'jp-Logbook-error', 'This cell ended with these TransformerLens hooks still attached; every later run of the model ran with them until they were removed.');
    parts.push(part('Hooks left attached', note, hookTable(torch.hooks_left, 'Hooks left attached')));
  }
  const running: IHookLeft[] = torch.running_with ?? [];
  if (running.length) {
    const one = running.length === 1;
    const note = el(
      'div',
      'jp-Logbook-error',
      `These results were computed with ${one ? 'a TransformerLens hook' : `${running.length} TransformerLens hooks`} an earlier cell left attached, so they include what ${one ? 'it does' : 'they do'}. ` +
        `Remove ${one ? 'it' : 'them'} with ${resetAdvice(running)} and run the cell again.`
    );
    const rows = running.map(h => [code(h.hook_point, 'jp-Logbook-name'), h.function, h.direction, leftBy(h, open)]);
    const label = 'Computed with hooks left attached';
    parts.push(part(label, note, table(['hook point', 'function', 'dir', 'left by'], rows, label)));
  }
  return parts;
}

/** The mark beside the detail's title when the results were computed with a hook left attached; null otherwise. */
export function hooksLeftMark(torch: Record<string, any>): HTMLElement | null {
  const running: IHookLeft[] = torch.running_with ?? [];
  if (!running.length) {
    return null;
  }
  const hooks = running.map(h => `${h.hook_point} (${h.function})`).join(', ');
  return pill('hook left attached', 'failed', `Computed with ${hooks}, left attached by an earlier cell`);
}
