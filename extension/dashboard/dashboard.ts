/**
 * The research dashboard in the main area: the report's charts (credence over time, calibration, the
 * surprise timeline, modes, coverage, competing sets), drawn by the bundled vega-embed as SVG. It follows
 * the model's change feed and draws again only the charts whose key changed.
 */

import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { whenIdle } from '../lib/idle';
import { button, el } from '../lib/dom';
import { countsLine, dashboardPath, GROUPS, IDashboard, IDashboardChart, planDraw, sized } from './dashboardformat';
import { ILogbookModel } from '../lib/imodel';
import type { Result } from 'vega-embed';

/** The feed's sections whose change can move a chart. */
const MOVES_CHARTS = new Set(['hypotheses', 'surprises', 'experiments', 'mode', 'beliefs', 'team']);
const SVG_NS = 'http://www.w3.org/2000/svg';

/** vega-embed, vega and vega-lite: one chunk of this extension's own bundle, fetched once (see ``preloadDashboard``). */
let embedding: Promise<typeof import('vega-embed').default> | null = null;
const loadEmbed = () => (embedding ??= import('vega-embed').then(module => module.default));

/**
 * Fetch and compile the vega chunk, and draw one small chart off the page (so vega-lite's compiler and vega's
 * SVG renderer have run once), in the browser's idle time: the first dashboard opened then waits for none of it.
 * ``data-logbook-vega`` on the document's root says when it is done ("ready", with the milliseconds it took
 * in ``data-logbook-vega-ms``) or that it failed ("failed": the dashboard loads vega again when opened).
 */
export function preloadDashboard(): void {
  const root = document.documentElement;
  if (root.dataset.logbookVega) {
    return;
  }
  root.dataset.logbookVega = 'waiting';
  whenIdle(async () => {
    const started = performance.now();
    root.dataset.logbookVega = 'loading';
    try {
      const embed = await loadEmbed();
      const result = await embed(
        document.createElement('div'),
        {
          $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
          data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
          mark: 'line',
          encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } }
        },
        { renderer: 'svg', actions: false, mode: 'vega-lite' }
      );
      result.finalize();
      root.dataset.logbookVegaMs = String(Math.round(performance.now() - started));
      root.dataset.logbookVega = 'ready';
    } catch {
      embedding = null;
      root.dataset.logbookVega = 'failed';
    }
  });
}

interface ICard {
  node: HTMLElement;
  chart: HTMLElement;
  spec: Record<string, unknown> | null;
  key: string;
  view: Result | null;
  /** How many times this card's chart was drawn (read by tests: an unchanged chart is not drawn again). */
  draws: number;
  /** The card's words as last written: written again only when they change. */
  signature: string;
  /** The card's width when its chart was last drawn. */
  width: number;
}

export class DashboardWidget extends Widget {
  constructor(private readonly model: ILogbookModel) {
    super();
    this.id = 'jp-logbook-dashboard-content';
    this.addClass('jp-Logbook-dashboard');
    this.node.append(this.buildToolbar(), this.status, this.error, this.empty, this.body);
    this.status.className = 'jp-Logbook-dashStatus';
    this.status.setAttribute('aria-live', 'polite');
    this.error.className = 'jp-Logbook-error';
    this.error.setAttribute('role', 'alert');
    this.empty.className = 'jp-Logbook-dashEmpty';
    this.empty.textContent = 'Nothing to chart yet: state a hypothesis or run a cell, and its charts appear here.';
    this.empty.hidden = true;
    this.body.className = 'jp-Logbook-dashBody';
    for (const [group, label] of GROUPS) {
      const section = el('section', 'jp-Logbook-dashGroup');
      section.dataset.group = group;
      const heading = el('h2', 'jp-Logbook-dashGroupTitle', label);
      heading.id = `jp-logbook-dash-${group}`;
      heading.tabIndex = -1;
      section.setAttribute('aria-labelledby', heading.id);
      section.append(heading, el('div', 'jp-Logbook-dashGrid'));
      section.hidden = true;
      this.groups.set(group, section);
      this.body.append(section);
    }
    model.revised.connect((_, sections) => sections.some(s => MOVES_CHARTS.has(s)) && this.refresh(), this);
  }

