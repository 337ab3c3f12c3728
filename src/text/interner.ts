/**
 * Words as numbers, for the scans that meet every word of every article (the summariser's tokens, the hashtags'
 * words). A word is given as code units and a hash its caller built while scanning them, and found by comparing
 * code units with a compact pool of the words met before: a word met again costs no string, no slice and no
 * string hashing. Keyed by fresh slices, Maps of words were a fifth of the summarise + format bench.
 */
/** Slots a new table starts with. */
const MIN_SLOTS = 1 << 12;

export class UnitInterner {
  /**
   * Each slot's hash and word number + 1 (0: empty), side by side so that a probe reads one cache line: with the
   * two in separate arrays, or the hash on an object, cache misses made a look-up cost more than a Map's.
   */
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  /** The words' code units end to end; each word's start there and its length, side by side. */
  private pool: Uint16Array<ArrayBuffer> = new Uint16Array(1 << 16);
  private pooled = 0;
  private spans: Int32Array<ArrayBuffer> = new Int32Array(1 << 13);
  /** Words numbered so far: 0 .. size - 1. */
  size = 0;

  /**
   * Up to `capacity` words; the table then starts again (see `full` and `clear`). The slots grow with the words
   * (at most 2 words to 5 slots: linear probes stay short, 1.02 per look-up on the news sample) rather than being
   * made for `capacity` at once: 2 MB of slots for 100,000 words, probed at random, missed the caches on most
   * look-ups, and that read was two thirds of the look-up's time for the news sample's 20,000 words.
   */
  constructor(readonly capacity: number) {
    this.slots = new Int32Array(2 * MIN_SLOTS);
    this.mask = MIN_SLOTS - 1;
  }

  get full(): boolean {
    return this.size >= this.capacity;
  }

  /** Forgets every word: numbers start again from 0. */
  clear(): void {
    this.slots.fill(0);
    this.size = 0;
    this.pooled = 0;
  }

  /** The number of units[start, start + length), whose hash is `hash`; a new word gets the next number, `size - 1`. */
  numberOf(units: Uint16Array, start: number, length: number, hash: number): number {
    const slots = this.slots;
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = slots[2 * slot + 1]!;
      if (entry === 0) {
        const word = this.add(units, start, length);
        slots[2 * slot] = hash;
        slots[2 * slot + 1] = word + 1;
        if (5 * this.size > 2 * (this.mask + 1)) this.grow();
        return word;
      }
      const word = entry - 1;
      if (slots[2 * slot] === hash && this.spans[2 * word + 1] === length && this.sameUnits(word, units, start, length)) return word;
    }
  }

  /** Twice the slots, every word put back at its hash. */
  private grow(): void {
    const old = this.slots;
    const count = 2 * (this.mask + 1);
    this.slots = new Int32Array(2 * count);
    this.mask = count - 1;
    for (let k = 0; k < old.length; k += 2) {
      if (old[k + 1] === 0) continue;
      let slot = old[k]! & this.mask;
      while (this.slots[2 * slot + 1] !== 0) slot = (slot + 1) & this.mask;
      this.slots[2 * slot] = old[k]!;
      this.slots[2 * slot + 1] = old[k + 1]!;
    }
  }

  private sameUnits(word: number, units: Uint16Array, start: number, length: number): boolean {
    const pool = this.pool;
    const at = this.spans[2 * word]!;
    for (let k = 0; k < length; k++) if (pool[at + k] !== units[start + k]) return false;
    return true;
  }

  private add(units: Uint16Array, start: number, length: number): number {
    const word = this.size++;
    if (2 * word === this.spans.length) this.spans = grown(this.spans, 2 * this.spans.length);
    if (this.pooled + length > this.pool.length) {
      const pool = new Uint16Array(Math.max(2 * this.pool.length, this.pooled + length));
      pool.set(this.pool.subarray(0, this.pooled));
      this.pool = pool;
    }
    this.pool.set(units.subarray(start, start + length), this.pooled);
    this.spans[2 * word] = this.pooled;
    this.spans[2 * word + 1] = length;
    this.pooled += length;
    return word;
  }
}

function grown(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(length);
  larger.set(array);
  return larger;
}
