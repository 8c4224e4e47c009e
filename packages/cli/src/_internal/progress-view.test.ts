import { describe, expect, it } from 'vitest';
import { ProgressView, progressLine } from './progress-view';

function stream(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, isTTY, write: (c: string) => (chunks.push(c), true), once: () => undefined };
}

describe('ProgressView', () => {
  it('draws one bar per table and redraws them in place on a terminal', () => {
    const out = stream(true);
    const view = new ProgressView(out);
    view.update({ table: 'users', rowsCopied: 50, totalRows: 100, rowsPerSecond: 1000, etaMs: 50 });
    view.finish('users', 100, 100);
    view.update({ table: 'orders', rowsCopied: 10, totalRows: 40, rowsPerSecond: 500, etaMs: 60_000 });
    view.close();
    const screen = out.chunks.join('');
    expect(screen).toContain('users    [############------------]  50%');
    expect(screen).toContain('\x1b[1A'); // back over the one bar drawn so far
    expect(screen).toMatch(/users +\[#{24}\] 100% 100\/100 rows .* done/);
    expect(screen).toMatch(/orders +\[#{6}-{18}\]  25% 10\/40 rows  500 rows\/s  ETA 1m00s/);
  });

  it('prints plain lines, without escape codes, elsewhere', () => {
    const out = stream(false);
    const view = new ProgressView(out);
    view.update({ table: 'users', rowsCopied: 1, totalRows: 2, rowsPerSecond: 1, etaMs: 1000 });
    view.update({ table: 'users', rowsCopied: 2, totalRows: 2, rowsPerSecond: 1, etaMs: 0 });
    view.finish('users', 2, 2);
    expect(out.chunks).toHaveLength(2); // the second update came within the same second
    expect(out.chunks.join('')).not.toContain('\x1b[');
  });

  it('shows 100% for an empty table once it is done', () => {
    expect(progressLine({ table: 't', rowsCopied: 0, totalRows: 0, rowsPerSecond: 0, etaMs: undefined }, 4, true)).toContain('100%');
  });
});
