import type { CliStream } from '../command-types';

/** One table's progress, as `copyTables` reports it after each batch. */
export interface TableProgress {
  table: string;
  rowsCopied: number;
  totalRows: number;
  rowsPerSecond: number;
  etaMs: number | undefined;
}

const BAR_WIDTH = 24;

/** `1234567` -> `1,234,567`. */
export const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

function eta(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `ETA ${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `ETA ${s}s`;
}

/** One progress line: name, bar, percent, rows, speed, ETA. */
export function progressLine(p: TableProgress, nameWidth: number, done = false): string {
  const share = p.totalRows > 0 ? Math.min(1, p.rowsCopied / p.totalRows) : done ? 1 : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = '#'.repeat(filled) + '-'.repeat(BAR_WIDTH - filled);
  const percent = `${Math.floor(share * 100)}%`.padStart(4);
  const rows = `${fmt(p.rowsCopied)}/${fmt(Math.max(p.totalRows, p.rowsCopied))}`;
  const tail = done ? 'done' : eta(p.etaMs);
  return `${p.table.padEnd(nameWidth)} [${bar}] ${percent} ${rows} rows  ${fmt(p.rowsPerSecond)} rows/s  ${tail}`.trimEnd();
}

/**
 * Live progress of a copy. On a terminal: one bar per table, redrawn in place (at most
 * ten times a second). Elsewhere (CI logs, a pipe): plain lines, at most one per table
 * per second, so logs stay readable.
 */
export class ProgressView {
  readonly #out: CliStream;
  readonly #tty: boolean;
  readonly #tables = new Map<string, TableProgress>();
  readonly #done = new Set<string>();
  readonly #lastPlain = new Map<string, number>();
  #drawnLines = 0;
  #lastDraw = 0;
  #nameWidth = 8;

  constructor(out: CliStream, tty = Boolean(out.isTTY)) {
    this.#out = out;
    this.#tty = tty;
  }

  update(progress: TableProgress): void {
    this.#tables.set(progress.table, progress);
    this.#nameWidth = Math.max(this.#nameWidth, progress.table.length);
    const now = Date.now();
    if (this.#tty) {
      if (now - this.#lastDraw >= 100) this.#draw(now);
      return;
    }
    if (now - (this.#lastPlain.get(progress.table) ?? 0) >= 1000) {
      this.#lastPlain.set(progress.table, now);
      this.#out.write(progressLine(progress, this.#nameWidth) + '\n');
    }
  }

  /** Marks a table finished with its final count. */
  finish(table: string, rowsCopied: number, totalRows: number): void {
    const last = this.#tables.get(table);
    const final: TableProgress = { table, rowsCopied, totalRows, rowsPerSecond: last?.rowsPerSecond ?? 0, etaMs: 0 };
    this.#tables.set(table, final);
    this.#done.add(table);
    this.#nameWidth = Math.max(this.#nameWidth, table.length);
    if (this.#tty) this.#draw(Date.now());
    else this.#out.write(progressLine(final, this.#nameWidth, true) + '\n');
  }

  /** Draws the last state (on a terminal) so the final bars stay on screen. */
  close(): void {
    if (this.#tty && this.#tables.size > 0) this.#draw(Date.now());
  }

  #draw(now: number): void {
    this.#lastDraw = now;
    let text = this.#drawnLines > 0 ? `\x1b[${this.#drawnLines}A` : '';
    for (const p of this.#tables.values()) text += `\x1b[2K${progressLine(p, this.#nameWidth, this.#done.has(p.table))}\n`;
    this.#drawnLines = this.#tables.size;
    this.#out.write(text);
  }
}