  /** Fetch the dashboard and draw what changed; a call while one runs makes it run once more after. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.update_();
      } while (this.again && !this.isDisposed);
      this.running = null;
    })();
    return this.running;
  }

  dispose(): void {
    for (const card of this.cards.values()) {
      card.view?.finalize();
    }
    super.dispose();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.refresh();
  }

  /** A card much wider or narrower than when its chart was drawn has it drawn again, to its width. */
  protected onResize(msg: Widget.ResizeMessage): void {
    super.onResize(msg);
    clearTimeout(this.resizeTimer);
    this.resizeTimer = setTimeout(() => {
      const resized = [...this.cards.values()].filter(
        card => card.width > 0 && Math.abs(card.node.clientWidth - card.width) > 40
      );
      void Promise.all(resized.map(card => this.draw(card)));
    }, 150);
  }

  private async update_(): Promise<void> {
    const drawn = new Map([...this.cards].map(([id, card]) => [id, card.key]));
    let reply: IDashboard;
    const asked = performance.now();
    try {
      reply = await this.model.read<IDashboard>(dashboardPath(drawn, this.whose.value));
      this.node.dataset.replyMs = String(Math.round(performance.now() - asked));
      this.error.textContent = '';
    } catch (error) {
      this.error.textContent = `The dashboard could not be read: ${error instanceof Error ? error.message : error}`;
      return;
    }
    if ((reply.author ?? '') !== this.whose.value) {
      this.again = true; // another author was chosen meanwhile: ask again for theirs
      return;
    }
    this.renderWhose(reply);
    const plan = planDraw(drawn, reply);
    for (const id of plan.remove) {
      this.cards.get(id)?.view?.finalize();
      this.cards.get(id)?.node.remove();
      this.cards.delete(id);
    }
    for (const chart of reply.charts) {
      this.place(chart);
    }
    for (const [group, section] of this.groups) {
      section.hidden = !reply.charts.some(c => c.group === group);
    }
    for (const button of this.nav.querySelectorAll<HTMLButtonElement>('[data-group]')) {
      button.hidden = this.groups.get(button.dataset.group as never)?.hidden ?? true;
    }
    this.empty.hidden = reply.charts.length > 0;
    const cards = plan.draw.map(chart => {
      const card = this.cards.get(chart.id)!;
      card.spec = chart.spec;
      card.key = chart.key;
      return card;
    });
    // The charts in view first, then the others: drawn together, they would all appear only at the end.
    const view = this.node.getBoundingClientRect();
    const seen = (card: ICard) => {
      const box = card.node.getBoundingClientRect();
      return box.bottom > view.top && box.top < view.bottom;
    };
    const later = cards.filter(card => !seen(card));
    await Promise.all(cards.filter(card => !later.includes(card)).map(card => this.draw(card)));
    await Promise.all(later.map(card => this.draw(card)));
    const whose = reply.author ? `${reply.author}'s logbook (read only) · ` : '';
    this.status.textContent = `${whose}${countsLine(reply.counts)} · updated ${new Date().toLocaleTimeString()}`;
    this.node.dataset.refreshes = String(Number(this.node.dataset.refreshes ?? 0) + 1);
  }

  /** The card of ``chart``, made or brought up to date (its words; its drawing is ``draw``'s), in order. */
  private place(chart: IDashboardChart): void {
    let card = this.cards.get(chart.id);
    if (!card) {
      const node = el('section', 'jp-Logbook-dashCard');
      node.dataset.chart = chart.id;
      node.tabIndex = 0;
      const drawing = el('div', 'jp-Logbook-dashChart');
      card = { node, chart: drawing, spec: null, key: '', view: null, draws: 0, signature: '', width: 0 };
      this.cards.set(chart.id, card);
    }
    const { node } = card;
    const signature = JSON.stringify([chart.group, chart.title, chart.note, chart.warning, chart.details]);
    const grid = this.groups.get(chart.group)!.querySelector('.jp-Logbook-dashGrid')!;
    grid.append(node); // appending in the reply's order keeps the cards in it
    if (card.signature === signature) {
      return;
    }
    card.signature = signature;
    const title = el('h3', 'jp-Logbook-dashTitle', chart.title);
    title.id = `jp-logbook-dash-title-${chart.id}`;
    const parts: HTMLElement[] = [title, el('p', 'jp-Logbook-dashNote', chart.note)];
    if (chart.warning) {
      const warning = el('p', 'jp-Logbook-dashWarning', `⚠ ${chart.warning}`);
      warning.setAttribute('role', 'note');
      parts.push(warning);
    }
    parts.push(card.chart);
    if (chart.details.length) {
      const details = el('details', 'jp-Logbook-dashDetails');
      const list = el('ul');
      list.append(...chart.details.map(line => el('li', '', line)));
      details.append(el('summary', '', `The count behind each row (${chart.details.length})`), list);
      parts.push(details);
    }
    node.setAttribute('aria-label', `${chart.title}. ${chart.note}${chart.warning ? `. Warning: ${chart.warning}` : ''}`);
    node.dataset.key = chart.key;
    node.replaceChildren(...parts);
  }

