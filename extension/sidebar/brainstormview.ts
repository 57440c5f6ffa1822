/**
 * The brainstorm: a countdown, one entry box ("Layer 1 does induction @0.6"),
 * the hypotheses written so far with their credences, and past brainstorms.
 */

import { Notification } from '@jupyterlab/apputils';

import { attempt, button, el, input } from '../lib/dom';
import { parseCredence, parseEntry } from '../lib/entry';
import { brainstormTiming, formatCredence } from '../lib/format';
import { rivalsToOffer, shortfallNudge } from './setformat';
import { formatClock } from '../lib/timer';
import { ILogbookModel } from '../lib/imodel';
import { IClock } from '../lib/state';
import { SectionWidget } from './section';
import { IBrainstorm } from '../lib/types';

export class BrainstormSection extends SectionWidget {
  constructor(model: ILogbookModel) {
    super(model, 'brainstorm', 'Brainstorm', ['brainstorm', 'hypotheses', 'settings']);
    this.start = button('', 'Start the brainstorm timer', () => void this.startBrainstorm(), 'jp-mod-accept jp-Logbook-start');
    this.pause = button('Pause', 'Pause the clock', () => void this.act(this.isPaused ? 'resume' : 'pause'));
    const finish = button('Finish', 'Finish the brainstorm now', () => void this.act('finish'));
    const clockRow = el('div', 'jp-Logbook-row jp-Logbook-clockRow');
    clockRow.append(this.clock, this.counter, this.pause, finish);
    this.entry.addEventListener('keydown', event => event.key === 'Enter' && this.submit());
    this.entry.addEventListener('input', () => this.preview());
    this.running.append(clockRow, this.entry, this.hint, this.written);
    this.nudge.setAttribute('role', 'status');
    this.nudge.append(this.nudgeText, this.enough);
    this.nudge.hidden = true;
    this.node.append(this.start, this.nudge, this.running, this.pastHeading, this.past);
    model.ticked.connect((_, clock) => this.tick(clock), this);
  }

  /** A running brainstorm is shown whole (up to 40% of the window). */
  protected sizeToContent(): void {
    super.sizeToContent(this.model.brainstorm ? Math.max(120, window.innerHeight * 0.4) : 120);
  }

  /** Put the cursor in the entry box (the shortcut and the start button do). */
  focusEntry(): void {
    this.entry.focus();
    if (document.activeElement !== this.entry) {
      // The section was just opened and is not laid out yet: focus once it is.
      requestAnimationFrame(() => requestAnimationFrame(() => this.entry.focus()));
    }
  }

  async startBrainstorm(): Promise<void> {
    if (await attempt(() => this.model.startBrainstorm())) {
      this.running.hidden = false;
      this.focusEntry();
    }
  }

  protected render(): void {
    const b = this.model.brainstorm;
    this.start.textContent = `Start ${formatClock(this.model.settings.brainstormMinutes * 60)} brainstorm`;
    this.start.setAttribute('aria-label', this.start.textContent);
    this.start.hidden = b !== null;
    this.running.hidden = b === null;
    if (b) {
      const done = b.hypothesis_ids.length;
      this.counter.textContent = `${done} / ${b.target}`;
      this.counter.setAttribute('aria-label', `${done} of ${b.target} hypotheses`);
      this.counter.classList.toggle('jp-mod-done', done >= b.target);
      this.pause.textContent = this.isPaused ? 'Resume' : 'Pause';
      this.pause.title = this.isPaused ? 'Resume the clock' : 'Pause the clock';
      this.pause.setAttribute('aria-label', this.pause.title);
      this.redrawIf('written', b.hypothesis_ids.map(id => [id, this.model.hypothesis(id)?.credence]), () =>
        this.written.replaceChildren(...b.hypothesis_ids.map(id => this.writtenRow(id)))
      );
      this.tick(this.model.clock());
    } else {
      this.node.classList.remove('jp-Logbook-timeUpFlash');
    }
    const past = this.model.pastBrainstorms;
    this.pastHeading.hidden = past.length === 0;
    const statements = past.flatMap(p => p.hypothesis_ids.map(id => [this.model.hypothesis(id)?.statement, this.model.hypothesis(id)?.set_id]));
    this.redrawIf('past', [past, statements], () => this.past.replaceChildren(...past.map(p => this.pastItem(p))));
    this.setCount(b ? (this.isPaused ? 'paused' : 'running') : past.length ? `${past.length} past` : '');
    if (b) {
      this.short = b.id;
    }
    this.drawNudge();
  }

  /** Run ``draw`` only when ``data`` differs from the last time: unchanged nodes keep the focus. */
  private redrawIf(part: string, data: unknown, draw: () => void): void {
    const key = JSON.stringify(data);
    if (this.drawn.get(part) !== key) {
      this.drawn.set(part, key);
      draw();
    }
  }

  private get isPaused(): boolean {
    return this.model.clock().paused;
  }

  private tick(clock: IClock): void {
    this.clock.replaceChildren(clock.text);
    if (clock.paused) {
      this.clock.append(el('span', 'jp-Logbook-pausedLabel', ' paused'));
    }
    this.clock.classList.toggle('jp-mod-timeUp', clock.timeUp);
    if (clock.timeUp !== !this.nudge.hidden) {
      this.drawNudge();
    }
    this.node.classList.toggle('jp-Logbook-timeUpFlash', clock.timeUp);
    const b = this.model.brainstorm;
    if (clock.timeUp && b && this.signalled !== b.id) {
      this.signalled = b.id;
      Notification.warning(
        `Brainstorm time is up: ${b.hypothesis_ids.length} of ${b.target} hypotheses. Finish it to save its timing.`,
        { autoClose: false }
      );
    }
  }

