/** The Logbook sidebar: mode, brainstorm timer, hypotheses, surprise inbox, experiments. */

import { Notification } from '@jupyterlab/apputils';
import { ISignal, Signal } from '@lumino/signaling';
import { Widget } from '@lumino/widgets';

import {
  IBrainstorm,
  IExperimentRow,
  IHypothesis,
  IModeBalance,
  IPrediction,
  IStatus,
  ISurprise,
  LogbookApiError,
  requestAPI,
  send
} from './api';
import { describeObserved, firstLine, formatBits, formatCredence, formatDuration, relativeTime } from './format';
import { el } from './mime';
import { pagesFor, visibleRows } from './range';
import { clockOffset, formatClock, isPaused, isTimeUp, remainingSeconds } from './timer';

export interface ILogbookSettings {
  brainstormMinutes: number;
  brainstormTarget: number;
  defaultCredence: number;
  exportFolder: string;
}

export interface IClockState {
  text: string;
  running: boolean;
  timeUp: boolean;
  unread: number;
}

const MODES = ['confirm', 'red-team', 'explore'];
const ROW_HEIGHT = 24;
const PAGE_SIZE = 100;
const STATUSES = ['active', 'supported', 'refuted', 'abandoned'];

function button(label: string, title: string, onClick: () => void, className = ''): HTMLButtonElement {
  const node = el('button', `jp-Logbook-button ${className}`.trim(), label) as HTMLButtonElement;
  node.title = title;
  node.type = 'button';
  node.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return node;
}

function section(title: string, className: string): { root: HTMLElement; heading: HTMLElement; body: HTMLElement } {
  const root = el('section', `jp-Logbook-section ${className}`);
  const heading = el('h3', 'jp-Logbook-sectionTitle', title);
  const body = el('div', 'jp-Logbook-sectionBody');
  root.append(heading, body);
  return { root, heading, body };
}

function debounce<A extends unknown[]>(fn: (...args: A) => void, wait: number): (...args: A) => void {
  let timer: number | undefined;
  return (...args: A) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), wait);
  };
}

/** Checks a prediction expression on the server as it is typed; shows the names or the reason. */
function attachExpressionCheck(input: HTMLInputElement, verdict: HTMLElement): () => boolean {
  let ok = false;
  const check = debounce(async () => {
    if (!input.value.trim()) {
      verdict.textContent = '';
      ok = false;
      return;
    }
    const result = await send<{ ok: boolean; names?: string[]; error?: string }>('predictions/check', 'POST', {
      expression: input.value
    });
    ok = result.ok;
    verdict.className = `jp-Logbook-verdict ${ok ? 'jp-mod-ok' : 'jp-mod-error'}`;
    verdict.textContent = ok ? `✓ judged after cells that assign ${result.names?.join(', ') || '(no names)'}` : `✗ ${result.error}`;
  }, 200);
  input.addEventListener('input', check);
  return () => ok;
}

export class LogbookSidebar extends Widget {
  constructor(
    private settings: ILogbookSettings,
    private readonly openCell: (notebook: string, cellId: string | null) => void,
    private readonly openFile: (path: string) => void
  ) {
    super();
    this.id = 'jp-logbook-sidebar';
    this.addClass('jp-Logbook');
    this.node.tabIndex = 0;
    this.buildLayout();
    this.clockTimer = window.setInterval(() => this.tick(), 250);
    void this.refresh();
    void this.followChanges();
  }

  /** Fired each tick with the clock and the unread count, for the status bar. */
  get clockChanged(): ISignal<this, IClockState> {
    return this._clockChanged;
  }

  updateSettings(settings: ILogbookSettings): void {
    this.settings = settings;
    this.renderBrainstorm();
  }

  dispose(): void {
    this.stopped = true;
    window.clearInterval(this.clockTimer);
    super.dispose();
  }

  // -- layout -----------------------------------------------------------

