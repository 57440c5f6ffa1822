/** A long list fetched from the server a page at a time: only the pages in view are asked for. */

import { ISignal, Signal } from '@lumino/signaling';

import { IRowRange, pagesFor } from './range';
import { IPage } from './types';

export type PageFetcher<T> = (offset: number, limit: number) => Promise<IPage<T>>;

export class PagedList<T> {
  constructor(
    private readonly fetchPage: PageFetcher<T>,
    readonly pageSize = 100
  ) {}

  /** Fired when rows or the total change. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** Rows in the whole list (on the server). */
  get total(): number {
    return this._total;
  }

  /** Whether the first page has arrived since the last reset. */
  get loaded(): boolean {
    return this._loaded;
  }

  /** The row at ``index``, if its page is here. */
  get(index: number): T | undefined {
    return this.pages.get(Math.floor(index / this.pageSize))?.[index % this.pageSize];
  }

  /** The rows that are here, in order (for small lists and tests). */
  rows(): T[] {
    return [...this.pages.keys()].sort((a, b) => a - b).flatMap(page => this.pages.get(page) ?? []);
  }

  /** Ask for the pages holding rows ``range`` (the ones in view) that are not here yet. */
  ensure(range: IRowRange): void {
    const wanted = pagesFor(range, this.pageSize);
    this.wanted = wanted.length ? wanted : [0];
    for (const page of this.wanted) {
      if (!this.pages.has(page) && this.loading.get(page) !== this.generation) {
        void this.load(page);
      }
    }
  }

  /**
   * The list changed on the server: fetch again the pages in view, keeping
   * the old rows on screen until the new ones arrive; drop the others.
   */
  async refresh(): Promise<void> {
    this.generation += 1;
    const generation = this.generation;
    await Promise.all(this.wanted.map(page => this.load(page)));
    if (generation === this.generation) {
      for (const page of [...this.pages.keys()]) {
        if (!this.wanted.includes(page)) {
          this.pages.delete(page);
        }
      }
    }
  }

  /** Start again from the first page (a new search or filter): the old rows go at once. */
  async reset(): Promise<void> {
    this.generation += 1;
    this.pages.clear();
    this._loaded = false;
    this.wanted = [0];
    this._changed.emit();
    await this.load(0);
  }

  private async load(page: number): Promise<void> {
    const generation = this.generation;
    this.loading.set(page, generation);
    try {
      const result = await this.fetchPage(page * this.pageSize, this.pageSize);
      if (generation !== this.generation) {
        return;
      }
      this._total = result.total;
      this._loaded = true;
      this.pages.set(page, result.rows);
      this._changed.emit();
    } finally {
      if (this.loading.get(page) === generation) {
        this.loading.delete(page);
      }
    }
  }

  private pages = new Map<number, T[]>();
  private loading = new Map<number, number>();
  private wanted: number[] = [0];
  private generation = 0;
  private _total = 0;
  private _loaded = false;
  private _changed = new Signal<this, void>(this);
}
