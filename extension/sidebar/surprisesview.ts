/**
 * The surprise inbox: unread first, then the most surprising, then the newest;
 * filtered open / resolved / all. One surprise is triaged at a time, or several
 * chosen at once (checkbox, Ctrl/Shift-click, Space, Shift+arrows) are
 * explained, dismissed or marked expected with one gesture.
 */

import { Message } from '@lumino/messaging';

import { attempt, button, el, pill } from '../lib/dom';
import { driftPill, earlierValues, isDrift } from '../lib/drift';
import { isUnread, resolutionWords } from '../lib/feedstate';
import { describeObserved, formatBits, relativeTime } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { ProposalsView } from './proposalview';
import { SectionWidget } from './section';
import { bulkSummary, driftMoves, movesSummary, pickSurprise, readSteps, runsWords, stepLine } from '../lib/signalformat';
import { TriagePanel } from './triage';
import { ISurprise, ISurpriseRef } from '../lib/types';
import { VirtualList } from '../lib/virtuallist';
import { SURPRISE_FILTERS } from '../lib/words';

export const SURPRISE_ROW_HEIGHT = 50;
/** Rows the inbox always shows while some are unread. */
const UNREAD_ROWS = 4;

/** The second line of a row: the values that decided it (or what was observed), when, and how it stands. */
export function surpriseDetail(s: ISurprise): string {
  const latest = readSteps(s.last_steps);
  const steps = Number(s.runs ?? 1) > 1 && latest.length ? latest : readSteps(s.steps);
  const moves = driftMoves(s.drift);
  const observed = s.manual
    ? 'flagged by hand'
    : isDrift(s) && s.drift
      ? moves.length > 1
        ? movesSummary(s.drift)
        : `drift: was ${earlierValues({ earlier: Array.isArray(s.drift.earlier) ? s.drift.earlier : [] }, 2)}`
      : steps.length
        ? (steps === latest ? 'last run: ' : '') + stepLine(steps[steps.length - 1])
        : `observed ${describeObserved(s.observed)}`;
  const again = runsWords(s);
  const closed = s.resolution ? resolutionWords(s) : '';
  return [observed, relativeTime(s.created_at, Date.now()), again, closed].filter(Boolean).join(' · ');
}

export class SurprisesSection extends SectionWidget {
  constructor(
    model: ILogbookModel,
    openExperiment: (id: number) => void
  ) {
    super(model, 'surprises', 'Surprises', ['surprises', 'hypotheses']);
    const filters = el('div', 'jp-Logbook-row jp-Logbook-filters');
    filters.setAttribute('role', 'group');
    filters.setAttribute('aria-label', 'Show surprises');
    this.filterButtons = SURPRISE_FILTERS.map(filter =>
      button(filter, `Show ${filter} surprises`, () => void model.setSurpriseFilter(filter), 'jp-Logbook-filter')
    );
    filters.append(...this.filterButtons);
    this.list = new VirtualList(model.surprises, {
      rowHeight: SURPRISE_ROW_HEIGHT,
      label: 'Surprises, unread first, then most surprising',
      empty: () => this.emptyMessage(),
      render: surprise => this.row(surprise),
      activate: surprise => this.select(surprise),
      selection: {
        key: s => s.id,
        name: s => `Choose ${isDrift(s) ? 'drift' : 'surprise'} #${s.id} for a bulk action`,
        changed: () => {
          if (!this.busy) {
            this.summary.textContent = ''; // a new choice: the last action's line is done with
          }
          this.renderBulk();
        }
      }
    });
    this.list.node.classList.add('jp-Logbook-surpriseList');
    this.bulk.setAttribute('role', 'group');
    this.bulk.setAttribute('aria-label', 'Act on the chosen surprises');
    this.bulk.hidden = true;
    this.summary.setAttribute('role', 'status');
    this.summary.hidden = true;
    this.triage = new TriagePanel(model, openExperiment, () => this.sizeToContent());
    const proposals = new ProposalsView(model, () => this.sizeToContent()).node;
    this.node.append(filters, proposals, this.bulk, this.summary, this.list.node, this.triage.node);
  }

