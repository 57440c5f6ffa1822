/**
 * Triage of one surprise: explain it, update the credence (with a reason,
 * confirmed), refute the hypothesis (with a reason), start a follow-up
 * hypothesis, or resolve it.
 */

import { attempt, button, code, el, input, pill, textArea } from '../lib/dom';
import { parseCredence, parseEntry } from '../lib/entry';
import { driftMovesView, driftPill, isDrift } from '../lib/drift';
import { isOpen, resolutionWords } from '../lib/feedstate';
import { describeObserved, formatBits, formatCredence, relativeTime } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { observedWords, readSteps, runsWords, stepLine } from '../lib/signalformat';
import { stepsView } from '../lib/signalview';
import { IResolution, ISurprise } from '../lib/types';


type Form = 'explain' | 'credence' | 'refute' | 'follow';

export class TriagePanel {
  readonly node = el('div', 'jp-Logbook-triage');

  constructor(
    private readonly model: ILogbookModel,
    private readonly openExperiment: (id: number) => void,
    private readonly resized: () => void
  ) {
    this.node.setAttribute('role', 'region');
    this.node.setAttribute('aria-label', 'Selected surprise');
    this.node.hidden = true;
  }

  /** Show ``surprise`` (or nothing); an open form survives a redraw of the same surprise. */
  show(surprise: ISurprise | null): void {
    const same = surprise?.id === this.surprise?.id && JSON.stringify(surprise) === JSON.stringify(this.surprise);
    if (same && this.node.contains(document.activeElement)) {
      return;
    }
    if (surprise?.id !== this.surprise?.id) {
      this.form = null;
    }
    this.surprise = surprise;
    this.node.hidden = surprise === null;
    this.node.replaceChildren(...(surprise ? this.build(surprise) : []));
    this.resized();
  }

  private build(s: ISurprise): HTMLElement[] {
    const head = el('div', 'jp-Logbook-row');
    if (isDrift(s)) {
      head.append(...(s.surprisal_bits === null ? [] : [pill(formatBits(s.surprisal_bits), 'bits', 'surprisal')]), el('strong', undefined, `Drift #${s.id}`), driftPill());
    } else {
      head.append(pill(formatBits(s.surprisal_bits), 'bits', 'surprisal'), el('strong', undefined, `Surprise #${s.id}`));
    }
    head.append(pill(isOpen(s) ? 'open' : 'resolved', isOpen(s) ? 'open' : 'resolved'));
    const parts: HTMLElement[] = [head];
    const h = s.hypothesis_id ? this.model.hypothesis(s.hypothesis_id) : undefined;
    if (s.manual) {
      parts.push(el('div', 'jp-Logbook-note', s.note));
    } else if (isDrift(s) && s.drift) {
      parts.push(driftMovesView(s.drift));
    } else {
      const predicted = el('div', 'jp-Logbook-triageLine');
      predicted.append(el('span', 'jp-Logbook-id', `${s.prediction_id} `), code(s.prediction ?? ''));
      parts.push(predicted);
      if (h) {
        parts.push(el('div', 'jp-Logbook-triageStatement', `${h.id}: ${h.statement}`));
      }
      const steps = stepsView(s.steps);
      const inWords = h?.predictions.find(p => p.id === s.prediction_id)?.kind === 'text';
      const words = observedWords(s) ?? (inWords ? '' : null);
      if (steps) {
        parts.push(steps);
      } else if (words !== null) {
        parts.push(el('div', 'jp-Logbook-observedWords', words ? `observed: ${words}` : 'judged by hand, nothing written of what was seen'));
      } else {
        parts.push(el('div', 'jp-Logbook-muted', `observed ${describeObserved(s.observed)}`));
      }
      parts.push(el('div', 'jp-Logbook-muted', `predicted at credence ${formatCredence(s.credence ?? 0)}`));
    }
    const where = el('div', 'jp-Logbook-row jp-Logbook-muted');
    where.append(relativeTime(s.created_at, Date.now()));
    if (s.experiment_id !== null) {
      const id = s.experiment_id;
      where.append(button(`experiment #${id}`, `Open experiment #${id}`, () => this.openExperiment(id), 'jp-Logbook-link'));
    }
    const again = runsWords(s);
    if (again) {
      const last = s.last_experiment_id;
      where.append(` · ${again}`);
      if (typeof last === 'number' && last !== s.experiment_id) {
        where.append(', last on ', button(`#${last}`, `Open experiment #${last}, the last run that failed`, () => this.openExperiment(last), 'jp-Logbook-link'));
      }
    }
    parts.push(where);
    if (!isOpen(s)) {
      parts.push(this.resolution(s));
    }
    if (isOpen(s)) {
      parts.push(this.actions(s, h?.id ?? null));
      if (this.form) {
        parts.push(this.formFor(s, this.form));
      }
    }
    return parts;
  }

  /** How the surprise was closed: the action, by whom, when, and the explanation or reason. */
  private resolution(s: ISurprise): HTMLElement {
    const box = el('div', 'jp-Logbook-resolution');
    const line = el('div', 'jp-Logbook-row');
    line.append(el('span', 'jp-Logbook-resolutionAction', resolutionWords(s) || s.status));
    if (s.resolved_at) {
      line.append(relativeTime(s.resolved_at, Date.now()));
    }
    box.append(line);
    if (s.explanation) {
      box.append(el('div', 'jp-Logbook-explanationText', s.explanation));
    }
    const followed = s.resolution === 'followed_up' ? this.model.hypotheses.find(h => h.follows === `S${s.id}`) : undefined;
    if (followed) {
      const link = el('div', 'jp-Logbook-row jp-Logbook-muted');
      link.append(`followed up as ${followed.id}, credence ${formatCredence(followed.credence)}`);
      box.append(link);
    }
    return box;
  }

