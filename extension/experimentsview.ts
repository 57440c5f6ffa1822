/** The experiments: newest first, searchable (a result shows the line that matched), virtualised. */

import { Message } from '@lumino/messaging';

import { debounce, el, input, marked } from './dom';
import { fileName, firstLine } from './format';
import { LogbookModel } from './model';
import { SectionWidget } from './section';
import { IExperimentRow } from './types';
import { VirtualList } from './virtuallist';

export const EXPERIMENT_ROW_HEIGHT = 24;

export class ExperimentsSection extends SectionWidget {
  constructor(
    model: LogbookModel,
    open: (id: number, query: string) => void
  ) {
    super(model, 'experiments', 'Experiments', ['experiments']);
    const search = input('jp-Logbook-search', 'Search code and outputs', 'Search code and outputs…');
    search.type = 'search';
    search.addEventListener('input', debounce(() => void model.search(search.value.trim()), 250));
    this.list = new VirtualList(model.experiments, {
      rowHeight: EXPERIMENT_ROW_HEIGHT,
      label: 'Experiments, newest first',
      empty: () => (model.query ? 'Nothing matches.' : 'No experiments yet: run a cell.'),
      render: row => this.row(row),
      activate: row => open(row.id, model.query)
    });
    this.node.append(search, this.list.node);
  }

  protected render(): void {
    this.list.render();
    const total = this.model.experiments.total;
    this.setCount(this.model.query ? `${total.toLocaleString()} found` : total ? total.toLocaleString() : '');
  }

  protected onResize(msg: Message): void {
    super.onResize(msg);
    this.list.render();
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.list.render();
  }

  /** The search box and up to fifteen rows (the list scrolls past them). */
  protected naturalHeight(): number {
    const rows = Math.min(15, Math.max(4, this.model.experiments.total)) * EXPERIMENT_ROW_HEIGHT + 2;
    return super.naturalHeight() - this.list.node.offsetHeight + rows;
  }

  private row(e: IExperimentRow): HTMLElement {
    const row = el('div', `jp-Logbook-experiment ${e.ok ? '' : 'jp-mod-error'}`);
    const where = `${e.lab_path ?? e.notebook ?? 'unknown notebook'} [${e.execution_count ?? ' '}] · ${e.duration_ms.toFixed(0)} ms`;
    row.title = `${where}${e.error_name ? ` · ${e.error_name}` : ''}\n${e.match?.text ?? firstLine(e.source, 200)}`;
    const state = el('span', 'jp-Logbook-expState', e.ok ? '✓' : '✗');
    state.setAttribute('aria-label', e.ok ? 'ran' : `failed with ${e.error_name}`);
    row.append(el('span', 'jp-Logbook-expId', `#${e.id}`), state);
    const notebooks = new Set(this.model.experiments.rows().map(r => r.lab_path ?? r.notebook));
    if (notebooks.size > 1 && (e.lab_path ?? e.notebook)) {
      row.append(el('span', 'jp-Logbook-expNotebook', fileName(e.lab_path ?? e.notebook ?? '')));
    }
    if (e.match) {
      const words = this.model.query.split(/\s+/);
      const line = marked(e.match.text, words, 'jp-Logbook-expSource');
      line.prepend(el('span', 'jp-Logbook-matchWhere', e.match.field === 'source' ? `L${e.match.line} ` : `${e.match.field} `));
      row.append(line);
    } else {
      row.append(el('span', 'jp-Logbook-expSource', firstLine(e.source)));
    }
    row.setAttribute('aria-label', `Experiment #${e.id}, ${e.ok ? 'ran' : 'failed'}: ${e.match?.text ?? firstLine(e.source)}`);
    return row;
  }

  private list: VirtualList<IExperimentRow>;
}
