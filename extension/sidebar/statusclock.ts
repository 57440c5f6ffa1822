/** The status-bar item: the brainstorm clock (with "paused"), and ⚡ unread surprises that opens the inbox. */

import { Widget } from '@lumino/widgets';

import { el } from '../lib/dom';
import { ILogbookModel } from '../lib/imodel';
import { IClock } from '../lib/state';

export class LogbookStatus extends Widget {
  constructor(
    private readonly model: ILogbookModel,
    private readonly actions: { showBrainstorm: () => void; showSurprises: () => void }
  ) {
    super();
    this.addClass('jp-StatusBar-GroupItem');
    this.addClass('jp-Logbook-statusItem');
    this.clock.className = 'jp-StatusBar-TextItem jp-Logbook-statusClock';
    this.clock.type = 'button';
    this.clock.addEventListener('click', () => this.actions.showBrainstorm());
    this.surprises.className = 'jp-StatusBar-TextItem jp-Logbook-statusSurprises';
    this.surprises.type = 'button';
    this.surprises.addEventListener('click', () => this.actions.showSurprises());
    this.node.append(this.clock, this.surprises);
    model.ticked.connect((_, clock) => this.render(clock), this);
    model.changed.connect(() => this.render(model.clock()), this);
    this.render(model.clock());
  }

  private render(clock: IClock): void {
    this.clock.hidden = clock.brainstormId === null;
    this.clock.textContent = clock.timeUp ? 'Brainstorm: time up' : `Brainstorm ${clock.text}${clock.paused ? ' paused' : ''}`;
    this.clock.title = clock.paused
      ? 'The brainstorm is paused: open it in the Logbook sidebar to resume'
      : 'Time left in the brainstorm: open it in the Logbook sidebar';
    this.clock.classList.toggle('jp-mod-timeUp', clock.timeUp);
    this.clock.classList.toggle('jp-mod-paused', clock.paused);
    const unread = this.model.unread;
    this.surprises.hidden = unread === 0;
    this.surprises.textContent = `⚡ ${unread.toLocaleString()}`;
    this.surprises.title = `${unread.toLocaleString()} unread surprise${unread === 1 ? '' : 's'}: open the surprise inbox`;
    this.surprises.setAttribute('aria-label', this.surprises.title);
    this.node.hidden = this.clock.hidden && this.surprises.hidden;
  }

  private clock = el('button') as HTMLButtonElement;
  private surprises = el('button') as HTMLButtonElement;
}
