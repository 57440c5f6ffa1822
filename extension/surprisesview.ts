/** The surprise inbox: unread first, then the most surprising, then the newest; filtered open / resolved / all, one surprise triaged at a time. */

import { Message } from '@lumino/messaging';

import { attempt, button, el, pill } from './dom';
import { driftPill, earlierValues, isDrift } from './drift';
import { isUnread, resolutionWords } from './feedstate';
import { describeObserved, formatBits, relativeTime } from './format';
import { LogbookModel } from './model';
import { SectionWidget } from './section';
import { TriagePanel } from './triage';
import { ISurprise, SurpriseFilter } from './types';
import { VirtualList } from './virtuallist';

export const SURPRISE_ROW_HEIGHT = 50;
/** Rows the inbox always shows while some are unread. */
const UNREAD_ROWS = 4;
const FILTERS: SurpriseFilter[] = ['open', 'resolved', 'all'];

export class SurprisesSection extends SectionWidget {
  constructor(
    model: LogbookModel,
    openExperiment: (id: number) => void
  ) {
    super(model, 'surprises', 'Surprises', ['surprises', 'hypotheses']);
    const filters = el('div', 'jp-Logbook-row jp-Logbook-filters');
    filters.setAttribute('role', 'group');
    filters.setAttribute('aria-label', 'Show surprises');
    this.filterButtons = FILTERS.map(filter =>
      button(filter, `Show ${filter} surprises`, () => void model.setSurpriseFilter(filter), 'jp-Logbook-filter')
    );
    filters.append(...this.filterButtons);
    this.list = new VirtualList(model.surprises, {
      rowHeight: SURPRISE_ROW_HEIGHT,
      label: 'Surprises, unread first, then most surprising',
      empty: () =>
        model.surpriseFilter === 'resolved'
          ? 'No resolved surprises.'
          : 'Nothing surprising yet: surprises come from predictions that fail and from values that drift.',
      render: surprise => this.row(surprise),
      activate: surprise => this.select(surprise)
    });
    this.list.node.classList.add('jp-Logbook-surpriseList');
    this.triage = new TriagePanel(model, openExperiment, () => this.sizeToContent());
    this.node.append(filters, this.list.node, this.triage.node);
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
    this.list.render();
    this.revealNewest();
    const rows = this.model.surprises.rows();
    const at = rows.findIndex(s => s.id === this.selected);
    if (at >= 0 && at !== this.selectedAt) {
      this.list.reveal(at); // once read, the selected surprise moves below the unread ones: follow it
    }
    this.selectedAt = at;
    const selected = rows[at];
    this.triage.show(selected ?? null);
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

  /** Select the newest surprise in the inbox that ``matches`` and scroll it into view; false when none does. */
  showSurprise(matches: (s: ISurprise) => boolean): boolean {
    const rows = this.model.surprises.rows();
    const found = rows.filter(matches).sort((a, b) => b.id - a.id)[0];
    if (!found) {
      return false;
    }
    this.list.reveal(rows.indexOf(found));
    this.select(found);
    return true;
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

  /** While some are unread the inbox keeps room for four rows; while one is triaged it may take 60% of the window. */
  protected sizeToContent(): void {
    const unreadRows = Math.min(UNREAD_ROWS, this.model.unread, this.model.surprises.total);
    this.list.node.style.minHeight = unreadRows > 1 ? `${unreadRows * SURPRISE_ROW_HEIGHT + 2}px` : '';
    const floor = Math.max(120, unreadRows * SURPRISE_ROW_HEIGHT + 40);
    super.sizeToContent(this.triage.node.hidden ? floor : Math.max(floor, window.innerHeight * 0.6));
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
    const observed = s.manual
      ? 'flagged by hand'
      : isDrift(s) && s.drift
        ? `drift: was ${earlierValues(s.drift, 2)}`
        : `observed ${describeObserved(s.observed)}`;
    const closed = s.resolution ? ` · ${resolutionWords(s)}` : '';
    const detail = el('div', 'jp-Logbook-surpriseLine jp-Logbook-muted', `${observed} · ${relativeTime(s.created_at, Date.now())}${closed}`);
    row.append(head, detail);
    row.title = `${what}\n${observed}`;
    const kind = isDrift(s) ? 'drift' : 'surprise';
    row.setAttribute('aria-label', `${isUnread(s) ? `Unread ${kind}` : kind[0].toUpperCase() + kind.slice(1)}, ${formatBits(s.surprisal_bits)}: ${what}`);
    return row;
  }

  private select(s: ISurprise): void {
    this.selected = s.id;
    this.update();
    void attempt(() => this.model.markRead(s));
  }

  private filterButtons: HTMLButtonElement[];
  private list: VirtualList<ISurprise>;
  private triage: TriagePanel;
  private selected: number | null = null;
  private newestSeen: number | null = null;
  private selectedAt = -1;
}
