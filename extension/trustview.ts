/**
 * The trust block at the top of the sidebar: predictions this user did not
 * write (from a copied logbook, or edited by hand) are never evaluated until
 * trusted. "Review" lists exactly what would run; "Trust and run these" signs
 * exactly the listed ids.
 */

import { attempt, button, code, el } from './dom';
import { LogbookModel } from './model';
import { IUntrusted } from './types';

export class TrustBlock {
  readonly node = el('div', 'jp-Logbook-trust');

  constructor(private readonly model: LogbookModel) {
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
      const runnable = untrusted.filter(p => p.refusal === null).map(p => p.id);
      const trust = button('Trust and run these', `Trust ${runnable.join(', ')}: kernels evaluate them from the next cell`, () =>
        void attempt(() => this.model.trustPredictions(runnable))
      , 'jp-mod-accept');
      trust.disabled = runnable.length === 0;
      parts.push(list, trust);
    }
    this.node.replaceChildren(...parts);
  }

  private item(p: IUntrusted): HTMLElement {
    const li = el('li', 'jp-Logbook-trustItem');
    li.dataset.prediction = p.id;
    const line = el('div', 'jp-Logbook-row');
    line.append(el('span', 'jp-Logbook-id', p.id), el('span', 'jp-Logbook-trustStatement', p.statement));
    li.append(line, code(p.expression));
    if (p.refusal) {
      li.classList.add('jp-mod-refused');
      li.append(el('div', 'jp-Logbook-verdict jp-mod-error', `cannot be trusted: ${p.refusal}`));
    }
    return li;
  }

  private reviewing = false;
}
