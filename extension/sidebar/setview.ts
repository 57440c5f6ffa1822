/**
 * Competing sets in the Hypotheses section: each set as one distribution (a
 * stacked bar of its members' shares and *something else*), and a form that
 * changes one member's credence, asking who gives way and why.
 */

import { attempt, button, el, input } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { ELSE, ICompetingSet, setParts, share } from './setformat';

export class SetsView {
  readonly node = el('div', 'jp-Logbook-sets');

  constructor(
    private readonly model: ILogbookModel,
    private readonly resized: () => void
  ) {
    this.node.setAttribute('aria-label', 'Competing sets');
    model.changed.connect((_, what) => what === 'beliefs' && void this.refresh(), this);
    void this.refresh();
  }

  async refresh(): Promise<void> {
    let sets: ICompetingSet[];
    try {
      sets = await this.model.competingSets<ICompetingSet>();
    } catch {
      return; // the section's own error line says what went wrong with the server
    }
    const key = JSON.stringify([sets, this.editing]);
    if (key === this.key || this.node.contains(document.activeElement)) {
      return;
    }
    this.key = key;
    this.sets = sets;
    this.node.replaceChildren(...sets.map(s => this.setNode(s)));
    this.resized();
  }

  private setNode(s: ICompetingSet): HTMLElement {
    const node = el('div', 'jp-Logbook-set');
    node.dataset.set = String(s.id);
    node.append(el('div', 'jp-Logbook-setQuestion', `C${s.id} · ${s.question}`));
    const bar = el('div', 'jp-Logbook-setBar');
    bar.setAttribute('role', 'img');
    const parts = setParts(s);
    bar.setAttribute('aria-label', parts.map(p => `${p.label} ${share(p.share)}`).join(', '));
    parts.forEach((p, i) => {
      const part = el('span', `jp-Logbook-setPart jp-mod-part${p.id === ELSE ? 'Else' : i % 8}`);
      part.dataset.member = p.id;
      part.style.flexGrow = String(p.share);
      part.title = `${p.label}: ${share(p.share)}`;
      if (p.share >= 0.12) {
        part.textContent = p.id === ELSE ? 'else' : p.id; // a narrow part is named in the legend only
      }
      bar.append(part);
    });
    const legend = el('div', 'jp-Logbook-setLegend');
    for (const [i, p] of parts.entries()) {
      const item = button(
        `${p.id === ELSE ? 'else' : p.id} ${share(p.share)}`,
        `Change the credence of ${p.label} in C${s.id}`,
        () => {
          this.editing = this.editing?.member === p.id && this.editing.set === s.id ? null : { set: s.id, member: p.id };
          this.redraw();
          this.openForm();
        },
        `jp-Logbook-setItem jp-mod-part${p.id === ELSE ? 'Else' : i % 8}`
      );
      item.dataset.member = p.id;
      legend.append(item);
    }
    node.append(bar, legend);
    if (s.nudge) {
      node.append(el('div', 'jp-Logbook-muted', s.nudge));
    }
    if (this.editing?.set === s.id && parts.some(p => p.id === this.editing?.member)) {
      node.append(this.form(s, this.editing.member));
    }
    return node;
  }

  /** Every set drawn again (the form opened or closed), and the section told its height changed. */
  private redraw(): void {
    this.key = '';
    this.node.replaceChildren(...this.sets.map(other => this.setNode(other)));
    this.resized();
  }

  /**
   * Focus the open form's credence and bring the whole form, down to its Save button, into the section's
   * view: in a short sidebar the section scrolls, and the form opens below the set's bar.
   */
  private openForm(): void {
    const form = this.node.querySelector('.jp-Logbook-setForm') as HTMLElement | null;
    if (!form) {
      return;
    }
    (form.querySelector('.jp-Logbook-setCredence') as HTMLElement | null)?.focus({ preventScroll: true });
    requestAnimationFrame(() => form.scrollIntoView({ block: 'nearest' }));
  }

  /**
   * Change ``member``'s credence: who gives way (all in proportion, or one named) and why. Four short rows,
   * so that Save stays in view in a 250 px sidebar: ``H3 0.12 → [new]``, who gives way, why, Save and
   * Cancel. Enter saves, Escape closes.
   */
  private form(s: ICompetingSet, member: string): HTMLElement {
    const form = el('div', 'jp-Logbook-setForm');
    const current = member === ELSE ? s.something_else : s.credences[member];
    const name = member === ELSE ? 'something else' : member;
    const value = input('jp-Logbook-setCredence', `New credence of ${name} (0 to 1)`);
    value.type = 'number';
    value.min = '0';
    value.max = '1';
    value.step = '0.05';
    value.value = share(current);
    const giveWay = el('select', 'jp-Logbook-input jp-Logbook-giveWay') as HTMLSelectElement;
    giveWay.setAttribute('aria-label', 'Who gives way');
    giveWay.append(new Option('the others, in proportion', ''));
    for (const p of setParts(s).filter(p => p.id !== member)) {
      giveWay.append(new Option(`only ${p.label}`, p.id));
    }
    const reason = input('jp-Logbook-setReason', 'Why', 'why?');
    const save = button('Save', `Save the new credence of ${name}`, () => {
      const credence = Number(value.value);
      if (!(credence >= 0 && credence <= 1) || value.value.trim() === '') {
        value.setCustomValidity('a number from 0 to 1');
        value.reportValidity();
        return;
      }
      void attempt(() =>
        this.model.setSetCredence(s.id, member, credence, reason.value.trim(), giveWay.value ? [giveWay.value] : null)
      ).then(ok => {
        if (ok) {
          this.editing = null;
          (document.activeElement as HTMLElement | null)?.blur();
          void this.refresh();
        }
      });
    });
    save.classList.add('jp-mod-accept');
    const close = () => {
      this.editing = null;
      this.redraw();
      (this.node.querySelector(`[data-set="${s.id}"] .jp-Logbook-setItem[data-member="${member}"]`) as HTMLElement | null)?.focus();
    };
    const cancel = button('Cancel', 'Close without changing', close, 'jp-Logbook-setCancel');
    value.addEventListener('input', () => value.setCustomValidity(''));
    form.addEventListener('keydown', event => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        close();
      } else if (event.key === 'Enter' && (event.target === value || event.target === reason)) {
        event.preventDefault();
        save.click();
      }
    });
    const top = el('div', 'jp-Logbook-setFormRow');
    const label = el('span', 'jp-Logbook-setFormLabel', `${member === ELSE ? 'else' : member} ${share(current)} →`);
    label.title = `${name}: from ${share(current)} to`;
    top.append(label, value);
    const buttons = el('div', 'jp-Logbook-setFormRow');
    buttons.append(save, cancel);
    form.append(top, giveWay, reason, buttons);
    return form;
  }

  private sets: ICompetingSet[] = [];
  private key = '';
  private editing: { set: number; member: string } | null = null;
}
