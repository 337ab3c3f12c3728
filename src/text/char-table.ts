/**
 * Character classes for the scans that run on every line of every post (tokens, phrases, marks, scripts):
 * one table look-up per UTF-16 code unit is several times faster than a Unicode regex over the text.
 */

/**
 * A table of one small number per BMP code unit, built on first use from `classify`. Surrogate halves get 0:
 * callers test a surrogate pair as a whole string (see `isSurrogatePairAt`).
 */
export function lazyCharTable(classify: (ch: string) => number): () => Uint8Array {
  let table: Uint8Array | undefined;
  return () => {
    if (table) return table;
    table = new Uint8Array(0x10000);
    for (let code = 0; code < 0x10000; code++) {
      if (code < 0xd800 || code > 0xdfff) table[code] = classify(String.fromCharCode(code));
    }
    return table;
  };
}

/** True when a high and a low surrogate start at `i`: one character outside the BMP. */
export function isSurrogatePairAt(text: string, i: number): boolean {
  const high = text.charCodeAt(i);
  const low = text.charCodeAt(i + 1);
  return high >= 0xd800 && high <= 0xdbff && low >= 0xdc00 && low <= 0xdfff;
}
