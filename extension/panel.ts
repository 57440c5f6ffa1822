/**
 * The Logbook sidebar: a header (unread badge, export, errors) over
 * JupyterLab's collapsible panel of sections, each a widget of its own.
 */

import { SidePanel } from '@jupyterlab/ui-components';
import { AccordionPanel, Panel, SplitPanel, Widget } from '@lumino/widgets';

import { BrainstormSection } from './brainstormview';
import { button, el } from './dom';
import { ExperimentsSection } from './experimentsview';
import { HypothesesSection } from './hypothesesview';
import { LogbookModel } from './model';
import { ModeSection } from './modeview';
import { ICellRef } from './predictionview';
import { SectionWidget } from './section';
import { SurprisesSection } from './surprisesview';
import { SIDEBAR_ID } from './tokens';
import { TrustBlock } from './trustview';
import { Section } from './types';

export interface IPanelOptions {
  openExperiment: (id: number, query: string) => void;
  exportAs: (format: string) => void;
  /** The cell selected in the active notebook, if any (a verdict in words is judged on its run). */
  selectedCell?: () => ICellRef | null;
}

/** How much of the panel's height each section takes when all are open. */
const STRETCH: Partial<Record<Section, number>> = { mode: 0, brainstorm: 1, surprises: 2, hypotheses: 3, experiments: 2 };

export class LogbookPanel extends SidePanel {
  readonly brainstorm: BrainstormSection;
  readonly hypotheses: HypothesesSection;
  readonly surprises: SurprisesSection;

  constructor(
    private readonly model: LogbookModel,
    options: IPanelOptions
  ) {
    super({ header: new Panel() });
    this.id = SIDEBAR_ID;
    this.addClass('jp-Logbook');
    this.title.caption = 'Logbook';
    this.header.addWidget(this.buildHeader(options));
    this.brainstorm = new BrainstormSection(model);
    this.hypotheses = new HypothesesSection(model, options.selectedCell);
    this.surprises = new SurprisesSection(model, id => options.openExperiment(id, ''));
    this.sections = [
      new ModeSection(model),
      this.brainstorm,
      this.surprises,
      this.hypotheses,
      new ExperimentsSection(model, options.openExperiment)
    ];
    for (const section of this.sections) {
      section.title.dataset = { logbookSection: section.section };
      SplitPanel.setStretch(section, STRETCH[section.section] ?? 1);
      this.addWidget(section);
    }
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

  private buildHeader(options: IPanelOptions): Widget {
    const header = new Widget();
    header.addClass('jp-Logbook-header');
    const top = el('div', 'jp-Logbook-row jp-Logbook-titleRow');
    this.badge.className = 'jp-Logbook-badge jp-Logbook-pill jp-mod-unread';
    this.badge.type = 'button';
    this.badge.addEventListener('click', () => this.showSection('surprises'));
    const exports = el('div', 'jp-Logbook-row jp-Logbook-export');
    exports.setAttribute('role', 'group');
    exports.setAttribute('aria-label', 'Export the logbook');
    exports.append(el('span', 'jp-Logbook-exportLabel', 'Export'));
    for (const [format, label, name] of [
      ['md', 'MD', 'Markdown'],
      ['html', 'HTML', 'HTML'],
      ['json', 'JSON', 'JSON']
    ]) {
      exports.append(button(label, `Export the logbook as ${name}`, () => options.exportAs(format)));
    }
    top.append(el('span', 'jp-Logbook-title', 'Logbook'), this.badge, exports);
    this.errorLine.className = 'jp-Logbook-error';
    this.errorLine.setAttribute('role', 'alert');
    header.node.append(top, this.errorLine, new TrustBlock(this.model).node);
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
  private badge = el('button') as HTMLButtonElement;
  private errorLine = el('div');
}
