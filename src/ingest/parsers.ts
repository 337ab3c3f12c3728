/**
 * The feed parser and the HTML reader, loaded on first use. Together they are about 330 files (feedsmith,
 * fast-xml-parser, linkedom, htmlparser2, @mozilla/readability, …) and 0.5–0.8 s of CPU at each start of node, which
 * `nashra run` needs only when it polls a source, a push arrives or an editor adds a source: a `nashra run --once`
 * with nothing due, the bots and the reliability tests' 30-odd short-lived runs never pay for them. This is the one
 * place that imports them; the modules that parse (feeds, html-text, reader, detect, the newsroom's OPML) await these
 * loaders, and their error classes and types stay importable without them.
 */

/** The module's promise, started on the first call and shared by every later one. */
function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => {
    loading ??= load();
    return loading;
  };
}

/** Feeds and OPML (feedsmith), and the XML check that refuses a broken feed before feedsmith half-reads it. */
export const feedLibraries = onFirstUse(async () => {
  const [{ parseFeed, parseOpml, generateOpml }, { XMLValidator }] = await Promise.all([
    import('feedsmith'),
    import('fast-xml-parser'),
  ]);
  return { parseFeed, parseOpml, generateOpml, XMLValidator };
});

/** A DOM for HTML (linkedom) and the article finder that reads a page through it (Readability). */
export const htmlLibraries = onFirstUse(async () => {
  const [{ parseHTML }, { Readability }] = await Promise.all([import('linkedom'), import('@mozilla/readability')]);
  return { parseHTML, Readability };
});
