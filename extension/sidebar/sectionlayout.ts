/**
 * Room in the sidebar: which sections are collapsed and how tall each one
 * is, remembered in the browser across reloads; and the handles between
 * sections moved with the arrow keys as well as dragged. The sections stay
 * in JupyterLab's own accordion (Lumino's AccordionPanel, a SplitPanel).
 */

import { AccordionToolbar } from '@jupyterlab/ui-components';
import { AccordionPanel, SplitLayout, Title, Widget } from '@lumino/widgets';

import { handleTarget, LAYOUT_KEY, layoutOf, parseLayout, sharesFor, sizesFor } from './layoutformat';

/** Section titles that are buttons for assistive technology (Lumino's are headings with aria-expanded). */
export class SectionTitles extends AccordionToolbar.Renderer {
  createSectionTitle(data: Title<Widget>): HTMLElement {
    const node = super.createSectionTitle(data);
    node.setAttribute('role', 'button');
    return node;
  }
}

/**
 * Keep ``accordion``'s layout across reloads: restore what ``storage``
 * remembers for the sections ``names`` (in the accordion's order), then save
 * on every collapse, expand or handle move. A collapse or an expansion shares
 * the height again among the open sections by their ``stretch`` (so the room
 * a collapsed section leaves goes where it is used, not to the last section
 * open). Makes the handles keyboard controls (a focusable separator: the
 * arrows move it by ``STEP_PX``).
 *
 * JupyterLab keeps a sidebar's sections in its workspace too, and replays
 * them as it restores (``restored``); that save can be older than the
 * browser's, so the remembered layout is applied again once JupyterLab has
 * restored, and nothing is saved before then.
 */
export class RememberedLayout {
  /** Whether JupyterLab has restored its layout: changes from then on are the researcher's, and saved. */
  private restored = false;

  constructor(
    private readonly accordion: AccordionPanel,
    private readonly names: readonly string[],
    labels: readonly string[],
    private readonly stretch: readonly number[],
    restored: Promise<unknown> = Promise.resolve(),
    private readonly storage: Storage | null = safeStorage()
  ) {
    this.apply();
    accordion.expansionToggled.connect(() => this.restored && this.share());
    accordion.handleMoved.connect(() => this.restored && this.save());
    void restored.then(() => {
      this.apply();
      // Once the accordion has laid out what the two replays left (its own sizing runs on the next frame).
      requestAnimationFrame(() => {
        this.apply();
        this.restored = true;
        this.describeSizes();
      });
    });
    accordion.handles.forEach((handle, i) => {
      handle.tabIndex = 0;
      handle.setAttribute('role', 'separator');
      handle.setAttribute('aria-orientation', 'horizontal');
      handle.setAttribute('aria-label', `Resize ${labels[i]}: up and down arrows`);
      handle.setAttribute('aria-controls', accordion.widgets[i].id);
      handle.title = `Drag, or focus and press the up and down arrows, to resize ${labels[i]}`;
      handle.setAttribute('aria-valuemin', '0');
      handle.setAttribute('aria-valuemax', '100');
      handle.addEventListener('focus', () => this.describeSizes());
    });
    accordion.node.addEventListener('keydown', this.onKeyDown);
  }

  /** Collapse and size the sections as the browser remembers them (nothing, when it remembers nothing). */
  private apply(): void {
    const raw = this.read();
    if (raw === null) {
      return;
    }
    const layout = parseLayout(raw, this.names);
    this.names.forEach((name, i) => (layout.collapsed.includes(name) ? this.accordion.collapse(i) : this.accordion.expand(i)));
    const sizes = sizesFor(layout, this.names);
    if (sizes) {
      this.accordion.setRelativeSizes(sizes);
    }
  }

  /** Each handle's value: the share of the height (in %) of the section above it. */
  describeSizes(): void {
    const sizes = this.accordion.relativeSizes();
    this.accordion.handles.forEach((handle, i) => handle.setAttribute('aria-valuenow', String(Math.round((sizes[i] ?? 0) * 100))));
  }

  /** Share the height among the open sections by their stretch, and remember it. */
  share(): void {
    // After the accordion has laid out the change (its own sizing would otherwise undo the shares).
    requestAnimationFrame(() => {
      const shares = sharesFor(this.stretch, this.accordion.widgets.map(w => !w.isHidden));
      if (shares) {
        this.accordion.setRelativeSizes(shares);
      }
      requestAnimationFrame(() => this.save());
    });
  }

  /** Remember the layout as it is now. */
  save(): void {
    const collapsed = this.accordion.widgets.map(w => w.isHidden);
    const stored = layoutOf(this.names, collapsed, this.accordion.relativeSizes());
    this.describeSizes();
    try {
      this.storage?.setItem(LAYOUT_KEY, JSON.stringify(stored));
    } catch {
      // a browser without storage forgets the layout on reload
    }
  }

  private read(): string | null {
    try {
      return this.storage?.getItem(LAYOUT_KEY) ?? null;
    } catch {
      return null;
    }
  }

  private onKeyDown = (event: KeyboardEvent): void => {
    const index = this.accordion.handles.indexOf(event.target as HTMLDivElement);
    if (index < 0 || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const handle = this.accordion.handles[index];
    const target = handleTarget(event.key, handle.offsetTop);
    if (target === null) {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    (this.accordion.layout as SplitLayout).moveHandle(index, target);
    // The layout is redrawn on the next frame; remember it once it is.
    requestAnimationFrame(() => this.save());
  };
}

function safeStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
