import type { CopyNotice } from '../copy-options';

/**
 * Says why the copy waits: once when the reason changes, then again every `everyMs`
 * while it lasts, so a copy that waits is never silent and never floods the log.
 */
export function createWaitReporter(
  notice: (n: CopyNotice) => void,
  everyMs = 10_000,
): (waits: { table: string; message: string }[]) => void {
  let last = '';
  let at = 0;
  return (waits) => {
    const key = waits.map((w) => `${w.table}:${w.message}`).join('\n');
    if (key === '') {
      last = '';
      return;
    }
    const now = Date.now();
    if (key === last && now - at < everyMs) return;
    last = key;
    at = now;
    for (const w of waits) notice({ kind: 'wait', table: w.table, message: w.message });
  };
}
