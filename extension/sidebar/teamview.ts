/**
 * The team section of a team project: every author with their file's state,
 * then the open surprises, hypotheses with their predictions and latest
 * experiments of everyone (or of the author chosen), each labelled with its author (S2·bob, H3·ana). A teammate's new
 * surprise arrives through the change feed, as one's own do.
 */

import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { actionable, button, el } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { ITeamHypothesis, ITeamSurprise, ITeamView } from '../lib/types';
import { SectionWidget } from './section';
import {
  EVERYONE,
  REMARK_KINDS,
  RemarkKind,
  authorLine,
  authorProblem,
  experimentLine,
  placeholderFor,
  predictionLine,
  remarkLine,
  teamCount,
  teamQuery
} from './teamformat';

/** Rows shown per list before "and N more". */
const SHOWN = 30;
/** Latest experiments shown (everyone's, newest first). */
const EXPERIMENTS_SHOWN = 10;

export class TeamSection extends SectionWidget {
  constructor(model: ILogbookModel) {
    super(model, 'team', 'Team', []);
    this.filter.className = 'jp-Logbook-teamFilter';
    this.filter.setAttribute('aria-label', 'Show the records of');
    this.filter.addEventListener('change', () => void this.refresh());
    const row = el('label', 'jp-Logbook-row jp-Logbook-teamFilterRow');
    row.append(el('span', 'jp-Logbook-muted', 'Show'), this.filter);
    this.node.append(row, this.authors, this.surprises, this.hypotheses, this.experiments);
    this.authors.setAttribute('aria-label', 'Authors');
    // A challenge or follow-up of yours adds a hypothesis of yours: the team view shows it too.
    model.changed.connect((_, what) => (what === 'team' || what === 'hypotheses') && void this.refresh(), this);
    this.buildForm();
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
    if (!this.form.contains(document.activeElement)) {
      this.update(); // while a remark is being written, the view waits for it to be sent or closed
    }
  }

  /**
   * Bring ``author``'s record ``id`` (H3, S2) into view: the filter set to them, the view read again and
   * drawn at once, and the record's row focused (Enter on it opens the remark form). False when it is not
   * among the rows shown.
   */
  async showRecord(author: string, id: string): Promise<boolean> {
    if ([...this.filter.options].some(option => option.value === author)) {
      this.filter.value = author;
    }
    await this.refresh();
    MessageLoop.sendMessage(this, Widget.Msg.UpdateRequest);
    const label = CSS.escape(`${id}·${author}`);
    const row = this.node.querySelector<HTMLElement>(`[data-team-hypothesis="${label}"], [data-team-surprise="${label}"]`);
    if (!row) {
      return false;
    }
    row.scrollIntoView({ block: 'nearest' });
    row.focus();
    return true;
  }

  protected render(): void {
    const view = this.view;
    if (!view) {
      return;
    }
    // Redrawing moves the remark form; whoever is typing in it keeps the focus and the caret.
    const typing = this.form.contains(document.activeElement) ? (document.activeElement as HTMLElement) : null;
    const caret = [this.text.selectionStart, this.text.selectionEnd];
    this.setCount(teamCount(view));
    this.renderFilter(view);
    this.authors.replaceChildren(
      ...view.authors.map(a => {
        const problem = authorProblem(a);
        const line = el('div', `jp-Logbook-teamAuthor${problem ? ' jp-mod-problem' : ''}`, authorLine(a));
        line.dataset.author = a.author;
        const checked = a.verified ? ', verified' : '';
        line.title = problem || `${a.events} events in ${a.author}'s record${checked}`;
        if (problem) {
          line.setAttribute('role', 'status');
        }
        return line;
      })
    );
    this.surprises.replaceChildren(
      el('div', 'jp-Logbook-teamHeading', view.surprises.length ? 'Open surprises' : 'No open surprises'),
      ...view.surprises.slice(0, SHOWN).flatMap(s => {
        const row = el('div', 'jp-Logbook-teamRow');
        row.dataset.teamSurprise = s.label;
        const bits = s.surprisal_bits === null ? '' : ` · ${s.surprisal_bits.toFixed(1)} bits`;
        row.title = `${s.label}: ${s.what}${bits}, flagged ${new Date(s.flagged_at).toLocaleString()}`;
        row.append(el('span', 'jp-Logbook-teamLabel', s.label), el('span', 'jp-Logbook-teamText', s.what));
        return this.withRemarks(row, s, `S${s.id}`, view);
      }),
      ...this.more(view.surprises.length)
    );
    this.hypotheses.replaceChildren(
      el('div', 'jp-Logbook-teamHeading', 'Hypotheses'),
      ...view.hypotheses.slice(0, SHOWN).flatMap(h => {
        const row = el('div', `jp-Logbook-teamRow jp-mod-${h.status}`);
        row.dataset.teamHypothesis = h.label;
        const answers = h.answers ? ` (answers ${h.answers})` : '';
        row.title = `${h.label} (${h.status}, credence ${h.credence.toFixed(2)})${answers}: ${h.statement}`;
        row.append(
          el('span', 'jp-Logbook-teamLabel', h.label),
          el('span', 'jp-Logbook-teamCredence', h.credence.toFixed(2)),
          el('span', 'jp-Logbook-teamText', h.statement)
        );
        if (h.answers) {
          row.append(el('span', 'jp-Logbook-teamAnswers', `→ ${h.answers}`));
        }
        const predictions = h.predictions.map(p => {
          const line = el('div', `jp-Logbook-teamPrediction jp-mod-${p.state}`, predictionLine(p));
          line.dataset.teamPrediction = p.label;
          line.title = line.textContent ?? '';
          return line;
        });
        const [first, ...rest] = this.withRemarks(row, h, h.id, view);
        return [first, ...predictions, ...rest];
      }),
      ...this.more(view.hypotheses.length)
    );
    this.experiments.replaceChildren(
      el('div', 'jp-Logbook-teamHeading', view.experiments.length ? 'Latest experiments' : 'No experiments yet'),
      ...view.experiments.slice(0, EXPERIMENTS_SHOWN).map(e => {
        const line = el('div', `jp-Logbook-teamExperiment${e.ok ? '' : ' jp-mod-failed'}`, experimentLine(e));
        line.dataset.teamExperiment = e.label;
        line.title = `${experimentLine(e)}\nran ${new Date(e.started_at).toLocaleString()}${e.notebook ? ` in ${e.notebook}` : ''}`;
        return line;
      })
    );
    if (typing && this.form.isConnected) {
      typing.focus();
      if (typing === this.text) {
        this.text.setSelectionRange(caret[0], caret[1]);
      }
    }
  }

