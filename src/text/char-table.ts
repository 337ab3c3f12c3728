/**
 * Character classes for the scans that run on every line of every post (tokens, phrases, marks, scripts):
 * one table look-up per UTF-16 code unit is several times faster than a Unicode regex over the text.
 */

/**
 * A table of one small number per BMP code unit, built on first use from `classify`. Surrogate halves get
 * `surrogateHalf` (0 unless given): callers test a surrogate pair as a whole string (see `isSurrogatePairAt`), and a
 * scan that gives them a class of their own finds them without a second test on every code unit.
 */
export function lazyCharTable(classify: (ch: string) => number, surrogateHalf = 0): () => Uint8Array {
  let table: Uint8Array | undefined;
  return () => {
    if (table) return table;
    table = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code++) {
      table[code] = code < 0xd800 || code > 0xdfff ? classify(String.fromCharCode(code)) : surrogateHalf;
    }
    return table;
  };
}

/** True when a high and a low surrogate start at `i`: one character outside the BMP. */
export function isSurrogatePairAt(text: string, i: number): boolean {
  // Almost every code unit is no high surrogate: answer from it alone, without reading i + 1, which at the end of
  // the text is NaN (a double that slows the comparisons). It runs on every code unit of every post.
  if ((text.charCodeAt(i) & 0xfc00) !== 0xd800) return false;
  return (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
}

/**
 * Buffers read and write UTF-16 as little-endian, typed arrays in the machine's order: the same on every platform
 * Node ships for but s390x, where the copies below go unit by unit instead.
 */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * A reused array of UTF-16 code units over a Buffer's memory: a string is copied in, or read back out, in one native
 * call, with no argument list however long and nothing allocated but the string read.
 */
export class UnitBuffer {
  private bytes: Buffer;
  units: Uint16Array;

  constructor(length: number) {
    this.bytes = Buffer.alloc(2 * length);
    this.units = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, length);
  }

  /** The units, at least `length` of them (the contents are lost when it grows). */
  reserve(length: number): Uint16Array {
    if (length > this.units.length) {
      this.bytes = Buffer.alloc(2 * Math.max(length, 2 * this.units.length));
      this.units = new Uint16Array(this.bytes.buffer, this.bytes.byteOffset, this.bytes.length >> 1);
    }
    return this.units;
  }

  /** The text's code units, from index 0. */
  write(text: string): Uint16Array {
    const units = this.reserve(text.length);
    if (LITTLE_ENDIAN) this.bytes.write(text, 0, 'utf16le');
    else for (let i = 0; i < text.length; i++) units[i] = text.charCodeAt(i);
    return units;
  }

  /** The first `length` units as a string. */
  read(length: number): string {
    if (LITTLE_ENDIAN) return this.bytes.toString('utf16le', 0, 2 * length);
    let text = '';
    for (let k = 0; k < length; k += 4096)
      text += String.fromCharCode(...this.units.subarray(k, Math.min(length, k + 4096)));
    return text;
  }
}

const scanned = new UnitBuffer(1 << 12);

/**
 * The text's UTF-16 code units, copied by one native write into a reused array: the scans that read every unit of
 * every article (the summariser's tokens, the hashtag phrases) read them there without charCodeAt's checks of the
 * string's shape, a fifth fewer instructions. Valid until the next call.
 */
export function codeUnitsOf(text: string): Uint16Array {
  return scanned.write(text);
}
