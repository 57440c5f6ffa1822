/**
 * The red-team card, under a hypothesis that is going well (the server says
 * why in ``going_well``): "Going well. Try to break it", with falsification
 * templates. Starting one switches the mode to red-team and opens the
 * prediction form pre-filled with the template, to be written before running.
 */

import { button, el } from './dom';
import { ITemplate, redTeamTemplates } from './redteam';
import { IHypothesis } from './types';

export { ITemplate };

/** The card; ``start`` is called with the template chosen. */
export function redTeamCard(h: IHypothesis, start: (template: ITemplate) => void): HTMLElement {
  const card = el('div', 'jp-Logbook-redTeam');
  card.setAttribute('role', 'group');
  card.setAttribute('aria-label', `Red-team ${h.id}`);
  const head = el('div', 'jp-Logbook-redTeamHead');
  head.append(el('strong', undefined, 'Going well. Try to break it'), el('span', 'jp-Logbook-muted', ` (${h.going_well})`));
  const templates = el('div', 'jp-Logbook-redTeamTemplates');
  for (const t of redTeamTemplates(h)) {
    templates.append(
      button(t.label, `Red-team ${h.id}, ${t.label}: switch to red-team mode and write the prediction "${t.text}" before running. ${t.how}.`, () => start(t), 'jp-Logbook-template')
    );
  }
  card.append(head, templates);
  const red = h.predictions.filter(p => p.mode === 'red-team');
  if (red.length) {
    const count = (verdict: 'held' | 'failed') => red.filter(p => p.first_verdict === verdict).length;
    const pending = red.filter(p => p.first_verdict === null).length;
    card.append(el('div', 'jp-Logbook-muted', `Red team so far: ${count('held')} survived, ${count('failed')} failed, ${pending} pending`));
  }
  return card;
}
