/** Which rows of a long list to draw: the ones in view plus a margin. */
export interface IRowRange {
  first: number;
  last: number;
}

export function visibleRows(
  scrollTop: number,
  viewportHeight: number,
  rowHeight: number,
  total: number,
  overscan = 10
): IRowRange {
  if (total <= 0 || rowHeight <= 0) {
    return { first: 0, last: -1 };
  }
  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(total - 1, Math.ceil((scrollTop + viewportHeight) / rowHeight) + overscan);
  return { first, last };
}

/** The pages of ``pageSize`` rows that hold rows ``first`` to ``last``. */
export function pagesFor(range: IRowRange, pageSize: number): number[] {
  if (range.last < range.first) {
    return [];
  }
  const pages: number[] = [];
  for (let page = Math.floor(range.first / pageSize); page <= Math.floor(range.last / pageSize); page++) {
    pages.push(page);
  }
  return pages;
}
