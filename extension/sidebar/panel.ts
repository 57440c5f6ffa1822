/**
 * The Logbook sidebar: a header (unread badge, export, errors) over
 * JupyterLab's collapsible panel of sections, each a widget of its own.
 */

import { SidePanel } from '@jupyterlab/ui-components';
import { AccordionPanel, Panel, SplitPanel, Widget } from '@lumino/widgets';

import { BrainstormSection } from './brainstormview';
import { button, el } from '../lib/dom';
import { ExperimentsSection } from './experimentsview';
import { HypothesesSection } from './hypothesesview';
import { ILogbookModel } from '../lib/imodel';
import { ModeSection } from './modeview';
import { ICellRef } from './predictionview';
import { SearchView } from './searchview';
import { SectionWidget } from './section';
import { RememberedLayout, SectionTitles } from './sectionlayout';
import { SurprisesSection } from './surprisesview';
import { TeamSection } from './teamview';
import { SIDEBAR_ID } from '../lib/tokens';
import { TrustBlock } from './trustview';
import { ISearchHit, Section } from '../lib/types';

export interface IPanelOptions {
  openExperiment: (id: number, query: string) => void;
  /** Open the export dialog. */
  openExport: () => void;
  /** Open the research dashboard in the main area. */
  openDashboard?: () => void;
  /** The cell selected in the active notebook, if any (a verdict in words is judged on its run). */
  selectedCell?: () => ICellRef | null;
  /** Two experiments side by side (old, new): two chosen in the list and compared. */
  compare?: (oldId: number, newId: number) => void;
  /** A team project: the sidebar has a Team section (every author's records, attributed). */
  team?: boolean;
  /** Settles once JupyterLab has restored its layout (and replayed the sections it kept in its workspace). */
  restored?: Promise<unknown>;
}

/** A small bar chart: the dashboard button's face. */
const DASHBOARD_ICON =
  '<svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><path fill="currentColor" ' +
  'd="M2 13h12v1H2zM3 8h2v4H3zm4-4h2v8H7zm4 2h2v6h-2z"/></svg>';

/** How much of the panel's height each section takes when all are open. */
const STRETCH: Partial<Record<Section, number>> = { mode: 0, brainstorm: 1, surprises: 2, hypotheses: 3, experiments: 2, team: 2 };

export class LogbookPanel extends SidePanel {
  readonly brainstorm: BrainstormSection;
  readonly hypotheses: HypothesesSection;
  readonly surprises: SurprisesSection;
  readonly experiments: ExperimentsSection;

  constructor(
    private readonly model: ILogbookModel,
    options: IPanelOptions
  ) {
    super({ header: new Panel(), renderer: new SectionTitles() });
    this.id = SIDEBAR_ID;
    this.addClass('jp-Logbook');
    this.title.caption = 'Logbook';
    this.header.addWidget(this.buildHeader(options));
    this.brainstorm = new BrainstormSection(model);
    this.hypotheses = new HypothesesSection(model, options.selectedCell);
    this.surprises = new SurprisesSection(model, id => options.openExperiment(id, ''));
    this.experiments = new ExperimentsSection(model, options.openExperiment, options.compare ?? null);
    this.sections = [
      new ModeSection(model),
      this.brainstorm,
      this.surprises,
      this.hypotheses,
      this.experiments,
      ...(options.team ? [new TeamSection(model)] : [])
    ];
    for (const section of this.sections) {
      section.title.dataset = { logbookSection: section.section };
      SplitPanel.setStretch(section, STRETCH[section.section] ?? 1);
      this.addWidget(section);
    }
    // Collapsed sections and their heights, as the researcher left them (kept in the browser).
    const names = this.sections.map(s => s.section);
    new RememberedLayout(
      this.content as AccordionPanel,
      names,
      names.map(n => `the ${n[0].toUpperCase()}${n.slice(1)} section`),
      names.map(n => STRETCH[n] ?? 1),
      options.restored
    );
    model.changed.connect((_, what) => (what === 'status' || what === 'surprises') && this.renderHeader(), this);
  }

