/** The ids of the experiment tabs in the main area, which the layout keeps to open them again after a reload. */

const TAB_PREFIX = 'jp-logbook-experiment-';

/** The id of the main-area tab that shows experiment ``id``. */
export function experimentTab(id: number): string {
  return `${TAB_PREFIX}${id}`;
}

/** The experiment an :func:`experimentTab` tab shows, or null for any other tab. */
export function experimentOfTab(tabId: string): number | null {
  const id = tabId.startsWith(TAB_PREFIX) ? Number(tabId.slice(TAB_PREFIX.length)) : NaN;
  return Number.isInteger(id) && id > 0 ? id : null;
}

/**
 * Whether a tab kept with the layout for the logbook at ``keptFor`` opens again in the one at ``current``:
 * JupyterLab keeps one layout across projects, and experiment #3 of another logbook is not this one's #3.
 * A tab kept without its logbook (or a logbook not read yet, null) is not opened.
 */
export function opensHere(keptFor: unknown, current: string | null): boolean {
  return typeof keptFor === 'string' && current !== null && keptFor === current;
}