  private async act(action: 'pause' | 'resume' | 'finish'): Promise<void> {
    const b = this.model.brainstorm;
    if (b && (await attempt(() => this.model.brainstormAction(b.id, action))) && action === 'finish') {
      this.short = shortfallNudge(b.hypothesis_ids.length, b.target) ? b.id : null;
      this.update();
    }
  }

  /** "2 of 4: one more?" under the clock once time is up, or after finishing short, with the entry box kept. */
  private drawNudge(): void {
    const b = this.model.brainstorm;
    const past = b ? null : this.model.pastBrainstorms.find(p => p.id === this.short);
    const text = b
      ? this.model.clock().timeUp && shortfallNudge(b.hypothesis_ids.length, b.target)
      : past && shortfallNudge(past.hypothesis_ids.length, past.target);
    this.nudge.hidden = !text;
    this.nudgeText.textContent = text || '';
    this.enough.hidden = b !== null;
    if (!b) {
      if (text) {
        this.nudge.insertBefore(this.entry, this.enough); // the box stays, and adds to the finished brainstorm
        this.nudge.insertBefore(this.hint, this.enough);
      } else if (this.entry.parentElement === this.nudge) {
        this.running.insertBefore(this.hint, this.written);
        this.running.insertBefore(this.entry, this.hint);
      }
    }
  }

  private preview(): void {
    const parsed = parseEntry(this.entry.value);
    this.hint.classList.toggle('jp-mod-error', parsed.error !== null);
    this.hint.textContent =
      parsed.error ?? (parsed.credence !== null ? `credence ${formatCredence(parsed.credence)}` : 'add @0.6 for a credence');
  }

  private submit(): void {
    const b = this.model.brainstorm ?? this.model.pastBrainstorms.find(p => p.id === this.short && !this.nudge.hidden);
    const parsed = parseEntry(this.entry.value);
    if (!b || !parsed.statement || parsed.error) {
      return;
    }
    this.entry.value = '';
    this.preview();
    void attempt(() => this.model.addHypothesis(parsed.statement, parsed.credence, b.id));
  }

  /** A hypothesis written in this brainstorm, its credence settable right after. */
  private writtenRow(id: string): HTMLElement {
    const h = this.model.hypothesis(id);
    const row = el('div', 'jp-Logbook-row jp-Logbook-written');
    const credence = input('jp-Logbook-credenceInput', `credence in ${id}`);
    credence.value = h ? formatCredence(h.credence) : '';
    credence.inputMode = 'decimal';
    credence.addEventListener('change', () => {
      const value = parseCredence(credence.value);
      credence.classList.toggle('jp-mod-error', value === null);
      if (value !== null) {
        void attempt(() => this.model.setCredence(id, value, 'set while brainstorming'));
      }
    });
    const statement = el('span', 'jp-Logbook-statement', h?.statement ?? '');
    statement.title = h?.statement ?? '';
    row.append(el('span', 'jp-Logbook-id', id), statement, credence);
    return row;
  }

  private pastItem(b: IBrainstorm): HTMLElement {
    const item = el('details', 'jp-Logbook-pastBrainstorm') as HTMLDetailsElement;
    item.open = this.openPast.has(b.id);
    item.addEventListener('toggle', () => (item.open ? this.openPast.add(b.id) : this.openPast.delete(b.id)));
    const summary = el('summary', 'jp-Logbook-pastSummary');
    summary.append(el('strong', undefined, `Brainstorm ${b.id}:`), ` ${brainstormTiming(b)}`);
    summary.title = 'hypotheses written of the target, in the time taken of the time planned';
    const list = el('ul', 'jp-Logbook-pastList');
    for (const id of b.hypothesis_ids) {
      const entry = el('li');
      const h = this.model.hypothesis(id);
      entry.append(el('span', 'jp-Logbook-id', id), ` ${h?.statement ?? ''}`);
      entry.title = h?.statement ?? '';
      list.append(entry);
    }
    item.append(summary, list, el('div', 'jp-Logbook-muted', `started ${new Date(b.started_at).toLocaleString()}`));
    const free = rivalsToOffer(b.hypothesis_ids, id => this.model.hypothesis(id)?.set_id);
    if (free.length) {
      // In the summary, so one click makes the set whether the brainstorm is open or not.
      summary.append(
        button('Make these rivals', `Make ${free.join(', ')} from brainstorm ${b.id} one competing set`, () =>
          void attempt(() => this.model.setFromBrainstorm(b.id))
        , 'jp-Logbook-makeRivals')
      );
    }
    return item;
  }

  private start: HTMLButtonElement;
  private pause: HTMLButtonElement;
  private clock = el('span', 'jp-Logbook-clock');
  private counter = el('span', 'jp-Logbook-counter');
  private entry = input('jp-Logbook-brainstormEntry', 'New hypothesis for the brainstorm', 'Hypothesis @0.6, then Enter');
  private hint = el('div', 'jp-Logbook-muted jp-Logbook-hint', 'add @0.6 for a credence');
  private written = el('div', 'jp-Logbook-writtenList');
  private running = el('div', 'jp-Logbook-running');
  private pastHeading = el('div', 'jp-Logbook-subheading', 'Past brainstorms');
  private past = el('div', 'jp-Logbook-pastList');
  private openPast = new Set<number>();
  /** The brainstorm the nudge is about: the running one, or the one just finished below its target. */
  private short: number | null = null;
  private nudge = el('div', 'jp-Logbook-nudge');
  private nudgeText = el('div', 'jp-Logbook-nudgeText');
  private enough = button('Enough', 'No more hypotheses for this brainstorm', () => {
    this.short = null;
    this.drawNudge();
  }, 'jp-Logbook-enough');
  private drawn = new Map<string, string>();
  private signalled: number | null = null;
}