  private actions(s: ISurprise, hid: string | null): HTMLElement {
    const row = el('div', 'jp-Logbook-row jp-Logbook-actions');
    const open = (form: Form) => () => {
      this.form = this.form === form ? null : form;
      this.node.replaceChildren(...this.build(s));
      this.resized();
      (this.node.querySelector('.jp-Logbook-triageForm input, .jp-Logbook-triageForm textarea') as HTMLElement | null)?.focus();
      // The whole form in view, its buttons too, once the section has taken its new height.
      requestAnimationFrame(() => this.node.querySelector('.jp-Logbook-triageForm')?.scrollIntoView({ block: 'nearest' }));
    };
    const opener = (label: string, name: string, form: Form) => {
      const b = button(label, name, open(form));
      b.setAttribute('aria-expanded', String(this.form === form));
      b.classList.toggle('jp-mod-active', this.form === form);
      return b;
    };
    row.append(opener('Explain', 'Write an explanation of this surprise', 'explain'));
    if (isDrift(s) && s.drift) {
      // After Explain and not set apart: it closes the surprise and silences the value in this cell from now on.
      const name = s.drift.name;
      row.append(
        button('Expected', `${name} is expected to vary in this cell: close this and do not flag it there again`, () => {
          void attempt(() => this.model.expectDrift(s));
        })
      );
    }
    if (hid) {
      row.append(opener('Credence', `Update your credence in ${hid}`, 'credence'), opener('Refute', `Refute ${hid}`, 'refute'));
    }
    row.append(
      opener('Follow-up', 'Start a follow-up hypothesis from this surprise', 'follow'),
      button('Dismiss', 'Dismiss this surprise without a change', () => void this.resolve(s, { action: 'dismissed' }))
    );
    return row;
  }

  private formFor(s: ISurprise, form: Form): HTMLElement {
    const box = el('div', 'jp-Logbook-triageForm');
    const h = s.hypothesis_id ? this.model.hypothesis(s.hypothesis_id) : undefined;
    const reason = input('jp-Logbook-reason', 'Reason', 'Why?');
    if (form === 'explain') {
      const text = el('textarea', 'jp-Logbook-input jp-Logbook-explanation') as HTMLTextAreaElement;
      text.setAttribute('aria-label', 'Explanation');
      text.placeholder = 'What explains it?';
      text.rows = 3;
      box.append(text, button('Save explanation', 'Save the explanation and resolve', () => {
        if (text.value.trim()) {
          void this.resolve(s, { action: 'explained', explanation: text.value.trim() });
        }
      }));
    } else if (form === 'credence' && h) {
      const credence = input('jp-Logbook-credenceInput', `New credence in ${h.id}`);
      credence.value = formatCredence(h.credence);
      credence.inputMode = 'decimal';
      const confirm = button('', `Confirm the new credence in ${h.id}`, () => {
        const value = parseCredence(credence.value);
        if (value !== null && reason.value.trim()) {
          void this.resolve(s, { action: 'credence_updated', credence: value, reason: reason.value.trim() });
        }
      });
      const sync = () => {
        const value = parseCredence(credence.value);
        confirm.textContent = value === null ? 'Confirm' : `Confirm ${formatCredence(h.credence)} → ${formatCredence(value)}`;
        confirm.disabled = value === null || !reason.value.trim();
      };
      credence.addEventListener('input', sync);
      reason.addEventListener('input', sync);
      sync();
      const row = el('div', 'jp-Logbook-row');
      row.append(el('label', 'jp-Logbook-muted', 'credence'), credence);
      box.append(row, reason, confirm);
    } else if (form === 'refute' && h) {
      reason.placeholder = `Why is ${h.id} wrong?`;
      const refute = button(`Refute ${h.id}`, `Refute ${h.id} with this reason`, () => {
        if (reason.value.trim()) {
          void this.resolve(s, { action: 'refuted', reason: reason.value.trim() });
        }
      }, 'jp-mod-warn');
      refute.disabled = true;
      reason.addEventListener('input', () => (refute.disabled = !reason.value.trim()));
      box.append(reason, refute);
    } else if (form === 'follow') {
      const text = textArea('jp-Logbook-followUp', 'Follow-up hypothesis', () => add());
      // The values that decided it, as the card shows them (`head_scores[0].argmax() → 3`), else what was observed.
      const deciding = readSteps(s.steps);
      const seen = observedWords(s) ?? (deciding.length ? stepLine(deciding[deciding.length - 1]) : describeObserved(s.observed));
      text.value = s.manual || isDrift(s) ? `${s.note}: ` : `${s.prediction} failed (${seen || 'as judged'}) because `;
      const add = () => {
        const parsed = parseEntry(text.value);
        if (parsed.statement && !parsed.error) {
          // One call: the hypothesis records that it follows this surprise up, and the surprise closes as followed up.
          void attempt(() => this.model.followUp(s, parsed.statement, parsed.credence)).then(ok => {
            if (ok) {
              this.form = null;
            }
          });
        }
      };
      box.append(
        text,
        el('div', 'jp-Logbook-muted', `add @0.6 for a credence; S${s.id} closes as followed up`),
        button('Add hypothesis', `Add the follow-up hypothesis and close S${s.id} as followed up`, add)
      );
    }
    reason.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        (box.querySelector('button:not([disabled])') as HTMLButtonElement | null)?.click();
      }
    });
    return box;
  }

  private async resolve(s: ISurprise, resolution: IResolution): Promise<void> {
    if (await attempt(() => this.model.resolveSurprise(s, resolution))) {
      this.form = null;
    }
  }

  private surprise: ISurprise | null = null;
  private form: Form | null = null;
}
