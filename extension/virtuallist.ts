/**
 * A virtualised list over a PagedList: only the rows in view are in the DOM,
 * fetched page by page. One row at a time takes the Tab key; the arrow keys,
 * Home and End move between rows.
 */

import { el } from './dom';
import { PagedList } from './paged';
import { visibleRows } from './range';

export interface IVirtualListOptions<T> {
  rowHeight: number;
  /** The list's accessible name. */
  label: string;
  /** Shown when the list is empty. */
  empty: () => string;
  /** A row's element (it is positioned by the list). */
  render: (row: T, index: number) => HTMLElement;
  /** Enter or a click on a row. */
  activate: (row: T, index: number) => void;
}

export class VirtualList<T> {
  readonly node = el('div', 'jp-Logbook-viewport');

  constructor(
    private readonly list: PagedList<T>,
    private readonly options: IVirtualListOptions<T>
  ) {
    this.node.setAttribute('role', 'list');
    this.node.setAttribute('aria-label', options.label);
    this.spacer.className = 'jp-Logbook-spacer';
    this.node.append(this.spacer, this.emptyLine);
    this.node.addEventListener('scroll', () => this.render());
    this.node.addEventListener('keydown', event => this.onKey(event));
    list.changed.connect(() => this.render(), this);
  }

  /** Draw the rows in view, and ask for the pages they are on. */
  render(): void {
    const { rowHeight } = this.options;
    const total = this.list.total;
    const height = this.node.clientHeight || 300;
    const range = visibleRows(this.node.scrollTop, height, rowHeight, total);
    this.list.ensure(range);
    this.spacer.style.height = `${total * rowHeight}px`;
    this.node.dataset.total = String(total);
    this.emptyLine.hidden = total > 0 || !this.list.loaded;
    this.emptyLine.textContent = this.options.empty();
    const hadFocus = this.node.contains(document.activeElement);
    const firstInView = Math.min(total - 1, Math.floor(this.node.scrollTop / rowHeight));
    if (this.current < range.first || this.current > range.last || this.current >= total) {
      this.current = Math.max(0, firstInView);
    }
    const rows: HTMLElement[] = [];
    for (let index = range.first; index <= range.last; index++) {
      const row = this.list.get(index);
      if (row !== undefined) {
        rows.push(this.place(row, index));
      }
    }
    this.spacer.replaceChildren(...rows);
    if (hadFocus) {
      this.rowAt(this.current)?.focus({ preventScroll: true });
    }
  }

  /** Scroll row ``index`` into view (without taking the focus). */
  reveal(index: number): void {
    if (index < 0) {
      return;
    }
    const { rowHeight } = this.options;
    const top = index * rowHeight;
    if (top < this.node.scrollTop) {
      this.node.scrollTop = top;
    } else if (top + rowHeight > this.node.scrollTop + this.node.clientHeight) {
      this.node.scrollTop = top + rowHeight - this.node.clientHeight;
    }
    this.render();
  }

  private place(row: T, index: number): HTMLElement {
    const node = this.options.render(row, index);
    node.classList.add('jp-Logbook-listRow');
    node.setAttribute('role', 'listitem');
    node.dataset.index = String(index);
    node.style.top = `${index * this.options.rowHeight}px`;
    node.style.height = `${this.options.rowHeight}px`;
    node.tabIndex = index === this.current ? 0 : -1;
    node.addEventListener('click', () => this.choose(row, index));
    node.addEventListener('focus', () => (this.current = index));
    return node;
  }

  private choose(row: T, index: number): void {
    this.current = index;
    this.options.activate(row, index);
  }

  private rowAt(index: number): HTMLElement | null {
    return this.spacer.querySelector(`[data-index="${index}"]`);
  }

  private onKey(event: KeyboardEvent): void {
    const target = event.target as HTMLElement;
    if (!target.dataset.index) {
      return;
    }
    const index = Number(target.dataset.index);
    const moves: Record<string, number> = { ArrowDown: index + 1, ArrowUp: index - 1, Home: 0, End: this.list.total - 1 };
    if (event.key in moves) {
      event.preventDefault();
      this.moveTo(Math.max(0, Math.min(this.list.total - 1, moves[event.key])));
    } else if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      const row = this.list.get(index);
      if (row !== undefined) {
        this.choose(row, index);
      }
    }
  }

  private moveTo(index: number): void {
    const { rowHeight } = this.options;
    this.current = index;
    const top = index * rowHeight;
    if (top < this.node.scrollTop) {
      this.node.scrollTop = top;
    } else if (top + rowHeight > this.node.scrollTop + this.node.clientHeight) {
      this.node.scrollTop = top + rowHeight - this.node.clientHeight;
    }
    this.render();
    this.rowAt(index)?.focus({ preventScroll: true });
  }

  private spacer = el('div');
  private emptyLine = el('div', 'jp-Logbook-muted jp-Logbook-empty');
  private current = 0;
}