  /** Open a section (expanding it if collapsed) and put the keyboard focus in it. */
  showSection(section: Section, focus = true): void {
    const index = this.sections.findIndex(s => s.section === section);
    const widget = this.sections[index];
    const accordion = this.content as AccordionPanel;
    if (widget.isHidden) {
      accordion.expand(index);
    }
    widget.node.scrollIntoView({ block: 'nearest' });
    if (focus) {
      requestAnimationFrame(() => widget.focusFirst());
    }
  }

  /** Open what a search found: its card in the sidebar, or an experiment in the main area. */
  private openHit(hit: ISearchHit, query: string, options: IPanelOptions): void {
    const hypothesis = hit.kind === 'prediction' ? null : hit.hypothesis_id;
    if (hit.kind === 'surprise' && hit.surprise_id !== null && hit.surprise_id !== undefined) {
      this.showSection('surprises', false);
      void this.surprises.showSurprise({ id: hit.surprise_id }).then(found => found && this.surprises.focusTriage());
    } else if (hit.kind === 'prediction' && hit.prediction_id) {
      this.showSection('hypotheses', false);
      this.hypotheses.showPrediction(hit.prediction_id, true);
    } else if ((hit.kind === 'hypothesis' || hit.kind === 'note') && hypothesis) {
      this.showSection('hypotheses', false);
      this.hypotheses.showHypothesis(hypothesis);
    } else if (hit.experiment_id !== null && hit.experiment_id !== undefined) {
      options.openExperiment(hit.experiment_id, query);
    }
  }

  /** A teammate's search hit: their hypothesis (a prediction's or a note's too) or surprise, in the Team section. */
  private openTeammateHit(author: string, hit: ISearchHit): void {
    const team = this.sections.find((s): s is TeamSection => s instanceof TeamSection);
    const surprise = hit.kind === 'surprise' && hit.surprise_id !== null && hit.surprise_id !== undefined;
    const id = surprise ? `S${hit.surprise_id}` : hit.hypothesis_id;
    if (!team || !id) {
      return;
    }
    this.showSection('team', false);
    void team.showRecord(author, id);
  }

  private buildHeader(options: IPanelOptions): Widget {
    const header = new Widget();
    header.addClass('jp-Logbook-header');
    const top = el('div', 'jp-Logbook-row jp-Logbook-titleRow');
    this.badge.className = 'jp-Logbook-badge jp-Logbook-pill jp-mod-unread';
    this.badge.type = 'button';
    this.badge.addEventListener('click', () => this.showSection('surprises'));
    const exports = el('div', 'jp-Logbook-row jp-Logbook-export');
    exports.append(
      button('Export…', 'Export the logbook: title, file, format, dates and hypotheses', () => options.openExport(), 'jp-Logbook-exportButton')
    );
    top.append(el('span', 'jp-Logbook-title', 'Logbook'), this.badge);
    if (options.openDashboard) {
      const open = button('', 'Open the research dashboard', options.openDashboard, 'jp-Logbook-dashButton');
      open.innerHTML = DASHBOARD_ICON; // a fixed drawing of ours, no text from anywhere
      top.append(open);
    }
    top.append(exports);
    this.errorLine.className = 'jp-Logbook-error';
    this.errorLine.setAttribute('role', 'alert');
    this.search = new SearchView(
      this.model,
      (hit, query) => this.openHit(hit, query, options),
      (author, hit) => this.openTeammateHit(author, hit)
    );
    header.node.append(top, this.errorLine, new TrustBlock(this.model).node, this.search.node);
    this.renderHeader();
    return header;
  }

  private renderHeader(): void {
    const unread = this.model.unread;
    this.badge.hidden = unread === 0;
    this.badge.textContent = `⚡ ${unread.toLocaleString()}`;
    this.badge.title = `${unread.toLocaleString()} unread surprise${unread === 1 ? '' : 's'}: open the inbox`;
    this.badge.setAttribute('aria-label', this.badge.title);
    this.errorLine.textContent = this.model.error;
    const path = this.model.status?.path;
    this.title.caption = path ? `Logbook: ${path}` : 'Logbook';
  }

  private sections: SectionWidget[];
  private search!: SearchView;
  private badge = el('button') as HTMLButtonElement;
  private errorLine = el('div');
}
