/** The dashboard's reply and the pure decisions about it: what to draw again, how wide, in which group. */

/** The groups the dashboard's charts come in, in the order it shows them. */
export type DashboardGroup = 'team' | 'beliefs' | 'sets' | 'calibration' | 'surprises' | 'modes' | 'coverage';

export const GROUPS: ReadonlyArray<[DashboardGroup, string]> = [
  ['team', 'Team'],
  ['beliefs', 'Beliefs'],
  ['sets', 'Competing sets'],
  ['calibration', 'Calibration'],
  ['surprises', 'Surprises'],
  ['modes', 'Modes'],
  ['coverage', 'Coverage']
];

/** One chart of ``GET dashboard`` (``logbook.dashboard.DashboardChart``). */
export interface IDashboardChart {
  id: string;
  group: DashboardGroup;
  title: string;
  /** A digest of the spec: the same key, the same chart. */
  key: string;
  /** Vega-Lite; null when the request named this key as one the page has drawn. */
  spec: Record<string, unknown> | null;
  note: string;
  warning: string | null;
  details: string[];
}

export interface IDashboard {
  charts: IDashboardChart[];
  counts: Record<string, number>;
  /** Whose logbook the charts are of: null for yours, else a teammate's name. */
  author: string | null;
  /** In a team project, every author (yours first); [] outside one. */
  authors: string[];
}

/**
 * The request for the dashboard of ``author`` ('' for yours), naming the keys already drawn so their specs
 * are not sent again.
 */
export function dashboardPath(drawn: ReadonlyMap<string, string>, author = ''): string {
  const keys = [...new Set(drawn.values())];
  const query = [...(author ? [`author=${encodeURIComponent(author)}`] : []), ...(keys.length ? [`have=${keys.join(',')}`] : [])];
  return query.length ? `dashboard?${query.join('&')}` : 'dashboard';
}

export interface IDrawPlan {
  /** Charts to draw: new, or whose key changed. */
  draw: IDashboardChart[];
  /** Ids of charts drawn before that are gone from the reply. */
  remove: string[];
}

/** Which charts of ``reply`` need drawing, given the key drawn for each chart id. */
export function planDraw(drawn: ReadonlyMap<string, string>, reply: IDashboard): IDrawPlan {
  const ids = new Set(reply.charts.map(c => c.id));
  return {
    draw: reply.charts.filter(c => drawn.get(c.id) !== c.key && c.spec !== null),
    remove: [...drawn.keys()].filter(id => !ids.has(id))
  };
}

/** Room a chart needs beside its plot: axis labels and a legend (and the spec's own right padding). */
const RESERVED = 210;

/**
 * ``spec`` as wide as its card: a fixed width becomes the card's width less room for axes and legend,
 * no narrower than 180 px; widths by step (a grid of heads) stay as the report has them.
 */
export function sized(spec: Record<string, unknown>, cardWidth: number): Record<string, unknown> {
  if (typeof spec.width !== 'number') {
    return spec;
  }
  const padding = spec.padding as { right?: number } | undefined;
  const width = Math.max(180, Math.floor(cardWidth - RESERVED - (padding?.right ?? 0)));
  return { ...spec, width };
}

const NOUNS: ReadonlyArray<[string, string]> = [
  ['hypotheses', 'hypothesis'],
  ['experiments', 'experiment'],
  ['surprises', 'surprise']
];

/** "1,000 hypotheses · 100,000 experiments · 1 surprise" */
export function countsLine(counts: Record<string, number>): string {
  return NOUNS.filter(([many]) => many in counts)
    .map(([many, one]) => `${counts[many].toLocaleString('en-US')} ${counts[many] === 1 ? one : many}`)
    .join(' · ');
}