  private buildLayout(): void {
    const header = el('div', 'jp-Logbook-header');
    header.append(el('span', 'jp-Logbook-title', 'Logbook'), this.unreadBadge, this.errorLine);
    this.unreadBadge.className = 'jp-Logbook-badge';
    this.errorLine.className = 'jp-Logbook-error';

    const mode = section('Mode', 'jp-Logbook-mode');
    this.modeButtons = MODES.map(name =>
      button(name, `Switch to ${name} mode`, () => void this.switchMode(name), 'jp-Logbook-modeButton')
    );
    const modeRow = el('div', 'jp-Logbook-row');
    modeRow.append(...this.modeButtons);
    mode.body.append(modeRow, this.balanceLine);
    this.balanceLine.className = 'jp-Logbook-muted';

    const brainstorm = section('Brainstorm', 'jp-Logbook-brainstorm');
    this.buildBrainstorm();
    brainstorm.body.append(this.brainstormBody);

    const hypotheses = section('Hypotheses', 'jp-Logbook-hypotheses');
    const newHypothesis = el('input', 'jp-Logbook-input') as HTMLInputElement;
    newHypothesis.placeholder = 'New hypothesis… (Enter)';
    newHypothesis.addEventListener('keydown', event => {
      if (event.key === 'Enter' && newHypothesis.value.trim()) {
        void this.addHypothesis(newHypothesis.value, null).then(() => (newHypothesis.value = ''));
      }
    });
    hypotheses.body.append(newHypothesis, this.hypothesisList);
    this.hypothesisList.addEventListener('focusout', () => {
      window.setTimeout(() => {
        if (this.pendingHypotheses && !this.hypothesisList.contains(document.activeElement)) {
          this.renderHypotheses(true);
        }
      });
    });

    const surprises = section('Surprises', 'jp-Logbook-surprises');
    this.surpriseHeading = surprises.heading;
    surprises.body.append(this.surpriseList);

    const experiments = section('Experiments', 'jp-Logbook-experiments');
    this.experimentsHeading = experiments.heading;
    const search = el('input', 'jp-Logbook-input jp-Logbook-search') as HTMLInputElement;
    search.placeholder = 'Search code and outputs…';
    search.addEventListener(
      'input',
      debounce(() => {
        this.query = search.value.trim();
        this.resetExperiments();
      }, 250)
    );
    this.viewport.className = 'jp-Logbook-viewport';
    this.spacer.className = 'jp-Logbook-spacer';
    this.viewport.append(this.spacer);
    this.viewport.addEventListener('scroll', () => this.renderRows());
    experiments.body.append(search, this.viewport);

    const exportRow = el('div', 'jp-Logbook-row jp-Logbook-export');
    exportRow.append(el('span', 'jp-Logbook-muted', 'Export'));
    for (const [format, label] of [
      ['md', 'Markdown'],
      ['html', 'HTML'],
      ['json', 'JSON']
    ]) {
      exportRow.append(button(label, `Export the logbook as ${label}`, () => void this.exportAs(format)));
    }

    this.node.append(header, mode.root, brainstorm.root, hypotheses.root, surprises.root, experiments.root, exportRow);
  }

  // -- data -------------------------------------------------------------

  async refresh(): Promise<void> {
    try {
      const [status, hypotheses, surprises, current, mode] = await Promise.all([
        requestAPI<IStatus>('status'),
        requestAPI<IHypothesis[]>('hypotheses'),
        requestAPI<ISurprise[]>('surprises'),
        requestAPI<{ brainstorm: IBrainstorm | null; server_time: string }>('brainstorms/current'),
        requestAPI<{ mode: string | null; balance: IModeBalance[] }>('mode')
      ]);
      this.title.caption = `Logbook: ${status.path}`;
      this.errorLine.textContent = '';
      this.hypotheses = hypotheses;
      this.surprises = surprises;
      this.brainstorm = current.brainstorm;
      this.offset = clockOffset(current.server_time, Date.now());
      this.mode = mode.mode;
      this.balance = mode.balance;
      this.renderMode();
      this.renderBrainstorm();
      this.renderHypotheses();
      this.renderSurprises();
      this.resetExperiments();
    } catch (error) {
      this.errorLine.textContent = error instanceof LogbookApiError ? error.message : String(error);
    }
  }

