/**
 * The inbox's lines above the surprises: each open proposal ("H2 0.40 → 0.62,
 * likelihood ratio 3.1: Accept / Edit / Reject", opening a small form with the
 * reason) and each prediction past its resolve-by date, as "due".
 */

import { attempt, button, el, input } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { IProposal, isMoot, proposalLine } from './setformat';
import { SHOW_PREDICTION_EVENT } from '../lib/tokens';

/** A prediction past its resolve-by date, still pending. */
export interface IDue {
  id: string;
  expression?: string | null;
  text?: string | null;
  resolve_by?: string | null;
}

type Decision = 'accepted' | 'edited' | 'rejected';

export class ProposalsView {
  readonly node = el('div', 'jp-Logbook-proposals');

  constructor(
    private readonly model: ILogbookModel,
    private readonly resized: () => void
  ) {
    this.node.setAttribute('aria-label', 'Proposed updates and predictions due');
    model.changed.connect((_, what) => what === 'beliefs' && void this.refresh(), this);
    void this.refresh();
  }

  async refresh(): Promise<void> {
    let proposals: IProposal[];
    let due: IDue[];
    try {
      [proposals, due] = await Promise.all([this.model.openProposals<IProposal>(), this.model.duePredictions<IDue>()]);
    } catch {
      return;
    }
    const key = JSON.stringify([proposals, due, this.open]);
    if (key === this.key || this.node.contains(document.activeElement)) {
      return;
    }
    this.key = key;
    this.proposals = proposals.filter(p => !isMoot(p));
    this.due = due;
    this.draw();
  }

  private draw(): void {
    this.node.replaceChildren(...this.proposals.map(p => this.line(p)), ...this.due.map(d => this.dueLine(d)));
    this.node.hidden = !this.node.children.length;
    this.resized();
  }

  private line(p: IProposal): HTMLElement {
    const node = el('div', 'jp-Logbook-proposal');
    node.dataset.proposal = String(p.id);
    const row = el('div', 'jp-Logbook-proposalRow');
    const text = el('span', 'jp-Logbook-proposalText', proposalLine(p));
    text.title =
      `U${p.id}: after ${p.prediction_id} ${p.held ? 'held' : 'failed'}` +
      (p.now ? '; worked out again from the credences as they are now, which moved since it was proposed' : '');
    const actions = el('span', 'jp-Logbook-proposalActions');
    for (const [label, decision] of [
      ['Accept', 'accepted'],
      ['Edit', 'edited'],
      ['Reject', 'rejected']
    ] as [string, Decision][]) {
      actions.append(
        button(label, `${label} U${p.id}: ${proposalLine(p)}`, () => {
          this.open = this.open?.id === p.id && this.open.decision === decision ? null : { id: p.id, decision };
          this.draw();
          (this.node.querySelector('.jp-Logbook-proposalForm input') as HTMLElement | null)?.focus();
        }, `jp-Logbook-proposal${label}`)
      );
    }
    row.append(text, actions);
    node.append(row);
    if (this.open?.id === p.id) {
      node.append(this.form(p, this.open.decision));
    }
    return node;
  }

  /** The decision's form: the credences to write instead (Edit), and the reason. */
  private form(p: IProposal, decision: Decision): HTMLElement {
    const form = el('div', 'jp-Logbook-proposalForm');
    const values = new Map<string, HTMLInputElement>();
    if (decision === 'edited') {
      const grid = el('div', 'jp-Logbook-proposalEdit');
      for (const [who, after] of Object.entries(p.after)) {
        const box = input('jp-Logbook-proposalCredence', `Credence of ${who}`);
        box.type = 'number';
        box.min = '0';
        box.max = '1';
        box.step = '0.05';
        box.value = after.toFixed(2);
        values.set(who, box);
        const label = el('label', 'jp-Logbook-proposalWho', who);
        label.append(box);
        grid.append(label);
      }
      form.append(grid);
    }
    const reason = input('jp-Logbook-proposalReason', 'Why', 'why?');
    const verb = { accepted: 'Accept', edited: 'Save', rejected: 'Reject' }[decision];
    const confirm = button(verb, `${verb} U${p.id} with this reason`, () => {
      const credences = decision === 'edited' ? Object.fromEntries([...values].map(([who, box]) => [who, Number(box.value)])) : null;
      void attempt(() => this.model.decideProposal(p.id, decision, reason.value.trim(), credences)).then(ok => {
        if (ok) {
          this.open = null;
          this.proposals = this.proposals.filter(other => other.id !== p.id);
          (document.activeElement as HTMLElement | null)?.blur();
          this.draw();
        }
      });
    });
    confirm.classList.add('jp-mod-accept');
    reason.addEventListener('keydown', event => event.key === 'Enter' && confirm.click());
    const cancel = button('Cancel', 'Close without deciding', () => {
      this.open = null;
      this.draw();
    });
    const row = el('div', 'jp-Logbook-row');
    row.append(confirm, cancel);
    form.append(reason, row);
    return form;
  }

  private dueLine(d: IDue): HTMLElement {
    const node = el('div', 'jp-Logbook-due');
    node.dataset.prediction = d.id;
    const when = d.resolve_by ? ` (resolve by ${d.resolve_by.slice(0, 10)})` : '';
    const judge = button('Judge', `Judge ${d.id}: open its hypothesis card`, () =>
      document.dispatchEvent(new CustomEvent(SHOW_PREDICTION_EVENT, { detail: { prediction: d.id } }))
    , 'jp-Logbook-dueJudge');
    node.append(el('span', 'jp-Logbook-pill jp-mod-due', 'due'), el('span', 'jp-Logbook-dueText', `${d.id} ${d.expression ?? d.text ?? ''}${when}`), judge);
    node.title = `${d.id} is past its resolve-by date and still pending: judge it`;
    return node;
  }

  private proposals: IProposal[] = [];
  private due: IDue[] = [];
  private key = '';
  private open: { id: number; decision: Decision } | null = null;
}
