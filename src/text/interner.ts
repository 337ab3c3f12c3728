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
   * One 32-bit word per slot: the word's number + 1 in the low `numberBits` (0: empty) and the rest of the bits a
   * tag from its hash, so that a probe past another word reads nothing else. Slots of 8 bytes (the hash and the
   * number side by side) at most 2 words to 5 slots made the tables of the two scans (the summariser's tokens, the
   * hashtags' words: about 19,000 words each on the news sample) 512 KB apiece, twice the L2 cache of a core of
   * the CI machine, and that read was the largest cost of both scans. At 4 bytes they are 256 KB: on the news
   * sample's words, in the order the articles give them (both scans, interleaved), 7.3 ms a pass instead of 7.9 (best
   * of 150 passes, in one process, on the shared 2-core machine).
   */
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  private numberBits: number;
  /** Each word's hash, to place it again when the slots grow. */
  private hashes: Int32Array<ArrayBuffer> = new Int32Array(1 << 12);
  /** The words' code units end to end; each word's start there and its length, side by side. */
  private pool: Uint16Array<ArrayBuffer> = new Uint16Array(1 << 16);
  private pooled = 0;
  private spans: Int32Array<ArrayBuffer> = new Int32Array(1 << 13);
  /** Words numbered so far: 0 .. size - 1. */
  size = 0;

  /**
   * Up to `capacity` words; the table then starts again (see `full` and `clear`). The slots grow with the words
   * rather than being made for `capacity` at once: slots for 100,000 words, probed at random, missed the caches on
   * most look-ups.
   */
  constructor(readonly capacity: number) {
    this.slots = new Int32Array(MIN_SLOTS);
    this.mask = MIN_SLOTS - 1;
    this.numberBits = Math.max(1, 32 - Math.clz32(capacity + 1));
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
    const bits = this.numberBits;
    const tag = tagOf(hash, bits);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = slots[slot]!;
      if (entry === 0) {
        const word = this.add(units, start, length, hash);
        slots[slot] = (tag << bits) | (word + 1);
        // At most 2 words to 5 slots: linear probes stay short (at 3 to 5, their runs made a pass a third slower than
        // with the 8-byte slots). Then a word with no room for its number + 1 widens the number.
        if (5 * this.size > 2 * (this.mask + 1)) this.place(2 * (this.mask + 1), bits);
        else if (word + 2 >= 1 << bits) this.place(this.mask + 1, bits + 1);
        return word;
      }
      if (entry >>> bits !== tag) continue;
      const word = (entry & ((1 << bits) - 1)) - 1;
      if (this.spans[2 * word + 1] === length && this.sameUnits(word, units, start, length)) return word;
    }
  }

  /** `count` slots, with `bits` for the number, every word put back at its hash. */
  private place(count: number, bits: number): void {
    this.slots = new Int32Array(count);
    this.mask = count - 1;
    this.numberBits = bits;
    for (let word = 0; word < this.size; word++) {
      const hash = this.hashes[word]!;
      let slot = hash & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = (tagOf(hash, bits) << bits) | (word + 1);
    }
  }

  private sameUnits(word: number, units: Uint16Array, start: number, length: number): boolean {
    const pool = this.pool;
    const at = this.spans[2 * word]!;
    for (let k = 0; k < length; k++) if (pool[at + k] !== units[start + k]) return false;
    return true;
  }

  private add(units: Uint16Array, start: number, length: number, hash: number): number {
    const word = this.size++;
    if (2 * word === this.spans.length) this.spans = grown(this.spans, 2 * this.spans.length);
    if (word === this.hashes.length) this.hashes = grown(this.hashes, 2 * this.hashes.length);
    if (this.pooled + length > this.pool.length) {
      const pool = new Uint16Array(Math.max(2 * this.pool.length, this.pooled + length));
      pool.set(this.pool.subarray(0, this.pooled));
      this.pool = pool;
    }
    this.pool.set(units.subarray(start, start + length), this.pooled);
    this.spans[2 * word] = this.pooled;
    this.spans[2 * word + 1] = length;
    this.hashes[word] = hash;
    this.pooled += length;
    return word;
  }
}

/**
 * The high bits of a mix of the hash: the slot is chosen by its low bits, so the tag tells apart words that share
 * them. 0 for a number of 32 bits (never reached: 4 billion words).
 */
function tagOf(hash: number, bits: number): number {
  return bits >= 32 ? 0 : Math.imul(hash, 0x9e3779b1) >>> bits;
}

function grown(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(length);
  larger.set(array);
  return larger;
}
