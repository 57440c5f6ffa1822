/** The sidebar's remembered layout (collapsed sections, their heights) and the handles' keyboard steps: pure functions. */

/** What is remembered: the collapsed sections, and each section's share of the height (0 to 1). */
export interface ISectionLayout {
  collapsed: string[];
  sizes: Record<string, number>;
}

export const LAYOUT_KEY = 'jupyterlab-logbook:sections';

/** How far one press of an arrow key moves a handle, and PageUp/PageDown. */
export const STEP_PX = 24;
export const PAGE_PX = 120;

/** The layout stored as ``raw`` (JSON), keeping only the sections in ``known``; anything unreadable is forgotten. */
export function parseLayout(raw: string | null, known: readonly string[]): ISectionLayout {
  const empty: ISectionLayout = { collapsed: [], sizes: {} };
  let stored: unknown;
  try {
    stored = JSON.parse(raw ?? 'null');
  } catch {
    return empty;
  }
  if (!stored || typeof stored !== 'object') {
    return empty;
  }
  const { collapsed, sizes } = stored as { collapsed?: unknown; sizes?: unknown };
  const names = Array.isArray(collapsed) ? collapsed.filter((n): n is string => known.includes(n)) : [];
  const shares: Record<string, number> = {};
  if (sizes && typeof sizes === 'object') {
    for (const [name, share] of Object.entries(sizes as Record<string, unknown>)) {
      if (known.includes(name) && typeof share === 'number' && Number.isFinite(share) && share >= 0 && share <= 1) {
        shares[name] = share;
      }
    }
  }
  return { collapsed: [...new Set(names)], sizes: shares };
}

/** The relative sizes to give the sections ``names``, in order; null unless every open one has a remembered share. */
export function sizesFor(layout: ISectionLayout, names: readonly string[]): number[] | null {
  const sizes = names.map(name => (layout.collapsed.includes(name) ? 0 : layout.sizes[name]));
  if (sizes.some(size => size === undefined) || !sizes.some(size => size! > 0)) {
    return null;
  }
  return sizes as number[];
}

/** The layout to store: ``collapsed`` flags and ``sizes`` in the order of ``names``. */
export function layoutOf(names: readonly string[], collapsed: readonly boolean[], sizes: readonly number[]): ISectionLayout {
  const shares: Record<string, number> = {};
  names.forEach((name, i) => {
    if (!collapsed[i] && Number.isFinite(sizes[i])) {
      shares[name] = Math.round(sizes[i] * 10000) / 10000;
    }
  });
  return { collapsed: names.filter((_, i) => collapsed[i]), sizes: shares };
}

/** Where a handle goes for ``key`` (null: a key it does not take), from its position ``at`` in px. */
export function handleTarget(key: string, at: number): number | null {
  const moves: Record<string, number> = { ArrowUp: -STEP_PX, ArrowDown: STEP_PX, PageUp: -PAGE_PX, PageDown: PAGE_PX };
  return key in moves ? at + moves[key] : null;
}

/**
 * The sections' shares once one is collapsed or expanded: the open ones by
 * their ``stretch``, the collapsed ones none; null when no open section
 * stretches (the accordion then sizes them itself).
 */
export function sharesFor(stretch: readonly number[], open: readonly boolean[]): number[] | null {
  const shares = stretch.map((s, i) => (open[i] ? Math.max(0, s) : 0));
  return shares.some(s => s > 0) ? shares : null;
}
