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
  // Almost every code unit is no high surrogate: answer from it alone, without reading i + 1, which at the end of
  // the text is NaN (a double that slows the comparisons); this scan runs on every code unit of every post.
  if ((text.charCodeAt(i) & 0xfc00) !== 0xd800) return false;
  return (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
}
