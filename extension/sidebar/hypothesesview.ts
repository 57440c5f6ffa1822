/** The hypotheses: a box for a new one (hidden while brainstorming: one entry box), and their cards. */

import { attempt, el, input } from '../lib/dom';
import { parseEntry } from '../lib/entry';
import { hypothesisCard } from './hypothesiscard';
import { ICellRef } from './predictionview';
import { ITemplate } from './redteamcard';
import { ILogbookModel } from '../lib/imodel';
import { SectionWidget } from './section';
import { SetsView } from './setview';
import { hiddenRedTeams, hideRedTeam } from '../lib/state';
import { IHypothesis } from '../lib/types';

/** Whether the researcher is typing in ``node`` (a redraw would lose what they typed). */
function editing(node: HTMLElement): boolean {
  const active = document.activeElement as HTMLElement | null;
  if (!active || !node.contains(active)) {
    return false;
  }
  return (
    active instanceof HTMLTextAreaElement ||
    (active instanceof HTMLInputElement && active.type !== 'range') ||
    (active instanceof HTMLSelectElement && !!active.closest('.jp-Logbook-verdictForm, .jp-Logbook-credence'))
  );
}

export class HypothesesSection extends SectionWidget {
  constructor(
    model: ILogbookModel,
    private readonly selectedCell: () => ICellRef | null = () => null
  ) {
    super(model, 'hypotheses', 'Hypotheses', ['hypotheses', 'brainstorm']);
    this.entry.addEventListener('keydown', event => {
      const parsed = parseEntry(this.entry.value);
      if (event.key === 'Enter' && parsed.statement && !parsed.error) {
        void attempt(() => model.addHypothesis(parsed.statement, parsed.credence)).then(ok => ok && (this.entry.value = ''));
      }
    });
    this.list.setAttribute('role', 'list');
    this.list.setAttribute('aria-label', 'Hypotheses');
    this.list.addEventListener('focusout', () =>
      requestAnimationFrame(() => this.pending && !this.list.contains(document.activeElement) && this.update())
    );
    this.node.append(this.entry, new SetsView(model, () => this.sizeToContent()).node, this.list);
  }

  protected render(): void {
    this.entry.hidden = this.model.brainstorm !== null;
    const hypotheses = this.model.hypotheses;
    this.setCount(hypotheses.length ? String(hypotheses.length) : '');
    this.pending = false;
    const cards: HTMLElement[] = [];
    for (const h of hypotheses) {
      cards.push(this.card(h));
    }
    if (!hypotheses.length) {
      cards.push(el('div', 'jp-Logbook-muted', 'No hypotheses yet: start a brainstorm.'));
    }
    // Patch in place: a card that keeps its place is never moved, so the focus inside it stays.
    cards.forEach((card, i) => {
      const current = this.list.children[i] ?? null;
      if (current === card) {
        return;
      }
      if (current && !cards.includes(current as HTMLElement)) {
        const focused = current.contains(document.activeElement);
        current.replaceWith(card);
        if (focused) {
          (card.querySelector('.jp-Logbook-cardRow') as HTMLElement | null)?.focus();
        }
      } else {
        this.list.insertBefore(card, current);
      }
    });
    while (this.list.children.length > cards.length) {
      this.list.lastElementChild?.remove();
    }
  }

