/** The base of the sidebar's sections: a widget that renders from the model when its part changes. */

import { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { ILogbookModel } from '../lib/imodel';
import { ModelChange } from '../lib/state';
import { Section } from '../lib/types';

export abstract class SectionWidget extends Widget {
  constructor(
    protected readonly model: ILogbookModel,
    readonly section: Section,
    private readonly label: string,
    listens: ModelChange[]
  ) {
    super();
    this.id = `jp-logbook-${section}`;
    this.addClass('jp-Logbook-section');
    this.addClass(`jp-Logbook-${section}`);
    this.title.label = label;
    model.changed.connect((_, what) => listens.includes(what) && this.update(), this);
    this.update();
  }

  /** Put the keyboard focus on the section's first control. */
  focusFirst(): void {
    (this.node.querySelector('button, input, select, [tabindex="0"]') as HTMLElement | null)?.focus();
  }

  protected onUpdateRequest(): void {
    this.render();
    this.sizeToContent();
  }

  protected onAfterShow(msg: Message): void {
    this.sizeToContent();
  }

  protected onResize(msg: Message): void {
    this.sizeToContent();
  }

  /** The height the section's content needs (its children, gaps and padding). */
  protected naturalHeight(): number {
    const style = getComputedStyle(this.node);
    const children = [...this.node.children].filter(c => (c as HTMLElement).offsetHeight > 0) as HTMLElement[];
    const gaps = Math.max(0, children.length - 1) * (parseFloat(style.rowGap) || 0);
    const padding = parseFloat(style.paddingTop) + parseFloat(style.paddingBottom);
    const margins = (c: HTMLElement) => {
      const s = getComputedStyle(c);
      return parseFloat(s.marginTop) + parseFloat(s.marginBottom);
    };
    return children.reduce((sum, c) => sum + c.offsetHeight + margins(c), 0) + gaps + padding;
  }

  /**
   * Tell the accordion how tall the section wants to be (it reads min- and
   * max-height): never taller than its content, so the space left goes to
   * the sections that need it. ``floor`` caps the minimum; null: no maximum.
   */
  protected sizeToContent(floor: number | null = 120): void {
    if (!this.isVisible || floor === null) {
      return;
    }
    const wanted = Math.ceil(this.naturalHeight());
    const [max, min] = [`${wanted}px`, `${Math.min(wanted, floor)}px`];
    if (this.node.style.maxHeight !== max || this.node.style.minHeight !== min) {
      this.node.style.maxHeight = max;
      this.node.style.minHeight = min;
      this.parent?.fit();
    }
  }

  /**
   * The most height this section can have while every other open section keeps its minimum and every
   * title stays in the sidebar (Infinity outside one).
   */
  protected roomInPanel(): number {
    const accordion = this.parent?.node;
    const panel = this.node.closest('.jp-SidePanel');
    if (!accordion || !panel) {
      return Infinity;
    }
    let others = 0;
    for (const child of accordion.children as HTMLCollectionOf<HTMLElement>) {
      if (child === this.node || child.offsetParent === null) {
        continue; // this section, or a collapsed one
      }
      others += child.classList.contains('jp-Logbook-section') ? parseFloat(getComputedStyle(child).minHeight) || 0 : child.offsetHeight;
    }
    return panel.getBoundingClientRect().bottom - accordion.getBoundingClientRect().top - others;
  }

  protected abstract render(): void;

  /** "Surprises · 3 unread" in the section's header; the header is redrawn only when it changes. */
  protected setCount(count: string): void {
    const label = count ? `${this.label} · ${count}` : this.label;
    if (this.title.label !== label) {
      this.title.label = label;
    }
  }
}
