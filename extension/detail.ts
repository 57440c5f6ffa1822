/** The experiment detail view in the main area: everything recorded about one executed cell. */

import { MainAreaWidget } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { coveragePart } from './coverageview';
import { hooksLeftMark, hooksLeftParts } from './hooksleft';
import { attempt, button, el, pill } from './dom';
import { stripAnsi } from './format';
import { judgementsPart, metaLine, nameRow, outputView, part, pre, sourceView, table, torchParts } from './detailparts';
import { historyPart } from './historyview';
import { LogbookModel } from './model';
import { FIGURE_MIMES, pinButton, pinnedPositions } from './pins';
import { IExperiment, IJudgement } from './types';

export class ExperimentDetail extends Widget {
  constructor(
    private readonly model: LogbookModel,
    private readonly openCell: (path: string, cellId: string | null) => void
  ) {
    super();
    this.addClass('jp-Logbook-detail');
    this.node.tabIndex = -1;
  }

  /** The experiment shown, if any. */
  get experimentId(): number | null {
    return this.shown;
  }

  async showExperiment(id: number, query = ''): Promise<void> {
    this.shown = id;
    this.node.replaceChildren(el('div', 'jp-Logbook-muted', `Loading experiment #${id}…`));
    try {
      const { experiment, judgements } = await this.model.experiment(id);
      if (this.shown === id) {
        await this.render(experiment, judgements, query.split(/\s+/).filter(Boolean));
      }
    } catch (error) {
      this.node.replaceChildren(el('div', 'jp-Logbook-error', `Experiment #${id}: ${error instanceof Error ? error.message : error}`));
    }
  }

  dispose(): void {
    this.revoke();
    super.dispose();
  }

  private async render(e: IExperiment, judgements: IJudgement[], words: string[]): Promise<void> {
    this.revoke();
    const head = el('header', 'jp-Logbook-detailHead');
    const title = el('h2', undefined, `Experiment #${e.id} `);
    title.append(pill(e.ok ? 'ran' : 'failed', e.ok ? 'held' : 'failed'));
    const hookMark = hooksLeftMark(e.torch);
    if (hookMark) {
      title.append(' ', hookMark);
    }
    head.append(title, el('div', 'jp-Logbook-muted', metaLine(e)));
    if (e.lab_path) {
      const path = e.lab_path;
      head.append(button('Open cell', `Open the cell of experiment #${e.id} in ${path}`, () => this.openCell(path, e.cell_id), 'jp-mod-accept'));
    } else {
      head.append(el('div', 'jp-Logbook-muted', 'The notebook is outside this Jupyter root.'));
    }
    const parts: HTMLElement[] = [head, part('Source', sourceView(e.source, words))];
    if (e.error) {
      parts.push(part(`Error: ${e.error.name}`, pre(`${e.error.name}: ${e.error.value}`), pre(stripAnsi(e.error.traceback), 'jp-Logbook-traceback')));
    }
    if (e.stdout) {
      parts.push(part('stdout', pre(e.stdout)));
    }
    if (e.stderr) {
      parts.push(part('stderr', pre(e.stderr, 'jp-Logbook-stderr')));
    }
    parts.push(judgementsPart(judgements));
    const history = await this.model.history(e.id).catch(() => null);
    const undo = (label: string) =>
      void attempt(() => this.model.unexpectValue(history!.cell_key, label)).then(ok => {
        if (ok && this.shown === e.id) {
          void this.showExperiment(e.id); // the history again, without the value undone
        }
      });
    if (history && (history.runs.length > 1 || history.expected.length || history.expected_envelopes?.length)) {
      parts.push(historyPart(history, e.id, id => void this.showExperiment(id), undo));
    }
    const names = Object.entries(e.names);
    if (names.length) {
      parts.push(part('Names assigned', table(['name', 'what', 'statistics or value'], names.map(([n, s]) => nameRow(n, s)), 'Names assigned')));
    }
    parts.push(...hooksLeftParts(e.torch, id => void this.showExperiment(id)), ...torchParts(e.torch), ...(e.torch.models || e.torch.cache_reads ? [coveragePart(this.model, e.id)] : []));
    const outputs = part(`Outputs (${e.outputs.length})`);
    parts.push(outputs);
    this.node.replaceChildren(...parts);
    const pinned = await pinnedPositions(this.model.requester, e.id).catch(() => new Set<number>());
    for (const [position, output] of e.outputs.entries()) {
      const trust = { trusted: e.outputs_trusted !== false, why: e.outputs_untrusted_why ?? '' };
      const view = await outputView(output, this.urls, trust).catch(error => el('div', 'jp-Logbook-error', String(error)));
      if (FIGURE_MIMES.includes(output.mime)) {
        view.querySelector('figcaption')?.append(' ', pinButton(this.model.requester, e.id, position, pinned));
      }
      outputs.append(view);
    }
  }

  private revoke(): void {
    this.urls.forEach(url => URL.revokeObjectURL(url));
    this.urls = [];
  }

  private shown: number | null = null;
  private urls: string[] = [];
}

/** One detail view, reused: opening another experiment replaces what it shows. */
export class DetailOpener {
  constructor(
    private readonly model: LogbookModel,
    private readonly openCell: (path: string, cellId: string | null) => void,
    private readonly addToShell: (widget: MainAreaWidget) => void,
    private readonly activate: (id: string) => void
  ) {}

  async open(id: number, query = ''): Promise<MainAreaWidget<ExperimentDetail>> {
    if (!this.widget || this.widget.isDisposed) {
      const content = new ExperimentDetail(this.model, this.openCell);
      this.widget = new MainAreaWidget({ content });
      this.widget.id = 'jp-logbook-experiment';
      this.widget.addClass('jp-Logbook-detailArea');
      this.addToShell(this.widget);
    }
    this.widget.title.label = `Experiment #${id}`;
    this.widget.title.closable = true;
    this.activate(this.widget.id);
    await this.widget.content.showExperiment(id, query);
    return this.widget;
  }

  private widget: MainAreaWidget<ExperimentDetail> | null = null;
}