  private async draw(card: ICard): Promise<void> {
    if (!card.spec) {
      return;
    }
    this.pending += 1;
    this.node.dataset.pending = String(this.pending);
    card.width = card.node.clientWidth; // before waiting for vega: a resize meanwhile must not draw it twice
    const width = card.width || 640;
    const embed = await loadEmbed();
    const target = el('div', 'jp-Logbook-dashVega');
    const started = performance.now();
    try {
      const result = await embed(target, sized(card.spec, width), { renderer: 'svg', actions: false, mode: 'vega-lite' });
      card.view?.finalize();
      card.view = result;
    } catch (error) {
      target.textContent = `This chart could not be drawn: ${error instanceof Error ? error.message : error}`;
    }
    titleMarks(target);
    card.chart.replaceChildren(target);
    card.node.dataset.ms = String(Math.round(performance.now() - started)); // drawing time, for bench/dashboard.py
    card.draws += 1;
    card.node.dataset.draws = String(card.draws);
    this.pending -= 1;
    this.node.dataset.pending = String(this.pending);
  }

  /** The author choice, shown in a team project only: yours, or a teammate's dashboard. */
  private renderWhose(reply: IDashboard): void {
    this.whoseRow.hidden = reply.authors.length < 2;
    const key = reply.authors.join('\n');
    if (key === this.whoseKey) {
      return;
    }
    this.whoseKey = key;
    const chosen = this.whose.value;
    const [mine, ...teammates] = reply.authors;
    this.whose.replaceChildren(
      ...[['', `${mine ?? 'you'} (you)`], ...teammates.map(name => [name, name])].map(([value, text]) => {
        const option = document.createElement('option');
        option.value = value;
        option.textContent = text;
        return option;
      })
    );
    this.whose.value = teammates.includes(chosen) ? chosen : '';
  }

  private buildToolbar(): HTMLElement {
    const bar = el('div', 'jp-Logbook-dashToolbar');
    this.whose.className = 'jp-Logbook-dashWhose';
    this.whose.setAttribute('aria-label', 'Whose dashboard');
    this.whose.addEventListener('change', () => void this.refresh());
    this.whoseRow.className = 'jp-Logbook-dashWhoseRow';
    this.whoseRow.append(el('span', '', 'Logbook of'), this.whose);
    this.whoseRow.hidden = true;
    bar.append(el('h1', 'jp-Logbook-dashHeading', 'Research dashboard'), this.whoseRow, this.nav);
    this.nav.className = 'jp-Logbook-dashNav';
    this.nav.setAttribute('aria-label', 'Dashboard sections');
    for (const [group, label] of GROUPS) {
      const jump = button(label, `Go to ${label}`, () => {
        const heading = this.groups.get(group)!.querySelector<HTMLElement>('h2')!;
        heading.scrollIntoView({ block: 'start' });
        heading.focus();
      });
      jump.dataset.group = group;
      jump.hidden = true;
      this.nav.append(jump);
    }
    this.nav.append(button('Refresh', 'Read the logbook again', () => void this.refresh(), 'jp-Logbook-dashRefresh'));
    return bar;
  }

  private whose = document.createElement('select');
  private whoseRow = el('label');
  private whoseKey = '';
  private cards = new Map<string, ICard>();
  private groups = new Map<string, HTMLElement>();
  private nav = el('nav');
  private status = el('div');
  private error = el('div');
  private empty = el('p');
  private body = el('div');
  private running: Promise<void> | null = null;
  private again = false;
  /** Charts being drawn (``data-pending``: tests wait for 0). */
  private pending = 0;
  private resizeTimer: ReturnType<typeof setTimeout> | undefined;
}

/** Each mark that carries a description gets it as its hover title too, as the report's SVGs do. */
function titleMarks(root: HTMLElement): void {
  for (const mark of root.querySelectorAll('[role="graphics-symbol"][aria-label]')) {
    const title = document.createElementNS(SVG_NS, 'title');
    title.textContent = mark.getAttribute('aria-label');
    mark.append(title);
  }
}
