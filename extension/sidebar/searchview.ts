/**
 * Search the whole logbook from the sidebar's header: one box; hypotheses, predictions, surprises, notes
 * and experiments that match, grouped by kind, best first, each with the line that matched (the
 * Experiments section below lists every matching experiment, newest first). A click or Enter opens the
 * record; the arrow keys, Home and End move between results, Escape goes back to the box.
 */

import { actionable, button, debounce, el, input } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { KIND_HEADINGS, groupHeading, groupNote, hasMore, hitKey, hitName, hitWhere, isCode, markedPieces, moveFocus, resultsSummary, withMore } from './searchformat';
import { ISearchGroup, ISearchHit, ISearchResults, ITeammateMatches, SearchKind } from '../lib/types';

/** Hits asked for per kind, and per click on "More". */
const FIRST = 5;
const MORE = 10;

export class SearchView {
  readonly node = el('div', 'jp-Logbook-searchView');

  constructor(
    private readonly model: ILogbookModel,
    private readonly open: (hit: ISearchHit, query: string) => void,
    /** Show a teammate's hit where their records are (the Team section). */
    private readonly openTeammate: (author: string, hit: ISearchHit) => void = () => undefined
  ) {
    this.box = input('jp-Logbook-search jp-Logbook-searchAll', 'Search the logbook', 'Search the logbook…');
    this.box.type = 'search';
    this.box.title = 'Search hypotheses, predictions, surprises and their explanations, notes, and code and outputs';
    const later = debounce(() => void this.run(), 200);
    this.box.addEventListener('input', later);
    this.box.addEventListener('keydown', event => this.onBoxKey(event));
    this.status.className = 'jp-Logbook-searchStatus jp-Logbook-muted';
    this.status.setAttribute('role', 'status');
    this.status.hidden = true;
    this.results.className = 'jp-Logbook-searchResults';
    this.results.setAttribute('role', 'region');
    this.results.setAttribute('aria-label', 'Search results');
    this.results.hidden = true;
    this.results.addEventListener('keydown', event => this.onResultKey(event));
    this.node.append(this.box, this.status, this.results);
    // What changed in the logbook may change what matches: search again, quietly, once things settle.
    const refresh = debounce(() => this.query && void this.run(true), 800);
    model.changed.connect((_, what) => ['hypotheses', 'surprises', 'experiments'].includes(what) && refresh(), this);
  }

  /** The words searched for (what the box says). */
  get query(): string {
    return this.box.value.trim();
  }

  /** Put the keyboard focus in the box. */
  focusBox(): void {
    this.box.focus();
  }

  /** Search for ``query`` now (as if typed in the box). */
  search(query: string): Promise<void> {
    this.box.value = query;
    return this.run();
  }

  /** Ask the server; ``refresh`` keeps as many hits of each kind as are shown. */
  private async run(refresh = false): Promise<void> {
    const query = this.query;
    const generation = ++this.generation;
    if (query !== this.model.query) {
      void this.model.search(query); // the experiments list below shows every match, newest first
    }
    if (!query) {
      this.shown = null;
      this.draw();
      return;
    }
    const limit = refresh && this.shown ? Math.max(FIRST, ...this.shown.groups.map(g => g.hits.length)) : FIRST;
    try {
      const found = await this.fetch(query, limit);
      if (generation === this.generation) {
        this.shown = found;
        this.error = '';
        this.draw();
      }
    } catch (error) {
      if (generation === this.generation) {
        this.shown = null;
        this.error = error instanceof Error ? error.message : String(error);
        this.draw();
      }
    }
  }

  private fetch(query: string, limit: number, kind: SearchKind | null = null, offset = 0): Promise<ISearchResults> {
    const params = new URLSearchParams({ q: query, limit: String(limit), offset: String(offset) });
    if (kind) {
      params.set('kind', kind);
    }
    return this.model.read<ISearchResults>(`search?${params.toString()}`);
  }

  /** The next hits of one kind, after those shown. */
  private async more(group: ISearchGroup): Promise<void> {
    const shown = this.shown;
    if (!shown) {
      return;
    }
    const generation = this.generation;
    const page = await this.fetch(shown.query, MORE, group.kind, group.offset + group.hits.length);
    if (generation === this.generation && this.shown === shown) {
      const first = group.hits.length;
      this.shown = withMore(shown, page);
      this.draw();
      this.hits()[this.hits().findIndex(n => n.dataset.searchGroup === group.kind) + first]?.focus();
    }
  }

  /**
   * Draw the results again, keeping the keyboard focus on the hit it was on. Results the same as those drawn
   * are left as they are: a search run again after a change that moved nothing replaces no row under the
   * pointer or the keyboard.
   */
  private draw(): void {
    const signature = JSON.stringify([this.error, this.shown]);
    if (signature === this.drawn) {
      return;
    }
    this.drawn = signature;
    const focused = (document.activeElement as HTMLElement | null)?.closest?.('[data-search-hit]') as HTMLElement | null;
    const keep = focused && this.results.contains(focused) ? focused.dataset.searchHit : null;
    const found = this.shown;
    this.status.hidden = !found && !this.error;
    this.status.classList.toggle('jp-mod-error', !!this.error);
    this.status.textContent = this.error || (found ? resultsSummary(found) : '');
    this.results.hidden = !found || (found.groups.length === 0 && found.teammates.length === 0);
    this.results.replaceChildren(
      ...(found?.groups ?? []).map(group => this.group(group, found!.query)),
      ...(found?.teammates ?? []).map(theirs => this.teammate(theirs, found!.query))
    );
    if (keep) {
      (this.results.querySelector(`[data-search-hit="${CSS.escape(keep)}"]`) as HTMLElement | null)?.focus();
    }
  }

