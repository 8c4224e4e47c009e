const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = -1;
let lastRandom: number[] = [];
/** The id made last but its final character: the time and the first 15 random digits. */
let lastHead = '';
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
    // Same (or an earlier, if the clock stepped back) millisecond: keep the order. Only a
    // carry out of the last digit changes the head.
    if (incrementRandom(lastRandom)) lastHead = headOf(encodeTime(lastTime), lastRandom);
  } else {
    lastTime = now;
    lastRandom = randomDigits(16);
    lastHead = headOf(encodeTime(now), lastRandom);
  }
  return lastHead + CROCKFORD[lastRandom[15]!];
}

function headOf(time: string, random: readonly number[]): string {
  let head = time;
  for (let i = 0; i < random.length - 1; i++) head += CROCKFORD[random[i]!];
  return head;
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

// Random bytes are drawn in bulk: one draw per new millisecond costs more than the rest of the id.
const pool = new Uint8Array(4096);
let poolAt = pool.length;

function randomDigits(count: number): number[] {
  if (poolAt + count > pool.length) {
    globalThis.crypto.getRandomValues(pool);
    poolAt = 0;
  }
  const digits = new Array<number>(count);
  for (let i = 0; i < count; i++) digits[i] = pool[poolAt++]! & 31;
  return digits;
}

/** Adds one to the random digits; true when a digit other than the last changed. */
function incrementRandom(digits: number[]): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]!++;
      return i < digits.length - 1;
    }
    digits[i] = 0;
  }
  return true;
}