  /** The card of ``h``: the one already drawn, unless it changed (and holds no focus). */
  private card(h: IHypothesis): HTMLElement {
    const verdicts = h.predictions.map(p => this.verdicts.get(p.id) ?? null);
    const key = JSON.stringify([h, this.expanded.has(h.id), this.forms.has(h.id), this.prefills.get(h.id)?.label, this.redTeamOpen.has(h.id), this.redTeamHidden.has(h.id), verdicts]);
    const drawn = this.drawn.get(h.id);
    if (drawn && (drawn.key === key || editing(drawn.node))) {
      this.pending ||= drawn.key !== key;
      return drawn.node;
    }
    const toggle = () => {
      const opening = !this.expanded.has(h.id);
      opening ? this.expanded.add(h.id) : this.expanded.delete(h.id);
      this.redraw(h.id, '.jp-Logbook-cardRow');
      if (opening) {
        // Opened at the section's bottom edge, its predictions would be out of sight: bring in what fits.
        const opened = this.drawn.get(h.id)?.node;
        requestAnimationFrame(() => opened?.isConnected && opened.scrollIntoView({ block: 'nearest' }));
      }
    };
    const node = hypothesisCard(this.model, h, {
      expanded: this.expanded.has(h.id),
      formOpen: this.forms.has(h.id),
      toggle,
      setForm: open => {
        open ? this.forms.add(h.id) : this.forms.delete(h.id);
        this.prefills.delete(h.id);
        this.redraw(h.id, open ? '.jp-Logbook-predictionText' : '.jp-Logbook-addPrediction');
      },
      prefill: this.prefills.get(h.id) ?? null,
      startRedTeam: template => {
        if (this.model.mode !== 'red-team') {
          void attempt(() => this.model.switchMode('red-team'));
        }
        this.expanded.add(h.id);
        this.forms.add(h.id);
        this.prefills.set(h.id, template);
        this.redraw(h.id, '.jp-Logbook-predictionText');
      },
      redraw: () => this.redraw(h.id, '.jp-Logbook-cardRow'),
      redTeamOpen: this.redTeamOpen.has(h.id),
      redTeamHidden: this.redTeamHidden.has(h.id),
      toggleRedTeam: () => {
        this.redTeamOpen.has(h.id) ? this.redTeamOpen.delete(h.id) : this.redTeamOpen.add(h.id);
        this.redraw(h.id, '.jp-Logbook-redTeamOpen');
      },
      hideRedTeam: () => {
        hideRedTeam(h.id);
        this.redTeamHidden.add(h.id);
        this.redraw(h.id, '.jp-Logbook-cardRow');
      },
      verdicts: {
        open: pid => this.verdicts.get(pid) ?? null,
        setOpen: (pid, held) => {
          held === null ? this.verdicts.delete(pid) : this.verdicts.set(pid, held);
          const focus = held === null ? `[data-prediction="${pid}"] .jp-Logbook-${this.lastVerdict.get(pid) ? 'held' : 'failed'}` : `[data-prediction="${pid}"] .jp-Logbook-observed`;
          if (held !== null) {
            this.lastVerdict.set(pid, held);
          }
          this.redraw(h.id, focus);
        },
        selectedCell: this.selectedCell
      }
    });
    node.setAttribute('role', 'listitem');
    this.drawn.set(h.id, { key, node });
    return node;
  }

  /**
   * Open the card of prediction ``id``'s hypothesis ("H1.P2" is H1's) and put the focus on its held button;
   * ``orCard``: on the card's row when the prediction has none (an expression).
   */
  showPrediction(id: string, orCard = false): void {
    const hid = id.split('.')[0];
    if (!this.model.hypothesis(hid)) {
      return;
    }
    this.expanded.add(hid);
    this.redraw(hid, `[data-prediction="${id}"] .jp-Logbook-held`);
    const card = this.drawn.get(hid)?.node;
    card?.querySelector(`[data-prediction="${id}"]`)?.scrollIntoView({ block: 'nearest' });
    if (orCard && card && !card.contains(document.activeElement)) {
      (card.querySelector('.jp-Logbook-cardRow') as HTMLElement | null)?.focus({ preventScroll: true });
    }
  }

  /** Open hypothesis ``id``'s card, scroll it into view and put the focus on it. */
  showHypothesis(id: string): void {
    if (!this.model.hypothesis(id)) {
      return;
    }
    this.expanded.add(id);
    this.redraw(id, '.jp-Logbook-cardRow');
    this.drawn.get(id)?.node.scrollIntoView({ block: 'nearest' });
  }

  /** Draw one card again now and put the focus on ``focus`` inside it. */
  private redraw(id: string, focus: string): void {
    const old = this.drawn.get(id);
    const h = this.model.hypothesis(id);
    if (!old || !h) {
      return;
    }
    this.drawn.delete(id);
    const fresh = this.card(h);
    if (fresh !== old.node) {
      old.node.replaceWith(fresh);
    }
    (fresh.querySelector(focus) as HTMLElement | null)?.focus();
  }

  private entry = input('jp-Logbook-newHypothesis', 'New hypothesis', 'New hypothesis @0.6, then Enter');
  private list = el('div', 'jp-Logbook-hypothesisList');
  private expanded = new Set<string>();
  private forms = new Set<string>();
  private prefills = new Map<string, ITemplate>();
  private redTeamOpen = new Set<string>();
  private redTeamHidden = hiddenRedTeams();
  private drawn = new Map<string, { key: string; node: HTMLElement }>();
  /** The verdict forms open, per prediction in words: true for held, false for failed. */
  private verdicts = new Map<string, boolean>();
  private lastVerdict = new Map<string, boolean>();
  private pending = false;
}