  private group(group: ISearchGroup, query: string): HTMLElement {
    const node = el('div', 'jp-Logbook-searchGroup');
    node.dataset.searchKind = group.kind;
    node.setAttribute('role', 'group');
    const heading = el('div', 'jp-Logbook-searchHeading', groupHeading(group));
    heading.id = `jp-logbook-search-${group.kind}`;
    node.setAttribute('aria-labelledby', heading.id);
    const note = groupNote(group);
    if (note) {
      heading.append(el('span', 'jp-Logbook-searchNote', ` · ${note}`));
    }
    node.append(heading, ...group.hits.map(hit => this.hit(hit, query)));
    if (hasMore(group)) {
      const left = Math.min(MORE, group.ranked - group.offset - group.hits.length);
      const name = `Show ${left} more ${KIND_HEADINGS[group.kind].toLowerCase()}`;
      node.append(button(`${left} more`, name, () => void this.more(group), 'jp-Logbook-link jp-Logbook-searchMore'));
    }
    return node;
  }

  /** A teammate's matches: read here, commented on or challenged from the Team section. */
  private teammate(theirs: ITeammateMatches, query: string): HTMLElement {
    const node = el('div', 'jp-Logbook-searchGroup jp-mod-teammate');
    node.dataset.searchTeammate = theirs.author;
    node.setAttribute('role', 'group');
    const heading = el('div', 'jp-Logbook-searchHeading', `${theirs.author}’s logbook`);
    heading.id = `jp-logbook-search-teammate-${theirs.author.replace(/[^A-Za-z0-9_-]/g, '_')}`;
    node.setAttribute('aria-labelledby', heading.id);
    const shown = theirs.hits.length < theirs.total ? ` · best ${theirs.hits.length} of ${theirs.total.toLocaleString('en-US')}` : '';
    heading.append(el('span', 'jp-Logbook-searchNote', `${shown} · read only`));
    node.append(heading, ...theirs.hits.map(hit => this.hit(hit, query, theirs.author)));
    return node;
  }

  private hit(hit: ISearchHit, query: string, author: string | null = null): HTMLElement {
    const row = el('div', `jp-Logbook-searchHit jp-mod-${hit.kind}`);
    const id = author ? `${hit.id}·${author}` : hit.id;
    if (author) {
      row.dataset.teammateHit = id; // in their logbook: shown in the Team section, where one remarks on it
      actionable(row, `${hitName(hit)}, in ${author}’s logbook: show it in the Team section`, () => this.openTeammate(author, hit));
    } else {
      row.dataset.searchHit = hitKey(hit);
      row.dataset.searchGroup = hit.kind;
      actionable(row, hitName(hit), () => this.open(hit, query));
    }
    const head = el('div', 'jp-Logbook-searchLine');
    head.append(el('span', 'jp-Logbook-searchId', id));
    const where = hitWhere(hit);
    if (where) {
      head.append(el('span', 'jp-Logbook-searchWhere', where));
    }
    const text = el('span', `jp-Logbook-searchText${isCode(hit) ? ' jp-mod-code' : ''}`);
    for (const piece of markedPieces(hit.text, hit.marks ?? [])) {
      text.append(piece.match ? el('mark', 'jp-Logbook-mark', piece.text) : document.createTextNode(piece.text));
    }
    head.append(text);
    row.append(head);
    if (hit.about) {
      row.append(el('div', 'jp-Logbook-searchAbout', hit.about));
    }
    row.title = author ? `${hitName(hit)}, in ${author}’s logbook: show it in the Team section to comment on it or challenge it` : hitName(hit);
    return row;
  }

  private hits(): HTMLElement[] {
    return [...this.results.querySelectorAll('[data-search-hit]')] as HTMLElement[];
  }

  private onBoxKey(event: KeyboardEvent): void {
    if (event.key === 'ArrowDown' || event.key === 'Enter') {
      const first = this.hits()[0];
      if (first && this.shown?.query === this.query) {
        event.preventDefault();
        first.focus();
      } else if (event.key === 'Enter') {
        event.preventDefault();
        void this.run().then(() => this.hits()[0]?.focus());
      }
    } else if (event.key === 'Escape' && this.box.value) {
      event.preventDefault();
      event.stopPropagation();
      this.box.value = '';
      void this.run();
    }
  }

  private onResultKey(event: KeyboardEvent): void {
    const hits = this.hits();
    const at = hits.indexOf(event.target as HTMLElement);
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      this.box.focus();
      return;
    }
    if (at < 0) {
      return;
    }
    const next = moveFocus(at, event.key, hits.length);
    if (next === null) {
      return;
    }
    event.preventDefault();
    (next < 0 ? this.box : hits[next]).focus();
    if (next >= 0) {
      hits[next].scrollIntoView({ block: 'nearest' });
    }
  }

  private box: HTMLInputElement;
  private status = el('div');
  private results = el('div');
  private shown: ISearchResults | null = null;
  private error = '';
  private generation = 0;
  /** The results as last drawn (see ``draw``). */
  private drawn = '';
}