  /** Show the inbox's first surprise with the keyboard focus on it. */
  focusFirst(): void {
    this.list.render();
    (this.list.node.querySelector('[tabindex="0"]') as HTMLElement | null)?.focus();
  }

  protected render(): void {
    const filter = this.model.surpriseFilter;
    for (const b of this.filterButtons) {
      const active = b.textContent === filter;
      b.classList.toggle('jp-mod-active', active);
      b.setAttribute('aria-pressed', String(active));
    }
    const rows = this.model.surprises.rows();
    for (const s of rows) {
      this.known.set(s.id, s);
    }
    this.list.render();
    this.revealNewest();
    const at = rows.findIndex(s => s.id === this.selected);
    if (at >= 0 && at !== this.selectedAt) {
      this.list.reveal(at); // once read, the selected surprise moves below the unread ones: follow it
    }
    this.selectedAt = at;
    // A surprise shown from a card may not be on the pages in view: triage shows it all the same.
    const selected = rows[at] ?? (this.outside?.id === this.selected ? this.outside : null);
    this.triage.show(selected ?? null);
    this.renderBulk();
    const unread = this.model.unread;
    this.setCount(unread ? `${unread.toLocaleString()} unread` : filter === 'open' ? String(this.model.surprises.total || '') : '');
  }

  protected onResize(msg: Message): void {
    super.onResize(msg);
    this.list.render();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.list.render();
  }

  /**
   * Select the surprise a card under a cell names and scroll it into view. One the inbox does not hold
   * (resolved, under the open filter) is looked up, the filter switched to show it, and it is triaged.
   */
  async showSurprise(ref: ISurpriseRef): Promise<boolean> {
    const here = pickSurprise(this.model.surprises.rows(), ref);
    if (here) {
      this.reveal(here);
      return true;
    }
    const found = await this.model.lookupSurprise(ref).catch(() => null);
    if (!found) {
      return false;
    }
    const filter = this.model.surpriseFilter;
    if (filter !== 'all' && (filter === 'open') !== (found.status === 'open')) {
      await this.model.setSurpriseFilter(found.status === 'open' ? 'open' : 'resolved');
    }
    this.outside = found;
    this.reveal(this.model.surprises.rows().find(s => s.id === found.id) ?? found);
    return true;
  }

  /** Put the keyboard focus on the selected surprise's first action (after ``showSurprise``). */
  focusTriage(): void {
    requestAnimationFrame(() => (this.triage.node.querySelector('button, textarea, input') as HTMLElement | null)?.focus());
  }

  private reveal(s: ISurprise): void {
    this.list.reveal(this.model.surprises.rows().findIndex(row => row.id === s.id));
    this.select(s);
  }

  /** "Nothing surprising yet", or, when every surprise is resolved, says so with a way to show them. */
  private emptyMessage(): string | HTMLElement {
    const filter = this.model.surpriseFilter;
    if (filter === 'resolved') {
      return 'No resolved surprises.';
    }
    const resolved = this.model.resolvedCount;
    if (filter === 'open' && resolved > 0) {
      const line = el('span', 'jp-Logbook-allResolved', `All ${resolved.toLocaleString()} surprise${resolved === 1 ? '' : 's'} resolved. `);
      line.append(button('Show them', 'Show the resolved surprises', () => void this.model.setSurpriseFilter('resolved'), 'jp-Logbook-link'));
      return line;
    }
    return 'Nothing surprising yet: surprises come from predictions that fail and from values that drift.';
  }

  /** A surprise that arrived since the last drawing is scrolled into view. */
  private revealNewest(): void {
    const rows = this.model.surprises.rows();
    const newest = rows.reduce((most, s) => Math.max(most, s.id), 0);
    if (this.newestSeen !== null && newest > this.newestSeen) {
      this.list.reveal(rows.findIndex(s => s.id === newest));
    }
    if (this.model.surprises.loaded) {
      this.newestSeen = Math.max(this.newestSeen ?? 0, newest);
    }
  }

