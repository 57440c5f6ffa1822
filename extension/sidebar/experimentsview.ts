/**
 * The experiments: newest first, virtualised; while the sidebar's search has words, only those that match
 * (a row shows the line that matched).
 * Two chosen (checkbox, Ctrl/Shift-click, Space) are compared side by side with one click.
 */

import { Message } from '@lumino/messaging';

import { orderedPair } from '../detail/compareformat';
import { button, el, marked } from '../lib/dom';
import { fileName, firstLine } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { SectionWidget } from './section';
import { IExperimentRow } from '../lib/types';
import { VirtualList } from '../lib/virtuallist';

export const EXPERIMENT_ROW_HEIGHT = 24;

export class ExperimentsSection extends SectionWidget {
  constructor(
    model: ILogbookModel,
    open: (id: number, query: string) => void,
    private readonly compare: ((oldId: number, newId: number) => void) | null = null
  ) {
    super(model, 'experiments', 'Experiments', ['experiments']);
    this.list = new VirtualList(model.experiments, {
      rowHeight: EXPERIMENT_ROW_HEIGHT,
      label: 'Experiments, newest first',
      empty: () => (model.query ? 'Nothing matches.' : 'No experiments yet: run a cell.'),
      render: row => this.row(row),
      activate: row => open(row.id, model.query),
      ...(compare
        ? {
            selection: {
              key: (row: IExperimentRow) => row.id,
              name: (row: IExperimentRow) => `Choose experiment #${row.id} to compare`,
              changed: () => {
                this.renderChoice();
                this.sizeToContent();
              }
            }
          }
        : {})
    });
    this.choice.setAttribute('role', 'group');
    this.choice.setAttribute('aria-label', 'Compare the chosen experiments');
    this.choice.hidden = true;
    this.node.append(this.choice, this.list.node);
  }

  /** The experiments chosen for comparing, in the order they were chosen. */
  get chosen(): number[] {
    return this.list.selected;
  }

  protected render(): void {
    this.renderChoice();
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

  /** Up to fifteen rows (the list scrolls past them). */
  protected naturalHeight(): number {
    const rows = Math.min(15, Math.max(4, this.model.experiments.total)) * EXPERIMENT_ROW_HEIGHT + 2;
    return super.naturalHeight() - this.list.node.offsetHeight + rows;
  }

  /** With experiments chosen: how many, Compare when they are two, and Clear. */
  private renderChoice(): void {
    const chosen = this.list.selected;
    const compare = this.compare;
    this.choice.hidden = !compare || chosen.length === 0;
    if (this.choice.hidden || !compare) {
      this.choice.replaceChildren();
      return;
    }
    const said =
      chosen.length === 1 ? `#${chosen[0]} chosen: choose one more` : chosen.length === 2 ? '' : `${chosen.length} chosen: compare two at a time`;
    const parts: HTMLElement[] = [];
    if (chosen.length === 2) {
      const [a, b] = orderedPair(chosen[0], chosen[1]);
      parts.push(button(`Compare #${a} → #${b}`, `Compare experiment #${a} with #${b}`, () => compare(a, b), 'jp-mod-accept jp-Logbook-compareChosen'));
    } else {
      parts.push(el('span', 'jp-Logbook-muted jp-Logbook-choiceCount', said));
    }
    parts.push(button('Clear', 'Clear the chosen experiments', () => this.list.select([])));
    this.choice.replaceChildren(...parts);
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
  private choice = el('div', 'jp-Logbook-row jp-Logbook-compareChoice');
}
