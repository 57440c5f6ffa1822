/**
 * Coverage: per model the experiment ran, a layers × heads grid and a grid
 * of the other hook points, each cell marked by what the notebook did there
 * over all experiments so far, with every letter that applies as in the
 * report ("cap": cached, ablated and patched; c cached, h hooked, a ablated,
 * p patched; · never touched). Cells this experiment touched are outlined: now.
 */

import { el } from './dom';
import { LogbookModel } from './model';
import { ICoverage } from './types';

/** In the report's order, so a cell reads the same in both: "cap". */
const KINDS = ['cached', 'hooked', 'ablated', 'patched'];
const LETTER: Record<string, string> = { patched: 'p', ablated: 'a', hooked: 'h', cached: 'c' };

/** The text, class and tooltip of one cell from its counts (experiments per kind). */
export function coverageCell(counts: Record<string, number>): { letter: string; kind: string; said: string } {
  const done = KINDS.filter(k => counts[k]);
  if (!done.length) {
    return { letter: '', kind: 'untouched', said: 'never touched' };
  }
  const kind = done.some(k => k === 'patched' || k === 'ablated') ? 'changed' : 'touched';
  return { letter: done.map(k => LETTER[k]).join(''), kind, said: done.map(k => `${k} in ${counts[k]}`).join(', ') };
}

function grid(label: string, columns: string[], rows: [string, Record<string, number>[], string[]][], here: Set<string>): HTMLElement {
  const table = el('table', 'jp-Logbook-coverageGrid');
  table.setAttribute('aria-label', label);
  const head = el('tr');
  head.append(el('th'), ...columns.map(c => el('th', undefined, c)));
  table.append(head);
  for (const [name, cells, keys] of rows) {
    const tr = el('tr');
    const th = el('th', undefined, name);
    th.title = name;
    tr.append(th);
    cells.forEach((counts, i) => {
      const cell = coverageCell(counts);
      const td = el('td', `jp-mod-${cell.kind}`, cell.letter || '·');
      td.classList.toggle('jp-mod-here', here.has(keys[i]));
      td.title = `${name} ${columns[i]}: ${cell.said}${here.has(keys[i]) ? '; touched now, in this experiment' : ''}`;
      tr.append(td);
    });
    table.append(tr);
  }
  const scroll = el('div', 'jp-Logbook-coverageScroll');
  scroll.style.overflowX = 'auto';
  scroll.append(table);
  return scroll;
}

export function coverageView(c: ICoverage): HTMLElement {
  const box = el('div', 'jp-Logbook-coverage');
  box.dataset.model = c.model;
  const untouched = c.heads.flat().filter(counts => !Object.keys(counts).length).length;
  const runs = `${c.experiments.length} experiment${c.experiments.length === 1 ? '' : 's'}`;
  const total = c.n_layers * c.n_heads;
  const heads = untouched ? `${untouched} of ${total} heads never touched` : `all ${total} heads touched`;
  box.append(el('div', undefined, `Coverage of ${c.model}, all experiments so far (${runs}): ${heads}`));
  const here = new Set(c.here);
  const layers = c.heads.map((_, l) => `L${l}`);
  if (c.n_heads) {
    const columns = Array.from({ length: c.n_heads }, (_, h) => `H${h}`);
    box.append(grid(`Heads of ${c.model}`, columns, c.heads.map((row, l) => [`L${l}`, row, columns.map(h => `L${l}${h}`)]), here));
  }
  const layered = c.points.filter(p => p.layered);
  if (layered.length) {
    box.append(grid(`Hook points of ${c.model}`, layers, layered.map(p => [p.name, p.layers, layers.map((_, l) => `${p.name}@${l}`)]), here));
  }
  const other = c.points.filter(p => !p.layered);
  if (other.length) {
    box.append(grid(`Other hook points of ${c.model}`, [''], other.map(p => [p.name, p.layers, [p.name]]), here));
  }
  box.append(el('div', 'jp-Logbook-muted', 'c cached, h hooked, a ablated, p patched; · never touched; outlined: touched now, in this experiment'));
  return box;
}

/** The detail view's part for experiment ``id``, filled in once the map arrives. */
export function coveragePart(model: LogbookModel, id: number): HTMLElement {
  const node = el('section', 'jp-Logbook-detailPart jp-Logbook-coveragePart');
  const body = el('div', 'jp-Logbook-muted', 'Loading…');
  node.append(el('h3', 'jp-Logbook-detailHeading', 'Coverage of this model, all experiments so far'), body);
  model
    .coverage(id)
    .then(maps => body.replaceWith(...(maps.length ? maps.map(coverageView) : [el('div', 'jp-Logbook-muted', 'No TransformerLens model ran here.')])))
    .catch(error => body.replaceWith(el('div', 'jp-Logbook-error', `Coverage: ${error instanceof Error ? error.message : error}`)));
  return node;
}
