/**
 * The trust block at the top of the sidebar: predictions this user did not
 * write (from a copied logbook, or edited by hand) are never evaluated until
 * trusted. "Review" lists exactly what would run, when it would be judged and
 * why it is not trusted; "Trust and run these" signs exactly the listed
 * predictions as they were listed (a row changed since is refused by the
 * server and nothing is signed).
 */

import { attempt, button, code, el } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { IUntrusted } from '../lib/types';

/** A prediction as ``GET trust`` lists it: why it is untrusted, and the hash of what is shown. */
interface IReviewed extends IUntrusted {
  reasons?: string[];
  hash?: string;
}

export class TrustBlock {
  readonly node = el('div', 'jp-Logbook-trust');

  constructor(private readonly model: ILogbookModel) {
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Predictions not trusted');
    model.changed.connect((_, what) => what === 'hypotheses' && this.render(), this);
    this.render();
  }

  render(): void {
    const untrusted = this.model.untrusted;
    this.node.hidden = untrusted.length === 0;
    if (untrusted.length === 0) {
      this.reviewing = false;
      this.node.replaceChildren();
      return;
    }
    const n = untrusted.length;
    const head = el('div', 'jp-Logbook-row jp-Logbook-trustHead');
    const summary = `${n} prediction${n === 1 ? '' : 's'} not trusted, not evaluated`;
    head.append(el('span', 'jp-Logbook-trustSummary', `⚠ ${summary}`));
    head.append(
      button(this.reviewing ? 'Hide' : 'Review', this.reviewing ? 'Hide the list' : 'Review what would run', () => {
        this.reviewing = !this.reviewing;
        this.render();
      })
    );
    const parts: HTMLElement[] = [head];
    if (this.reviewing) {
      const list = el('ul', 'jp-Logbook-trustList');
      list.append(...untrusted.map(p => this.item(p)));
      const shown = untrusted.filter(p => p.refusal === null);
      const runnable = shown.map(p => p.id);
      const trust = button('Trust and run these', `Trust ${runnable.join(', ')}: kernels evaluate them from the next cell`, () =>
        void attempt(() => this.model.trustPredictions(runnable, shown))
      , 'jp-mod-accept');
      trust.disabled = runnable.length === 0;
      parts.push(list, trust);
    }
    this.node.replaceChildren(...parts);
  }

  private item(p: IReviewed): HTMLElement {
    const li = el('li', 'jp-Logbook-trustItem');
    li.dataset.prediction = p.id;
    const line = el('div', 'jp-Logbook-row');
    line.append(el('span', 'jp-Logbook-id', p.id), el('span', 'jp-Logbook-trustStatement', p.statement));
    li.append(line, code(p.expression));
    if (p.kind === 'expression') {
      li.append(el('div', 'jp-Logbook-trustNames', `judged when these change: ${p.names.join(', ') || '(none)'}`));
    }
    if (p.reasons?.length) {
      li.append(el('div', 'jp-Logbook-trustWhy', `not trusted: ${p.reasons.join('; ')}`));
    }
    if (p.refusal) {
      li.classList.add('jp-mod-refused');
      li.append(el('div', 'jp-Logbook-verdict jp-mod-error', `cannot be trusted: ${p.refusal}`));
    }
    return li;
  }

  private reviewing = false;
}
