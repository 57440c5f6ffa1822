/**
 * The logbook's words for research modes and surprise filters, each spelled
 * once; ``logbook/words.py`` spells the same words and a test holds the two alike.
 */

import { IPrediction, ISurprise, SurpriseFilter } from './types';

/** A research mode: what the researcher says they are doing. */
export type ResearchMode = NonNullable<IPrediction['mode']>;

/** The research modes, in the order they are listed. */
export const RESEARCH_MODES: readonly ResearchMode[] = ['confirm', 'red-team', 'explore'];

/** What a record made before any research mode was chosen is listed under. */
export const NO_MODE = 'none';

/** Each inbox filter and the statuses it keeps (null keeps every one), in the order they are offered. */
export const FILTER_STATUSES: Readonly<Record<SurpriseFilter, readonly ISurprise['status'][] | null>> = {
  open: ['open'],
  resolved: ['explained', 'acted_on'],
  all: null
};

/** The inbox filters, in the order they are offered. */
export const SURPRISE_FILTERS = Object.keys(FILTER_STATUSES) as SurpriseFilter[];

/** The filter the inbox opens with. */
export const DEFAULT_SURPRISE_FILTER: SurpriseFilter = 'open';

/** Whether the research mode ``name`` is one of :data:`RESEARCH_MODES`. */
export function isResearchMode(name: string): name is ResearchMode {
  return (RESEARCH_MODES as readonly string[]).includes(name);
}

/** Whether a surprise belongs under the inbox ``filter``. */
export function matchesFilter(s: Pick<ISurprise, 'status'>, filter: SurpriseFilter): boolean {
  const statuses = FILTER_STATUSES[filter];
  return statuses === null || statuses.includes(s.status);
}
