/**
 * A virtualised list over a PagedList: only the rows in view are in the DOM,
 * fetched page by page. One row at a time takes the Tab key; the arrow keys,
 * Home and End move between rows. A list with ``selection`` lets several rows
 * be chosen: a checkbox on each row, Ctrl/Cmd-click toggles one, Shift-click
 * takes the rows between; Space toggles the focused row, Shift+arrows extend
 * the choice, Escape clears it.
 */

import { el } from './dom';
import { PagedList } from './paged';
import { visibleRows } from './range';

export interface IVirtualListOptions<T> {
  rowHeight: number;
  /** The list's accessible name. */
  label: string;
  /** Shown when the list is empty: a line of text, or text with a control in it. */
  empty: () => string | HTMLElement;
  /** A row's element (it is positioned by the list). */
  render: (row: T, index: number) => HTMLElement;
  /** Enter or a click on a row. */
  activate: (row: T, index: number) => void;
  /** Rows can be chosen, several at once; ``key`` names a row across pages and refreshes. */
  selection?: {
    key: (row: T) => number;
    /** The row's name for its checkbox: "Select surprise #3". */
    name: (row: T) => string;
    changed: () => void;
  };
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
    if (!this.emptyLine.hidden) {
      const empty = this.options.empty();
      if (typeof empty === 'string') {
        if (this.emptyLine.textContent !== empty || this.emptyLine.childElementCount) {
          this.emptyLine.textContent = empty;
        }
      } else if (this.emptyLine.firstChild?.textContent !== empty.textContent || !this.emptyLine.contains(document.activeElement)) {
        this.emptyLine.replaceChildren(empty);
      }
    }
    const hadFocus = this.node.contains(document.activeElement);
    const firstInView = Math.min(total - 1, Math.floor(this.node.scrollTop / rowHeight));
    if (this.current < range.first || this.current > range.last || this.current >= total) {
      this.current = Math.max(0, firstInView);
    }
    const rows: HTMLElement[] = [];
    for (let index = range.first; index <= range.last; index++) {
      const row = this.list.get(index);
      if (row !== undefined) {
        // A row drawn the same as before stays the same node: a click in progress on it is not lost.
        const node = this.place(row, index);
        const drawn = this.rowAt(index);
        rows.push(drawn && drawn.outerHTML === node.outerHTML ? drawn : node);
      }
    }
    if (rows.length !== this.spacer.children.length || rows.some((row, i) => this.spacer.children[i] !== row)) {
      this.spacer.replaceChildren(...rows);
    }
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

  /** The keys of the chosen rows, in the order they were chosen. */
  get selected(): number[] {
    return [...this.chosen];
  }

  /** Choose exactly these rows (by key); [] clears the choice. */
  select(keys: number[]): void {
    this.chosen = new Set(keys);
    this.anchor = null;
    this.render();
    this.options.selection?.changed();
  }

  private place(row: T, index: number): HTMLElement {
    const node = this.options.render(row, index);
    node.classList.add('jp-Logbook-listRow');
    node.setAttribute('role', 'listitem');
    node.dataset.index = String(index);
    node.style.top = `${index * this.options.rowHeight}px`;
    node.style.height = `${this.options.rowHeight}px`;
    node.tabIndex = index === this.current ? 0 : -1;
    node.addEventListener('click', event => {
      if (this.options.selection && (event.ctrlKey || event.metaKey)) {
        this.toggle(index);
      } else if (this.options.selection && event.shiftKey) {
        this.extend(index);
      } else {
        this.choose(row, index);
      }
    });
    node.addEventListener('focus', () => (this.current = index));
    const selection = this.options.selection;
    if (selection) {
      const chosen = this.chosen.has(selection.key(row));
      node.classList.add('jp-Logbook-selectable');
      node.classList.toggle('jp-mod-checked', chosen);
      const box = el('input', 'jp-Logbook-rowCheck') as HTMLInputElement;
      box.type = 'checkbox';
      box.tabIndex = -1; // the row takes the focus; Space toggles it
      box.checked = chosen;
      box.toggleAttribute('checked', chosen); // drawn the same only when chosen the same
      box.setAttribute('aria-label', selection.name(row));
      box.addEventListener('click', event => {
        event.stopPropagation();
        if (event.shiftKey) {
          this.extend(index);
        } else {
          this.toggle(index);
        }
      });
      node.prepend(box);
    }
    return node;
  }

  /** Choose row ``index`` or un-choose it; it becomes the anchor of a Shift-extension. */
  private toggle(index: number): void {
    const row = this.list.get(index);
    const selection = this.options.selection;
    if (row === undefined || !selection) {
      return;
    }
    const key = selection.key(row);
    this.chosen.has(key) ? this.chosen.delete(key) : this.chosen.add(key);
    this.anchor = index;
    this.current = index;
    this.render();
    this.rowAt(index)?.focus({ preventScroll: true });
    selection.changed();
  }

  /** Choose every row from the anchor (or the focused row) to ``index``. */
  private extend(index: number, from = this.anchor ?? this.current): void {
    const selection = this.options.selection;
    if (!selection) {
      return;
    }
    this.anchor = from;
    const [low, high] = [Math.min(from, index), Math.max(from, index)];
    for (let i = low; i <= high; i++) {
      const row = this.list.get(i);
      if (row !== undefined) {
        this.chosen.add(selection.key(row));
      }
    }
    this.current = index;
    this.render();
    this.rowAt(index)?.focus({ preventScroll: true });
    selection.changed();
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
    const selecting = this.options.selection !== undefined;
    if (event.key in moves) {
      event.preventDefault();
      const to = Math.max(0, Math.min(this.list.total - 1, moves[event.key]));
      if (selecting && event.shiftKey) {
        this.moveTo(to);
        this.extend(to, this.anchor ?? index);
      } else {
        this.moveTo(to);
      }
    } else if (selecting && event.key === ' ') {
      event.preventDefault();
      this.toggle(index);
    } else if (selecting && event.key === 'Escape' && this.chosen.size) {
      event.preventDefault();
      event.stopPropagation();
      this.select([]);
      this.rowAt(index)?.focus({ preventScroll: true });
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
  private chosen = new Set<number>();
  private anchor: number | null = null;
}