  /** A record's row, its teammates' remarks under it, and the remark form when it is open on this record. */
  private withRemarks(row: HTMLElement, record: ITeamHypothesis | ITeamSurprise, id: string, view: ITeamView): HTMLElement[] {
    const nodes: HTMLElement[] = [row];
    for (const r of record.remarks) {
      const line = el('div', `jp-Logbook-teamRemark jp-mod-${r.kind}`, remarkLine(r));
      line.dataset.remark = r.label;
      nodes.push(line);
    }
    const mine = view.authors.find(a => a.author === record.author)?.mine ?? false;
    if (!mine) {
      const kinds = id.startsWith('S') ? 'comment or follow up' : 'comment, challenge or follow up';
      actionable(row, `${row.firstChild?.textContent ?? id}: ${kinds}`, () => this.openForm(record.author, id, record));
      if (this.target && this.target.author === record.author && this.target.id === id) {
        nodes.push(this.form);
      }
    }
    return nodes;
  }

  private openForm(author: string, id: string, record: ITeamHypothesis | ITeamSurprise): void {
    const same = this.target?.author === author && this.target?.id === id;
    this.target = same ? null : { author, id };
    this.challenge.hidden = id.startsWith('S'); // a surprise is commented on or followed up, not challenged
    if (this.challenge.hidden && this.kind.value === 'challenge') {
      this.kind.value = 'comment';
    }
    this.problem.textContent = '';
    this.formLabel.textContent = `On ${'label' in record ? record.label : id}`;
    this.placeholder();
    this.update();
    if (!same) {
      requestAnimationFrame(() => this.text.focus());
    }
  }

  private buildForm(): void {
    this.form.className = 'jp-Logbook-teamForm';
    this.form.setAttribute('role', 'group');
    this.kind.className = 'jp-Logbook-teamKind';
    this.kind.setAttribute('aria-label', 'What to write');
    for (const kind of REMARK_KINDS) {
      const option = document.createElement('option');
      option.value = kind;
      option.textContent = kind === 'follow-up' ? 'follow up' : kind;
      this.kind.append(option);
      if (kind === 'challenge') {
        this.challenge = option;
      }
    }
    this.kind.addEventListener('change', () => this.placeholder());
    this.text.className = 'jp-Logbook-teamInput';
    this.text.rows = 2;
    this.text.addEventListener('keydown', event => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        void this.send();
      } else if (event.key === 'Escape') {
        this.closeForm();
      }
    });
    const buttons = el('div', 'jp-Logbook-row jp-Logbook-teamButtons');
    buttons.append(
      button('Send', 'Write it in your logbook', () => void this.send(), 'jp-Logbook-teamSend'),
      button('Cancel', 'Close without writing', () => this.closeForm())
    );
    this.problem.className = 'jp-Logbook-error';
    this.problem.setAttribute('role', 'alert');
    this.form.append(this.formLabel, this.kind, this.text, this.problem, buttons);
  }

  private placeholder(): void {
    const kind = this.kind.value as RemarkKind;
    this.text.placeholder = placeholderFor(kind);
    this.text.setAttribute('aria-label', this.text.placeholder);
  }

  private async send(): Promise<void> {
    const target = this.target;
    const kind = this.kind.value as RemarkKind;
    const text = this.text.value.trim();
    if (!target || !text) {
      this.problem.textContent = text ? '' : 'Write something first.';
      return;
    }
    const body = kind === 'challenge' ? { kind, ...target, expression: text } : { kind, ...target, text };
    try {
      await this.model.remark(body);
    } catch (error) {
      this.problem.textContent = error instanceof Error ? error.message : String(error); // said where one looks
      return;
    }
    this.text.value = '';
    this.closeForm();
    void this.refresh();
  }

  private closeForm(): void {
    this.target = null;
    this.problem.textContent = '';
    this.update();
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

  private target: { author: string; id: string } | null = null;
  private form = el('div');
  private formLabel = el('div', 'jp-Logbook-muted');
  private kind = document.createElement('select');
  private challenge = document.createElement('option');
  private text = document.createElement('textarea');
  private problem = el('div');
  private view: ITeamView | null = null;
  private filterKey = '';
  private filter = document.createElement('select');
  private authors = el('div', 'jp-Logbook-teamAuthors');
  private surprises = el('div', 'jp-Logbook-teamList');
  private hypotheses = el('div', 'jp-Logbook-teamList');
  private experiments = el('div', 'jp-Logbook-teamList');
}