  /** Long-polls the change feed; refreshes as soon as the logbook changes. */
  private async followChanges(): Promise<void> {
    let since = -1;
    while (!this.stopped) {
      try {
        const { revision } = await requestAPI<{ revision: number }>(`changes?since=${since}&timeout=25`);
        if (revision !== since) {
          if (since !== -1) {
            await this.refresh();
          }
          since = revision;
        }
      } catch (error) {
        this.errorLine.textContent = `Logbook: ${error instanceof Error ? error.message : error}`;
        await new Promise(resolve => window.setTimeout(resolve, 2000));
      }
    }
  }

  private async act(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      await this.refresh();
      this.renderHypotheses(true);
      return true;
    } catch (error) {
      Notification.error(`Logbook: ${error instanceof Error ? error.message : error}`, { autoClose: 6000 });
      return false;
    }
  }

  // -- mode -------------------------------------------------------------

  async switchMode(mode: string): Promise<void> {
    await this.act(() => send('mode', 'POST', { mode }));
  }

  private renderMode(): void {
    this.modeButtons.forEach(b => b.classList.toggle('jp-mod-active', b.textContent === this.mode));
    const parts = this.balance
      .filter(b => b.mode !== 'none' || b.experiments > 0)
      .map(b => `${b.mode} ${b.experiments} exp${b.mode_seconds ? `, ${formatDuration(b.mode_seconds)}` : ''}`);
    this.balanceLine.textContent = parts.join(' · ') || 'No experiments yet';
  }

  // -- brainstorm -------------------------------------------------------

  async startBrainstorm(): Promise<void> {
    const planned = Math.round(this.settings.brainstormMinutes * 60);
    const started = await this.act(() =>
      send('brainstorms', 'POST', { planned_seconds: planned, target: this.settings.brainstormTarget })
    );
    if (started) {
      this.focusBrainstormEntry();
    }
  }

  focusBrainstormEntry(): void {
    this.entry.focus();
  }

  private async brainstormAction(action: 'pause' | 'resume' | 'finish'): Promise<void> {
    if (this.brainstorm) {
      const id = this.brainstorm.id;
      await this.act(() => send(`brainstorms/${id}`, 'POST', { action }));
    }
  }

  /** Built once: re-rendering only updates text, so a hypothesis being typed is never lost. */
  private buildBrainstorm(): void {
    this.startButton = button('', 'Start the brainstorm timer', () => void this.startBrainstorm(), 'jp-mod-accept');
    this.clockDisplay.className = 'jp-Logbook-clock';
    this.counter.className = 'jp-Logbook-counter';
    const clockRow = el('div', 'jp-Logbook-row');
    clockRow.append(this.clockDisplay, this.counter);
    this.entry.className = 'jp-Logbook-input jp-Logbook-brainstormEntry';
    this.entry.placeholder = 'A hypothesis, then Enter';
    this.entry.addEventListener('keydown', event => {
      const running = this.brainstorm;
      if (event.key === 'Enter' && running && this.entry.value.trim()) {
        const statement = this.entry.value;
        this.entry.value = '';
        void this.addHypothesis(statement, running.id);
      }
    });
    this.pauseButton = button('Pause', 'Pause or resume the clock', () =>
      void this.brainstormAction(this.brainstorm && isPaused(this.brainstorm) ? 'resume' : 'pause')
    );
    const controls = el('div', 'jp-Logbook-row');
    controls.append(this.pauseButton, button('Finish', 'Finish the brainstorm now', () => void this.brainstormAction('finish')));
    this.runningBox.className = 'jp-Logbook-brainstormBody';
    this.runningBox.append(clockRow, this.entry, controls);
    this.brainstormBody.append(this.startButton, this.runningBox);
  }

  private renderBrainstorm(): void {
    const b = this.brainstorm;
    this.startButton.textContent = `Start ${formatClock(this.settings.brainstormMinutes * 60)} brainstorm`;
    this.startButton.hidden = b !== null;
    this.runningBox.hidden = b === null;
    if (!b) {
      return;
    }
    this.counter.textContent = `${b.hypothesis_ids.length} / ${b.target} hypotheses`;
    this.counter.classList.toggle('jp-mod-done', b.hypothesis_ids.length >= b.target);
    this.pauseButton.textContent = isPaused(b) ? 'Resume' : 'Pause';
    this.tick();
  }

  private tick(): void {
    const b = this.brainstorm;
    const now = Date.now() + this.offset;
    let state: IClockState = { text: '', running: false, timeUp: false, unread: this.unread() };
    if (b) {
      const timeUp = isTimeUp(b, now);
      state = { ...state, text: formatClock(remainingSeconds(b, now)), running: !isPaused(b), timeUp };
      this.clockDisplay.textContent = state.text + (isPaused(b) ? ' (paused)' : '');
      this.clockDisplay.classList.toggle('jp-mod-timeUp', timeUp);
      this.node.classList.toggle('jp-Logbook-timeUpFlash', timeUp);
      if (timeUp && this.signalled !== b.id) {
        this.signalled = b.id;
        Notification.warning(
          `Brainstorm time is up: ${b.hypothesis_ids.length} of ${b.target} hypotheses. Finish it to save its timing.`,
          { autoClose: false }
        );
      }
    } else {
      this.node.classList.remove('jp-Logbook-timeUpFlash');
    }
    this._clockChanged.emit(state);
  }

  // -- hypotheses -------------------------------------------------------

  private async addHypothesis(statement: string, brainstormId: number | null): Promise<void> {
    await this.act(() =>
      send('hypotheses', 'POST', {
        statement,
        credence: this.settings.defaultCredence,
        brainstorm_id: brainstormId
      })
    );
  }

  private renderHypotheses(force = false): void {
    const json = JSON.stringify(this.hypotheses);
    if (!force && json === this.renderedHypotheses) {
      return;
    }
    if (!force && this.hypothesisList.contains(document.activeElement)) {
      // Never pull an input out from under the researcher's cursor; redraw on blur.
      this.pendingHypotheses = true;
      return;
    }
    this.pendingHypotheses = false;
    this.renderedHypotheses = json;
    const order = (h: IHypothesis) => (h.status === 'active' ? 0 : 1);
    const sorted = [...this.hypotheses].sort((a, b) => order(a) - order(b));
    this.hypothesisList.replaceChildren(...sorted.map(h => this.hypothesisCard(h)));
    if (!sorted.length) {
      this.hypothesisList.append(el('div', 'jp-Logbook-muted', 'No hypotheses yet: start a brainstorm.'));
    }
  }

  private hypothesisCard(h: IHypothesis): HTMLElement {
    const card = el('div', `jp-Logbook-hypothesis jp-mod-${h.status}`);
    card.dataset.hypothesis = h.id;
    const head = el('div', 'jp-Logbook-row');
    const status = el('select', 'jp-Logbook-status') as HTMLSelectElement;
    for (const s of STATUSES) {
      const option = el('option', undefined, s) as HTMLOptionElement;
      option.value = s;
      option.selected = s === h.status;
      status.append(option);
    }
    status.addEventListener('change', () =>
      void this.act(() => send(`hypotheses/${h.id}`, 'PATCH', { status: status.value, reason: 'set in the sidebar' }))
    );
    head.append(el('strong', 'jp-Logbook-id', h.id), el('span', 'jp-Logbook-statement', h.statement), status);

    const credenceRow = el('div', 'jp-Logbook-row jp-Logbook-credence');
    const slider = el('input', 'jp-Logbook-slider') as HTMLInputElement;
    slider.type = 'range';
    slider.min = '0';
    slider.max = '100';
    slider.value = String(Math.round(h.credence * 100));
    slider.setAttribute('aria-label', `credence in ${h.id}`);
    const shown = el('span', 'jp-Logbook-credenceValue', formatCredence(h.credence));
    const reason = el('input', 'jp-Logbook-input jp-Logbook-reason') as HTMLInputElement;
    reason.placeholder = 'why?';
    const save = button('Save', 'Record this credence and reason', () =>
      void this.act(() =>
        send(`hypotheses/${h.id}`, 'PATCH', { credence: Number(slider.value) / 100, reason: reason.value })
      )
    );
    save.disabled = true;
    slider.addEventListener('input', () => {
      shown.textContent = formatCredence(Number(slider.value) / 100);
      save.disabled = false;
    });
    reason.addEventListener('keydown', event => event.key === 'Enter' && !save.disabled && save.click());
    credenceRow.append(slider, shown, reason, save);

    const predictions = el('div', 'jp-Logbook-predictions');
    for (const p of h.predictions) {
      predictions.append(this.predictionRow(p));
    }
    card.append(head, credenceRow, predictions, this.newPrediction(h));
    return card;
  }

  private predictionRow(p: IPrediction): HTMLElement {
    const row = el('div', `jp-Logbook-prediction jp-mod-${p.state}`);
    row.dataset.prediction = p.id;
    const text = el('code', 'jp-Logbook-expression', p.expression);
    const state = el('span', `jp-Logbook-state jp-mod-${p.state}`, p.state);
    if (p.error) {
      state.title = p.error;
    }
    const edit = button('✎', 'Edit this prediction', () => {
      const input = el('input', 'jp-Logbook-input') as HTMLInputElement;
      input.value = p.expression;
      const verdict = el('div', 'jp-Logbook-verdict');
      const valid = p.kind === 'expression' ? attachExpressionCheck(input, verdict) : () => true;
      input.addEventListener('keydown', event => {
        if (event.key === 'Escape') {
          this.renderHypotheses(true);
        } else if (event.key === 'Enter' && (valid() || p.kind === 'text')) {
          void this.act(() => send(`predictions/${p.id}`, 'PATCH', { expression: input.value }));
        }
      });
      row.replaceChildren(input, verdict);
      input.focus();
    });
    row.append(el('span', 'jp-Logbook-id', p.id.split('.')[1]), text, el('span', 'jp-Logbook-muted', formatCredence(p.credence)), state, edit);
    if (p.kind === 'text' && p.state === 'pending') {
      // Predictions in words are judged by the researcher: held, or failed (a surprise).
      const verdict = (held: boolean) => () =>
        void this.act(() => send(`predictions/${p.id}/verdict`, 'POST', { held }));
      row.append(
        button('held', 'It came true: record evidence', verdict(true)),
        button('failed', 'It did not: record a surprise', verdict(false))
      );
    }
    return row;
  }

  private newPrediction(h: IHypothesis): HTMLElement {
    const box = el('div', 'jp-Logbook-newPrediction');
    const input = el('input', 'jp-Logbook-input') as HTMLInputElement;
    input.placeholder = 'Predict: a Python expression, e.g. loss < 0.1';
    const credence = el('input', 'jp-Logbook-input jp-Logbook-credenceInput') as HTMLInputElement;
    credence.type = 'number';
    credence.min = '0';
    credence.max = '1';
    credence.step = '0.05';
    credence.value = '0.8';
    credence.title = 'credence that the expression comes out true';
    const verdict = el('div', 'jp-Logbook-verdict');
    const valid = attachExpressionCheck(input, verdict);
    const submit = (): void => {
      if (!valid()) {
        verdict.className = 'jp-Logbook-verdict jp-mod-error';
        verdict.textContent = verdict.textContent || '✗ not checked yet';
        return;
      }
      void this.act(() =>
        send(`hypotheses/${h.id}/predictions`, 'POST', { expression: input.value, credence: Number(credence.value) })
      );
    };
    input.addEventListener('keydown', event => event.key === 'Enter' && submit());
    const row = el('div', 'jp-Logbook-row');
    row.append(input, credence);
    box.append(row, verdict);
    return box;
  }

  focusHypothesis(id: string): void {
    const card = this.hypothesisList.querySelector(`[data-hypothesis="${id}"]`) as HTMLElement | null;
    card?.scrollIntoView({ block: 'center' });
    (card?.querySelector('input[type=range]') as HTMLInputElement | null)?.focus();
  }

  // -- surprises --------------------------------------------------------

  private unread(): number {
    return this.surprises.filter(s => s.status === 'unread').length;
  }

  private renderSurprises(): void {
    const unread = this.unread();
    this.unreadBadge.textContent = unread ? `${unread} new` : '';
    this.surpriseHeading.textContent = unread ? `Surprises (${unread} unread)` : 'Surprises';
    const open = this.surprises.filter(s => s.status !== 'explained');
    this.surpriseList.replaceChildren(...open.map(s => this.surpriseItem(s)));
    if (!open.length) {
      this.surpriseList.append(el('div', 'jp-Logbook-muted', 'Nothing surprising yet.'));
    }
  }

  private surpriseItem(s: ISurprise): HTMLElement {
    const item = el('div', `jp-Logbook-surprise jp-mod-${s.status}`);
    item.dataset.surprise = String(s.id);
    const head = el('div', 'jp-Logbook-row');
    head.append(el('span', 'jp-Logbook-bits', formatBits(s.surprisal_bits)));
    if (s.manual) {
      head.append(el('span', 'jp-Logbook-statement', s.note));
    } else {
      head.append(el('strong', 'jp-Logbook-id', s.hypothesis_id ?? ''), el('code', 'jp-Logbook-expression', s.prediction ?? ''));
    }
    item.append(head);
    if (!s.manual) {
      item.append(el('div', 'jp-Logbook-muted', `observed ${describeObserved(s.observed)} · credence ${formatCredence(s.credence ?? 0)}`));
    }
    item.append(el('div', 'jp-Logbook-muted', `experiment ${s.experiment_id ?? '-'} · ${relativeTime(s.created_at, Date.now())}`));
    const actions = el('div', 'jp-Logbook-row jp-Logbook-actions');
    if (s.hypothesis_id) {
      const hid = s.hypothesis_id;
      actions.append(
        button('Update credence', `Revise your credence in ${hid}`, () => this.focusHypothesis(hid)),
        button('Refute', `Mark ${hid} refuted`, () =>
          void this.act(() => send(`hypotheses/${hid}`, 'PATCH', { status: 'refuted', reason: `surprise #${s.id}` }))
        )
      );
    }
    actions.append(
      button('Explained', 'Mark this surprise explained', () =>
        void this.act(() => send(`surprises/${s.id}`, 'PATCH', { status: 'explained' }))
      ),
      button('Brainstorm', 'Start a new brainstorm about this', () => void this.startBrainstorm())
    );
    item.append(actions);
    item.addEventListener('click', () => {
      if (s.status === 'unread') {
        void this.act(() => send(`surprises/${s.id}`, 'PATCH', { status: 'read' }));
      }
      if (s.experiment_id !== null) {
        void this.openExperiment(s.experiment_id);
      }
    });
    return item;
  }

  private async openExperiment(id: number): Promise<void> {
    const experiment = await requestAPI<{ lab_path: string | null; cell_id: string | null }>(`experiments/${id}`);
    if (experiment.lab_path) {
      this.openCell(experiment.lab_path, experiment.cell_id);
    }
  }

  // -- experiments (virtualised) ---------------------------------------

  private resetExperiments(): void {
    this.pages.clear();
    this.loading.clear();
    void this.loadPage(0);
  }

  private async loadPage(page: number): Promise<void> {
    if (this.pages.has(page) || this.loading.has(page)) {
      return;
    }
    this.loading.add(page);
    const query = this.query;
    try {
      const q = query ? `&q=${encodeURIComponent(query)}` : '';
      const result = await requestAPI<{ total: number; experiments: IExperimentRow[] }>(
        `experiments?limit=${PAGE_SIZE}&offset=${page * PAGE_SIZE}${q}`
      );
      if (query !== this.query) {
        return;
      }
      this.total = result.total;
      this.pages.set(page, result.experiments);
      this.experimentsHeading.textContent = `Experiments (${this.total.toLocaleString()}${query ? ' found' : ''})`;
      this.spacer.style.height = `${this.total * ROW_HEIGHT}px`;
      this.renderRows();
    } finally {
      this.loading.delete(page);
    }
  }

  private renderRows(): void {
    const range = visibleRows(this.viewport.scrollTop, this.viewport.clientHeight || 300, ROW_HEIGHT, this.total);
    for (const page of pagesFor(range, PAGE_SIZE)) {
      void this.loadPage(page);
    }
    const rows: HTMLElement[] = [];
    for (let index = range.first; index <= range.last; index++) {
      const row = this.pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
      if (row) {
        rows.push(this.experimentRow(row, index));
      }
    }
    this.spacer.replaceChildren(...rows);
  }

  private experimentRow(e: IExperimentRow, index: number): HTMLElement {
    const row = el('div', `jp-Logbook-experiment ${e.ok ? '' : 'jp-mod-error'}`);
    row.style.top = `${index * ROW_HEIGHT}px`;
    row.style.height = `${ROW_HEIGHT}px`;
    row.title = `${e.notebook ?? 'unknown notebook'} · [${e.execution_count ?? ' '}] · ${e.duration_ms.toFixed(0)} ms${
      e.error_name ? ` · ${e.error_name}` : ''
    }`;
    row.append(
      el('span', 'jp-Logbook-expId', `#${e.id}`),
      el('span', 'jp-Logbook-expState', e.ok ? '✓' : '✗'),
      el('span', 'jp-Logbook-expSource', firstLine(e.source))
    );
    if (e.lab_path) {
      const path = e.lab_path;
      row.addEventListener('click', () => this.openCell(path, e.cell_id));
    }
    return row;
  }

  // -- export -----------------------------------------------------------

  async exportAs(format: string): Promise<void> {
    const folder = this.settings.exportFolder.replace(/\/+$/, '');
    const path = `${folder ? folder + '/' : ''}research-log.${format}`;
    try {
      const written = await send<{ path: string; bytes: number }>('export', 'POST', { path, format });
      Notification.success(`Logbook exported to ${written.path}`, { autoClose: 4000 });
      if (format !== 'html') {
        this.openFile(written.path);
      }
    } catch (error) {
      Notification.error(`Logbook: ${error instanceof Error ? error.message : error}`, { autoClose: 6000 });
    }
  }

  private modeButtons: HTMLButtonElement[] = [];
  private balanceLine = el('div');
  private brainstormBody = el('div', 'jp-Logbook-brainstormBody');
  private clockDisplay = el('span');
  private counter = el('span');
  private entry = el('input') as HTMLInputElement;
  private startButton = el('button') as HTMLButtonElement;
  private pauseButton = el('button') as HTMLButtonElement;
  private runningBox = el('div');
  private hypothesisList = el('div', 'jp-Logbook-hypothesisList');
  private surpriseList = el('div', 'jp-Logbook-surpriseList');
  private surpriseHeading = el('h3');
  private experimentsHeading = el('h3');
  private unreadBadge = el('span');
  private errorLine = el('div');
  private viewport = el('div');
  private spacer = el('div');
  private hypotheses: IHypothesis[] = [];
  private surprises: ISurprise[] = [];
  private brainstorm: IBrainstorm | null = null;
  private mode: string | null = null;
  private balance: IModeBalance[] = [];
  private offset = 0;
  private signalled: number | null = null;
  private renderedHypotheses = '';
  private pendingHypotheses = false;
  private query = '';
  private total = 0;
  private pages = new Map<number, IExperimentRow[]>();
  private loading = new Set<number>();
  private stopped = false;
  private clockTimer: number;
  private _clockChanged = new Signal<this, IClockState>(this);
}
