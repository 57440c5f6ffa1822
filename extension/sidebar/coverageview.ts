/**
 * Coverage: per model the experiment ran or read a cache of, a layers × heads
 * grid and a grid of the other hook points, each cell marked by what the
 * notebook did there over all experiments so far, with every letter that
 * applies as in the report ("rap": read, ablated and patched; r read from a
 * cache, h hooked, a ablated, p patched; c only cached: in a cache built and
 * never read, so not looked at; · never touched). Cells this experiment
 * touched are outlined: now. A model is followed by its notebook variable and
 * architecture across retrains; the weight fingerprints seen are listed.
 */

import { el } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { ICoverage } from '../lib/types';

/** One weight fingerprint a map's model had, and in which experiments (``WeightsSeen``). */
interface IWeightsSeen {
  fingerprint: string;
  experiments: number;
  first_experiment: number;
  last_experiment: number;
  first_seen?: string | null;
  last_seen?: string | null;
}

/** A map as the server sends it: ``ICoverage`` with the variable, the architecture and the weights seen. */
type ICoverageMap = ICoverage & { variable?: string | null; architecture?: string | null; fingerprints?: IWeightsSeen[] };

/** The kinds that count as having looked, in the report's order, so a cell reads the same in both: "rap". */
const LOOKED = ['read', 'hooked', 'ablated', 'patched'];
const LETTER: Record<string, string> = { patched: 'p', ablated: 'a', hooked: 'h', read: 'r', cached: 'c' };

/** The text, class and tooltip of one cell from its counts (experiments per kind). */
export function coverageCell(counts: Record<string, number>): { letter: string; kind: string; said: string } {
  const done = LOOKED.filter(k => counts[k]);
  const cached = counts.cached ? `cached in ${counts.cached}` : '';
  if (!done.length) {
    return cached
      ? { letter: 'c', kind: 'untouched jp-mod-cached', said: `${cached}, never read: not looked at` }
      : { letter: '', kind: 'untouched', said: 'never touched' };
  }
  const kind = done.some(k => k === 'patched' || k === 'ablated') ? 'changed' : 'touched';
  const said = [...done.map(k => `${k} in ${counts[k]}`), ...(cached ? [cached] : [])].join(', ');
  return { letter: done.map(k => LETTER[k]).join(''), kind, said };
}

/** The weights a map's model had, one line: "weights a8d2fc91 throughout" or each fingerprint with its experiments. */
export function weightsText(seen: IWeightsSeen[] | undefined): string {
  if (!seen?.length) {
    return '';
  }
  const short = (f: string) => f.split(':').slice(-1)[0].slice(0, 8);
  if (seen.length === 1) {
    return `Weights ${short(seen[0].fingerprint)} throughout.`;
  }
  const spans = seen.map(w => {
    const span = w.first_experiment === w.last_experiment ? `#${w.first_experiment}` : `#${w.first_experiment}–#${w.last_experiment}`;
    const when = w.first_seen ? `, from ${new Date(w.first_seen).toLocaleString()}` : '';
    return `${short(w.fingerprint)} (${span}${when})`;
  });
  return `${seen.length} sets of weights under this name (retrained or reloaded): ${spans.join(', ')}.`;
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

export function coverageView(c: ICoverageMap): HTMLElement {
  const box = el('div', 'jp-Logbook-coverage');
  box.dataset.model = c.model;
  const unlooked = c.heads.flat().filter(counts => !LOOKED.some(k => counts[k]));
  const unread = unlooked.filter(counts => counts.cached).length;
  const runs = `${c.experiments.length} experiment${c.experiments.length === 1 ? '' : 's'}`;
  const total = c.n_layers * c.n_heads;
  const heads = unlooked.length
    ? `${unlooked.length} of ${total} heads never looked at${unread ? ` (${unread} cached, never read)` : ''}`
    : `all ${total} heads looked at`;
  box.append(el('div', undefined, `Coverage of ${c.model}, all experiments so far (${runs}): ${heads}`));
  const weights = weightsText(c.fingerprints);
  if (weights) {
    const line = el('div', 'jp-Logbook-muted jp-Logbook-coverageWeights', weights);
    line.title = (c.fingerprints ?? []).map(w => `${w.fingerprint}: ${w.experiments} experiment${w.experiments === 1 ? '' : 's'}`).join('\n');
    box.append(line);
  }
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
  box.append(el('div', 'jp-Logbook-muted', 'r read from a cache, h hooked, a ablated, p patched; c cached but never read; · never touched; outlined: touched now, in this experiment'));
  return box;
}

/** The detail view's part for experiment ``id``, filled in once the map arrives. */
export function coveragePart(model: ILogbookModel, id: number): HTMLElement {
  const node = el('section', 'jp-Logbook-detailPart jp-Logbook-coveragePart');
  const body = el('div', 'jp-Logbook-muted', 'Loading…');
  node.append(el('h3', 'jp-Logbook-detailHeading', 'Coverage of this model, all experiments so far'), body);
  model
    .coverage(id)
    .then(maps => body.replaceWith(...(maps.length ? maps.map(m => coverageView(m)) : [el('div', 'jp-Logbook-muted', 'No TransformerLens model ran here.')])))
    .catch(error => body.replaceWith(el('div', 'jp-Logbook-error', `Coverage: ${error instanceof Error ? error.message : error}`)));
  return node;
}
