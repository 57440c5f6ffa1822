/**
 * Brainstorm clock arithmetic. The end time lives on the server, so every tab
 * and every reload computes the same remaining time from the same record.
 */

export interface IBrainstormClock {
  started_at: string;
  planned_seconds: number;
  paused_at: string | null;
  paused_seconds: number;
  finished_at: string | null;
}

const ms = (iso: string): number => new Date(iso).getTime();

/** Seconds of brainstorming done so far, pauses excluded. */
export function elapsedSeconds(clock: IBrainstormClock, nowMs: number): number {
  const end = clock.finished_at ? ms(clock.finished_at) : clock.paused_at ? ms(clock.paused_at) : nowMs;
  return Math.max(0, (end - ms(clock.started_at)) / 1000 - clock.paused_seconds);
}

/** Seconds left on the clock; negative once time is up. */
export function remainingSeconds(clock: IBrainstormClock, nowMs: number): number {
  return clock.planned_seconds - elapsedSeconds(clock, nowMs);
}

export function isPaused(clock: IBrainstormClock): boolean {
  return clock.paused_at !== null && clock.finished_at === null;
}

export function isTimeUp(clock: IBrainstormClock, nowMs: number): boolean {
  return remainingSeconds(clock, nowMs) <= 0;
}

/** "4:05" for 245 seconds; whole seconds rounded up so the clock shows 0:00 only at the end. */
export function formatClock(seconds: number): string {
  const whole = Math.max(0, Math.ceil(seconds - 1e-9));
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return `${minutes}:${rest.toString().padStart(2, '0')}`;
}

/** The offset to add to the local clock to read the server's clock. */
export function clockOffset(serverIso: string, localMs: number): number {
  return ms(serverIso) - localMs;
}
