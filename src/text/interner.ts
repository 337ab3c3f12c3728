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
   * One 32-bit word per slot: where the word's entry starts in the pool + 1 in the low `offsetBits` (0: empty) and
   * the rest of the bits a tag from its hash, so that a probe past another word reads nothing else. A word found
   * again thus costs two memory reads, its slot and its entry (its length and number beside its code units), where
   * a slot that held the word's number cost three: the slot, the word's span (start and length), then its units.
   * On the news sample those reads were the largest cost of both scans (the summariser's tokens, the hashtags'
   * words: about 19,000 words each, mostly missing the caches the first time an article meets them): the slot's
   * read was 11% of the summarise + format bench's profile, the span's 6%, the units' 7%.
   */
  private slots: Int32Array<ArrayBuffer>;
  private mask: number;
  private offsetBits: number;
  /** 2 ** offsetBits - 1: an entry's offset + 1 is `slot & offsetMask`. */
  private offsetMask: number;
  /** Each word's hash and its entry's start, to place it again when the slots grow. */
  private hashes: Int32Array<ArrayBuffer> = new Int32Array(1 << 12);
  private offsets: Int32Array<ArrayBuffer> = new Int32Array(1 << 12);
  /**
   * The words' entries end to end: each its length (low and high 16 bits), its number (likewise) and its code
   * units.
   */
  private pool: Uint16Array<ArrayBuffer> = new Uint16Array(1 << 16);
  private pooled = 0;
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
    this.offsetBits = bitsFor(this.pool.length);
    this.offsetMask = 2 ** this.offsetBits - 1;
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
    const bits = this.offsetBits;
    const tag = tagOf(hash, bits);
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const entry = slots[slot]!;
      if (entry === 0) {
        const word = this.add(units, start, length, hash);
        const at = this.offsets[word]!;
        // An entry past what the offset's bits hold widens them (the pool grew); else at most 2 words to 5 slots:
        // linear probes stay short (at 3 to 5, their runs made a pass a third slower).
        if (at + 1 > this.offsetMask) this.place(this.mask + 1, bitsFor(this.pool.length));
        else if (5 * this.size > 2 * (this.mask + 1)) this.place(2 * (this.mask + 1), bits);
        else slots[slot] = (tag << bits) | (at + 1);
        return word;
      }
      if (entry >>> bits !== tag) continue;
      const at = (entry & this.offsetMask) - 1;
      const pool = this.pool;
      if (pool[at] !== (length & 0xffff) || pool[at + 1] !== length >>> 16) continue;
      if (this.sameUnits(at + HEADER, units, start, length)) return pool[at + 2]! | (pool[at + 3]! << 16);
    }
  }

  /** `count` slots, with `bits` for the entries' offsets, every word put back at its hash. */
  private place(count: number, bits: number): void {
    this.slots = new Int32Array(count);
    this.mask = count - 1;
    this.offsetBits = bits;
    this.offsetMask = 2 ** bits - 1;
    for (let word = 0; word < this.size; word++) {
      const hash = this.hashes[word]!;
      let slot = hash & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = (tagOf(hash, bits) << bits) | (this.offsets[word]! + 1);
    }
  }

  private sameUnits(at: number, units: Uint16Array, start: number, length: number): boolean {
    const pool = this.pool;
    for (let k = 0; k < length; k++) if (pool[at + k] !== units[start + k]) return false;
    return true;
  }

  private add(units: Uint16Array, start: number, length: number, hash: number): number {
    const word = this.size++;
    if (word === this.hashes.length) {
      this.hashes = grown(this.hashes, 2 * this.hashes.length);
      this.offsets = grown(this.offsets, 2 * this.offsets.length);
    }
    const at = this.pooled;
    if (at + HEADER + length > this.pool.length) {
      const pool = new Uint16Array(Math.max(2 * this.pool.length, at + HEADER + length));
      pool.set(this.pool.subarray(0, at));
      this.pool = pool;
    }
    const pool = this.pool;
    pool[at] = length & 0xffff;
    pool[at + 1] = length >>> 16;
    pool[at + 2] = word & 0xffff;
    pool[at + 3] = word >>> 16;
    pool.set(units.subarray(start, start + length), at + HEADER);
    this.offsets[word] = at;
    this.hashes[word] = hash;
    this.pooled = at + HEADER + length;
    return word;
  }
}

/** Units before a word's own in its pool entry: its length and its number, 32 bits each. */
const HEADER = 4;

/** Bits that hold an offset + 1 into a pool of `length` units. */
function bitsFor(length: number): number {
  return 32 - Math.clz32(length + 1);
}

/**
 * The high bits of a mix of the hash: the slot is chosen by its low bits, so the tag tells apart words that share
 * them. 0 for offsets of 32 bits (never reached: a pool of 4 billion code units).
 */
function tagOf(hash: number, bits: number): number {
  return bits >= 32 ? 0 : Math.imul(hash, 0x9e3779b1) >>> bits;
}

function grown(array: Int32Array, length: number): Int32Array<ArrayBuffer> {
  const larger = new Int32Array(length);
  larger.set(array);
  return larger;
}