  /**
   * While some are unread the inbox keeps room for four rows; while one is triaged it may take 60% of the window;
   * either as far as the other open sections leave room (its rows and form scroll inside it, never off the sidebar).
   */
  protected sizeToContent(): void {
    const unreadRows = Math.min(UNREAD_ROWS, this.model.unread, this.model.surprises.total);
    this.list.node.style.minHeight = unreadRows > 1 ? `${unreadRows * SURPRISE_ROW_HEIGHT + 2}px` : '';
    // The bar of bulk actions and its summary line come on top of the rows kept in view.
    const extra = (this.bulk?.offsetHeight ?? 0) + (this.summary?.offsetHeight ?? 0);
    const floor = Math.max(120, unreadRows * SURPRISE_ROW_HEIGHT + 40) + extra;
    const wanted = this.triage.node.hidden ? floor : Math.max(floor, window.innerHeight * 0.6);
    super.sizeToContent(Math.max(120, Math.min(wanted, this.roomInPanel())));
  }

  /** The filters, every row (the list scrolls past ten), and the triage panel. */
  protected naturalHeight(): number {
    const rows = Math.min(10, Math.max(2, this.model.surprises.total)) * SURPRISE_ROW_HEIGHT + 2;
    const triage = this.triage.node.hidden ? 0 : this.triage.node.scrollHeight + 2;
    return super.naturalHeight() - this.list.node.offsetHeight - this.triage.node.offsetHeight + rows + triage;
  }

  private row(s: ISurprise): HTMLElement {
    const row = el('div', `jp-Logbook-surprise jp-mod-${isUnread(s) ? 'unread' : s.status}${isDrift(s) ? ' jp-mod-drift' : ''}`);
    row.dataset.surprise = String(s.id);
    row.classList.toggle('jp-mod-selected', s.id === this.selected);
    const head = el('div', 'jp-Logbook-surpriseLine');
    head.append(isDrift(s) && s.surprisal_bits === null ? driftPill() : pill(formatBits(s.surprisal_bits), 'bits', 'surprisal'));
    const what = s.manual || isDrift(s) ? s.note : `${s.prediction_id ?? s.hypothesis_id ?? ''} ${s.prediction ?? ''}`;
    head.append(el('span', 'jp-Logbook-surpriseWhat', what));
    const detail = surpriseDetail(s);
    row.append(head, el('div', 'jp-Logbook-surpriseLine jp-Logbook-muted', detail));
    row.title = `${what}\n${detail}`;
    const kind = isDrift(s) ? 'drift' : 'surprise';
    const chosen = this.list?.selected.includes(s.id) ? ', chosen' : '';
    row.setAttribute('aria-label', `${isUnread(s) ? `Unread ${kind}` : kind[0].toUpperCase() + kind.slice(1)}, ${formatBits(s.surprisal_bits)}: ${what}${chosen}`);
    return row;
  }

  private select(s: ISurprise): void {
    this.selected = s.id;
    this.update();
    void attempt(() => this.model.markRead(s));
  }

  /** The chosen surprises, as last seen (a chosen row may have scrolled off its page). */
  private chosen(): ISurprise[] {
    return this.list.selected.map(id => this.known.get(id)).filter((s): s is ISurprise => s !== undefined);
  }

