/**
 * The red-team card, under a hypothesis that is going well (the server says
 * why in ``going_well``): one line, "Going well (credence 0.90). Try to
 * break it ▸", that opens the falsification templates and can be hidden.
 * Starting a template switches the mode to red-team and opens the prediction
 * form pre-filled with it, to be written before running.
 */

import { button, el } from '../lib/dom';
import { ITemplate, redTeamTemplates } from './redteam';
import { IHypothesis } from '../lib/types';

export { ITemplate };

export interface IRedTeamState {
  open: boolean;
  toggle: () => void;
  hide: () => void;
  start: (template: ITemplate) => void;
}

/** The card of ``h``. */
export function redTeamCard(h: IHypothesis, state: IRedTeamState): HTMLElement {
  const card = el('div', 'jp-Logbook-redTeam');
  card.setAttribute('role', 'group');
  card.setAttribute('aria-label', `Red-team ${h.id}`);
  card.classList.toggle('jp-mod-open', state.open);
  const head = el('div', 'jp-Logbook-redTeamHead');
  const opener = button(`Going well (${h.going_well}). Try to break it ${state.open ? '▾' : '▸'}`, `Red-team ${h.id}: ${state.open ? 'hide' : 'show'} the ways to try to break it`, state.toggle, 'jp-Logbook-redTeamOpen');
  opener.setAttribute('aria-expanded', String(state.open));
  head.append(opener, button('×', `Hide the red-team card of ${h.id}`, state.hide, 'jp-Logbook-iconButton jp-Logbook-redTeamHide'));
  card.append(head);
  const red = h.predictions.filter(p => p.mode === 'red-team');
  if (red.length) {
    const count = (verdict: 'held' | 'failed') => red.filter(p => p.first_verdict === verdict).length;
    const pending = red.filter(p => p.first_verdict === null).length;
    card.append(el('div', 'jp-Logbook-muted', `Red team so far: ${count('held')} survived, ${count('failed')} failed, ${pending} pending`));
  }
  if (state.open) {
    const templates = el('div', 'jp-Logbook-redTeamTemplates');
    for (const t of redTeamTemplates(h)) {
      templates.append(
        button(t.label, `Red-team ${h.id}, ${t.label}: switch to red-team mode and write the prediction "${t.text}" before running. ${t.how}.`, () => state.start(t), 'jp-Logbook-template')
      );
    }
    card.append(templates);
  }
  return card;
}
