/**
 * The team section of a team project: every author with their file's state,
 * then the open surprises and hypotheses of everyone (or of the author
 * chosen), each labelled with its author (S2·bob, H3·ana). A teammate's new
 * surprise arrives through the change feed, as one's own do.
 */

import { el } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { ITeamView } from '../lib/types';
import { SectionWidget } from './section';
import { EVERYONE, authorLine, teamCount, teamQuery } from './teamformat';

/** Rows shown per list before "and N more". */
const SHOWN = 30;

export class TeamSection extends SectionWidget {
  constructor(model: ILogbookModel) {
    super(model, 'team', 'Team', []);
    this.filter.className = 'jp-Logbook-teamFilter';
    this.filter.setAttribute('aria-label', 'Show the records of');
    this.filter.addEventListener('change', () => void this.refresh());
    const row = el('label', 'jp-Logbook-row jp-Logbook-teamFilterRow');
    row.append(el('span', 'jp-Logbook-muted', 'Show'), this.filter);
    this.node.append(row, this.authors, this.surprises, this.hypotheses);
    this.authors.setAttribute('aria-label', 'Authors');
    model.changed.connect((_, what) => what === 'team' && void this.refresh(), this);
    void this.refresh();
  }

  /** Fetch the view for the author chosen and draw it. */
  async refresh(): Promise<void> {
    const chosen = this.filter.value;
    let view: ITeamView;
    try {
      view = await this.model.read<ITeamView>(teamQuery(chosen));
    } catch {
      return; // the sidebar's error line says what went wrong with the server
    }
    if (chosen !== this.filter.value) {
      return; // another author was chosen meanwhile: that answer draws
    }
    this.view = view;
    this.update();
  }

  protected render(): void {
    const view = this.view;
    if (!view) {
      return;
    }
    this.setCount(teamCount(view));
    this.renderFilter(view);
    this.authors.replaceChildren(
      ...view.authors.map(a => {
        const line = el('div', `jp-Logbook-teamAuthor${a.state === 'ok' ? '' : ' jp-mod-problem'}`, authorLine(a));
        line.dataset.author = a.author;
        line.title = a.problem || `${a.events} events in ${a.author}'s record`;
        if (a.state !== 'ok') {
          line.setAttribute('role', 'status');
        }
        return line;
      })
    );
    this.surprises.replaceChildren(
      el('div', 'jp-Logbook-teamHeading', view.surprises.length ? 'Open surprises' : 'No open surprises'),
      ...view.surprises.slice(0, SHOWN).map(s => {
        const row = el('div', 'jp-Logbook-teamRow');
        row.dataset.teamSurprise = s.label;
        const bits = s.surprisal_bits === null ? '' : ` · ${s.surprisal_bits.toFixed(1)} bits`;
        row.title = `${s.label}: ${s.what}${bits}, flagged ${new Date(s.flagged_at).toLocaleString()}`;
        row.append(el('span', 'jp-Logbook-teamLabel', s.label), el('span', 'jp-Logbook-teamText', s.what));
        return row;
      }),
      ...this.more(view.surprises.length)
    );
    this.hypotheses.replaceChildren(
      el('div', 'jp-Logbook-teamHeading', 'Hypotheses'),
      ...view.hypotheses.slice(0, SHOWN).map(h => {
        const row = el('div', `jp-Logbook-teamRow jp-mod-${h.status}`);
        row.dataset.teamHypothesis = h.label;
        row.title = `${h.label} (${h.status}, credence ${h.credence.toFixed(2)}): ${h.statement}`;
        row.append(
          el('span', 'jp-Logbook-teamLabel', h.label),
          el('span', 'jp-Logbook-teamCredence', h.credence.toFixed(2)),
          el('span', 'jp-Logbook-teamText', h.statement)
        );
        return row;
      }),
      ...this.more(view.hypotheses.length)
    );
  }

  private renderFilter(view: ITeamView): void {
    const names = [EVERYONE, ...view.authors.map(a => a.author)];
    const key = names.join('\n');
    if (key === this.filterKey) {
      return;
    }
    this.filterKey = key;
    const chosen = names.includes(this.filter.value) ? this.filter.value : EVERYONE;
    this.filter.replaceChildren(
      ...names.map(name => {
        const option = document.createElement('option');
        option.value = name;
        const mine = view.authors.find(a => a.author === name)?.mine;
        option.textContent = name === EVERYONE ? 'everyone' : mine ? `${name} (you)` : name;
        return option;
      })
    );
    this.filter.value = chosen;
  }

  private more(total: number): HTMLElement[] {
    return total > SHOWN ? [el('div', 'jp-Logbook-muted', `and ${total - SHOWN} more`)] : [];
  }

  private view: ITeamView | null = null;
  private filterKey = '';
  private filter = document.createElement('select');
  private authors = el('div', 'jp-Logbook-teamAuthors');
  private surprises = el('div', 'jp-Logbook-teamList');
  private hypotheses = el('div', 'jp-Logbook-teamList');
}
