/** Work that waits for the browser's idle time (at most ``timeoutMs``), where the browser can say when that is. */
export function whenIdle(then: () => void, timeoutMs = 10_000): void {
  if ('requestIdleCallback' in window) {
    window.requestIdleCallback(then, { timeout: timeoutMs });
  } else {
    setTimeout(then, 2000);
  }
}
