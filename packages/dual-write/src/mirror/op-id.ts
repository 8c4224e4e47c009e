const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: number[] = [];
let lastSequence = 0;

/**
 * A new operation id: 26 characters in the ULID layout (48-bit millisecond time, then
 * 80 random bits, Crockford base32). Ids made by one process sort in creation order even
 * within one millisecond (the random part is incremented), and ids from different
 * processes do not collide, so the secondary can recognise a redelivered operation.
 *
 * @example
 * ```ts
 * const id = createOpId(); // '01JD7Q3M5X9K2V8H4T6R0N1B3C'
 * ```
 */
export function createOpId(now: number = Date.now()): string {
  if (now <= lastTime) {
    // Same (or an earlier, if the clock stepped back) millisecond: keep the order.
    now = lastTime;
    incrementRandom(lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomDigits(16);
  }
  return encodeTime(now) + lastRandom.map((d) => CROCKFORD[d]).join('');
}

/**
 * A time-ordered sequence number: microseconds since the epoch, strictly increasing in
 * this process (stays below 2^53 until the year 2255). Queue messages carry one so the
 * consumer can tell an older write to a row from a newer one.
 *
 * @example
 * ```ts
 * const a = nextSequence(); const b = nextSequence(); // b > a
 * ```
 */
export function nextSequence(now: number = Date.now()): number {
  const candidate = now * 1000;
  lastSequence = candidate > lastSequence ? candidate : lastSequence + 1;
  return lastSequence;
}

/** The millisecond time encoded at the start of an operation id. */
export function opIdTime(opId: string): number {
  let time = 0;
  for (const char of opId.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}

function encodeTime(time: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32]! + out;
    time = Math.floor(time / 32);
  }
  return out;
}

function randomDigits(count: number): number[] {
  const bytes = new Uint8Array(count);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b & 31);
}

function incrementRandom(digits: number[]): void {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]!++;
      return;
    }
    digits[i] = 0;
  }
}
