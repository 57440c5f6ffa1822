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
