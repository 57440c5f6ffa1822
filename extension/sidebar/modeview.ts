/** The research mode: confirm, red-team or explore, switched in one click, with the balance so far. */

import { attempt, button, el } from '../lib/dom';
import { formatDuration } from '../lib/format';
import { ILogbookModel } from '../lib/imodel';
import { NO_MODE, RESEARCH_MODES } from '../lib/words';
import { SectionWidget } from './section';

export class ModeSection extends SectionWidget {
  constructor(model: ILogbookModel) {
    super(model, 'mode', 'Mode', ['mode']);
    const row = el('div', 'jp-Logbook-row jp-Logbook-modeRow');
    row.setAttribute('role', 'group');
    row.setAttribute('aria-label', 'Research mode');
    this.buttons = RESEARCH_MODES.map(mode =>
      button(mode, `Switch to ${mode} mode`, () => void attempt(() => model.switchMode(mode)), 'jp-Logbook-modeButton')
    );
    row.append(...this.buttons);
    this.node.append(row, this.hint, this.balance);
  }

  protected render(): void {
    const mode = this.model.mode;
    for (const b of this.buttons) {
      const active = b.textContent === mode;
      b.classList.toggle('jp-mod-active', active);
      b.setAttribute('aria-pressed', String(active));
    }
    const parts = this.model.balance
      .filter(b => b.mode !== NO_MODE || b.experiments > 0)
      .map(b => `${b.mode} ${b.experiments} exp${b.mode_seconds ? `, ${formatDuration(b.mode_seconds)}` : ''}`);
    this.balance.textContent = parts.join(' · ') || 'No experiments yet';
    this.hint.hidden = mode !== null;
    this.setCount(mode ?? NO_MODE);
  }

  private buttons: HTMLButtonElement[];
  private hint = el('div', 'jp-Logbook-muted jp-Logbook-modeHint', `Say what you are doing: ${RESEARCH_MODES.slice(0, -1).join(', ')} or ${RESEARCH_MODES[RESEARCH_MODES.length - 1]}; each cell is recorded under it.`);
  private balance = el('div', 'jp-Logbook-muted jp-Logbook-balance');
}
