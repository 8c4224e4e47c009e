/** Prints the demo as a short story: numbered phase headings and indented lines. */
export class Story {
  #phase = 0;
  readonly #write: (line: string) => void;
  readonly #started = Date.now();

  constructor(write: (line: string) => void = (line) => process.stdout.write(line + '\n')) {
    this.#write = write;
  }

  title(text: string): void {
    this.#write(text);
    this.#write('='.repeat(text.length));
  }

  phase(text: string): void {
    this.#phase++;
    const elapsed = ((Date.now() - this.#started) / 1000).toFixed(1).padStart(5);
    this.#write('');
    this.#write(`[${elapsed}s] ${this.#phase}. ${text}`);
  }

  line(text: string): void {
    for (const part of text.split('\n')) this.#write(`   ${part}`);
  }

  raw(text: string): void {
    this.#write(text);
  }
}

/** 12345 -> "12,345". */
export function fmt(n: number): string {
  return n.toLocaleString('en-US');
}

/** Hides the password of a connection string, so the demo never prints credentials. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url;
  }
}