  /** The bar over the list while surprises are chosen: how many, and the actions that close them all. */
  private renderBulk(): void {
    const chosen = this.chosen();
    const key = JSON.stringify([chosen.map(s => [s.id, s.kind, s.status]), this.bulkForm, this.busy]);
    if (key === this.bulkKey && this.bulk.contains(document.activeElement)) {
      return;
    }
    this.bulkKey = key;
    this.bulk.hidden = chosen.length === 0;
    this.summary.hidden = !this.summary.textContent;
    if (!chosen.length) {
      this.bulk.replaceChildren();
      this.bulkForm = false;
      this.sizeToContent();
      return;
    }
    const n = chosen.length;
    const top = el('div', 'jp-Logbook-row jp-Logbook-bulkActions');
    top.append(el('span', 'jp-Logbook-bulkCount', `${n} chosen`));
    const drift = chosen.filter(s => isDrift(s)).length;
    const explain = button('Explain', `Write one explanation for the ${n} chosen`, () => {
      this.bulkForm = !this.bulkForm;
      this.renderBulk();
      (this.bulk.querySelector('textarea') as HTMLTextAreaElement | null)?.focus();
    });
    explain.setAttribute('aria-expanded', String(this.bulkForm));
    explain.classList.toggle('jp-mod-active', this.bulkForm);
    top.append(explain, button('Dismiss', `Dismiss the ${n} chosen without a change of belief`, () => void this.act('dismissed')));
    if (drift) {
      top.append(
        button('Expected', `Mark the ${drift} chosen drift${drift === 1 ? '' : 's'} as expected to vary`, () => void this.act('expected'), 'jp-mod-accept')
      );
    }
    top.append(button('Clear', 'Clear the choice', () => this.list.select([]), 'jp-Logbook-link'));
    for (const b of top.querySelectorAll('button')) {
      (b as HTMLButtonElement).disabled = this.busy;
    }
    const parts: HTMLElement[] = [top];
    if (this.bulkForm) {
      const text = el('textarea', 'jp-Logbook-input jp-Logbook-explanation jp-Logbook-bulkExplanation') as HTMLTextAreaElement;
      text.setAttribute('aria-label', `One explanation for the ${n} chosen`);
      text.placeholder = 'What explains them all?';
      text.rows = 2;
      text.value = this.bulkDraft; // what was typed survives choosing another row
      const save = button(`Explain ${n}`, `Save the explanation and close the ${n} chosen`, () => {
        if (text.value.trim()) {
          void this.act('explained', text.value.trim());
        }
      }, 'jp-mod-accept');
      save.disabled = !text.value.trim() || this.busy;
      text.addEventListener('input', () => {
        this.bulkDraft = text.value;
        save.disabled = !text.value.trim() || this.busy;
      });
      text.addEventListener('keydown', event => {
        if (event.key === 'Enter' && !event.shiftKey) {
          event.preventDefault();
          save.click();
        }
      });
      const row = el('div', 'jp-Logbook-row');
      row.append(save, button('Cancel', 'Close the explanation', () => {
        this.bulkForm = false;
        this.renderBulk();
      }));
      parts.push(text, row);
    }
    this.bulk.replaceChildren(...parts);
    this.sizeToContent();
  }

  /** One gesture for every chosen surprise; a line says how many closed and which were refused, and why. */
  private async act(action: 'explained' | 'dismissed' | 'expected', explanation = ''): Promise<void> {
    const chosen = this.chosen();
    if (!chosen.length || this.busy) {
      return;
    }
    this.busy = true;
    this.renderBulk();
    try {
      const answer = await this.model.bulkTriage(chosen, action, explanation);
      this.summary.textContent = bulkSummary(answer);
      this.summary.classList.toggle('jp-mod-refused', answer.refused > 0);
      this.bulkForm = false;
      this.bulkDraft = '';
      // The refused ones stay chosen, to be closed another way.
      this.list.select(answer.results.filter(r => !r.ok).map(r => r.id));
    } catch (error) {
      this.summary.textContent = `Nothing closed: ${error instanceof Error ? error.message : error}`;
      this.summary.classList.add('jp-mod-refused');
    } finally {
      this.busy = false;
      this.summary.hidden = false;
      this.renderBulk();
    }
  }

  private filterButtons: HTMLButtonElement[];
  private list: VirtualList<ISurprise>;
  private triage: TriagePanel;
  private bulk = el('div', 'jp-Logbook-bulk');
  private summary = el('div', 'jp-Logbook-bulkSummary');
  private bulkForm = false;
  private bulkDraft = '';
  private bulkKey = '';
  private busy = false;
  private known = new Map<number, ISurprise>();
  private outside: ISurprise | null = null;
  private selected: number | null = null;
  private newestSeen: number | null = null;
  private selectedAt = -1;
}
