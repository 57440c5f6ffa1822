/** Text formatting shared by the sidebar and the surprise card. */

export interface ISummary {
  type?: string;
  value?: unknown;
  shape?: number[];
  dtype?: string;
  mean?: number | string;
  repr?: string;
  len?: number;
}

export function formatBits(bits: number | null | undefined): string {
  return bits === null || bits === undefined ? 'flagged' : `${bits.toFixed(2)} bits`;
}

export function formatCredence(credence: number): string {
  return credence.toFixed(2);
}

function formatValue(value: unknown): string {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? String(value) : value.toPrecision(4).replace(/\.?0+$/, '');
  }
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 60 ? value.slice(0, 59) + '…' : value);
  }
  return String(value);
}

/** "loss = 0.42, pattern = float32 [1, 4, 12, 12]" from summaries recorded by the kernel. */
export function describeObserved(observed: Record<string, ISummary>): string {
  return Object.entries(observed)
    .map(([name, s]) => {
      if (s.value !== undefined) {
        return `${name} = ${formatValue(s.value)}`;
      }
      if (s.shape) {
        return `${name} = ${s.dtype ?? s.type ?? ''} [${s.shape.join(', ')}]`.replace('=  [', '= [');
      }
      return `${name} = ${s.repr ?? s.type ?? '?'}`;
    })
    .join(', ');
}

export function firstLine(source: string, width = 80): string {
  const line = source.split('\n').find(l => l.trim() !== '') ?? '';
  return line.length > width ? line.slice(0, width - 1) + '…' : line;
}

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function relativeTime(iso: string, nowMs: number): string {
  const seconds = Math.round((nowMs - new Date(iso).getTime()) / 1000);
  if (seconds < 60) {
    return `${Math.max(0, seconds)} s ago`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min ago`;
  }
  if (seconds < 86400) {
    return `${Math.floor(seconds / 3600)} h ago`;
  }
  return iso.slice(0, 10);
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  if (seconds < 3600) {
    return `${Math.floor(seconds / 60)} min`;
  }
  return `${(seconds / 3600).toFixed(1)} h`;
}
