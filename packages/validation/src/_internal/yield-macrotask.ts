/**
 * Resolves after pending I/O callbacks have run. A query handed to a network driver
 * goes out on the socket only once the event loop turns; yielding before a synchronous
 * SQLite read lets the remote engine work while SQLite blocks the thread.
 */
export function yieldMacrotask(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}
