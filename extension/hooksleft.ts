/** The experiment detail's warning parts: hooks a cell left attached, and hooks a later cell ran with. */

import { code, el } from './dom';
import { part, table } from './detailparts';

interface IHookLeft {
  hook_point: string;
  function: string;
  direction: string;
}

function hookTable(hooks: IHookLeft[], label: string): HTMLElement {
  const rows = hooks.map(h => [code(h.hook_point, 'jp-Logbook-name'), h.function, h.direction]);
  return table(['hook point', 'function', 'dir'], rows, label);
}

export function hooksLeftParts(torch: Record<string, any>): HTMLElement[] {
  const parts: HTMLElement[] = [];
  if (torch.hooks_left?.length) {
    const note = el('div', 'jp-Logbook-error', 'This cell ended with these TransformerLens hooks still attached; every later run of the model ran with them until they were removed.');
    parts.push(part('Hooks left attached', note, hookTable(torch.hooks_left, 'Hooks left attached')));
  }
  if (torch.running_with?.length) {
    const note = el('div', 'jp-Logbook-muted', 'The model ran with hooks an earlier cell left attached.');
    parts.push(part('Ran with hooks left behind', note, hookTable(torch.running_with, 'Ran with hooks left behind')));
  }
  return parts;
}
