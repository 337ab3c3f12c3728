/** Where the desk may send a browser back to: a path on the desk itself, never another site. */

const BASE = 'http://desk.invalid';
/** Characters a URL parser drops or turns into «/» (tab, newline, backslash): «/\t/evil.example» reads as «//evil.example». */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the controls a URL parser drops are what this refuses
const UNSAFE = /[\u0000-\u001f\u007f\\]/;

/**
 * `raw` as a same-origin path with its query (and fragment), or `/`. Refused: anything not starting with one «/»,
 * control characters and backslashes (raw or percent-encoded), a path that resolves to «//…», and encoded slashes
 * at the start that a decoding proxy would turn into «//». The answer is the parser's own serialisation (ASCII only),
 * so it is always a valid Location header.
 */
export function sameOriginPath(raw: unknown): string {
  if (typeof raw !== 'string' || raw.length > 2000 || !raw.startsWith('/') || UNSAFE.test(raw)) return '/';
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return '/';
  }
  if (url.origin !== BASE || url.username || url.password) return '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(url.pathname);
  } catch {
    return '/';
  }
  if (!/^\/(?![/\\])/.test(url.pathname) || !/^\/(?![/\\])/.test(decoded) || UNSAFE.test(decoded)) return '/';
  return `${url.pathname}${url.search}${url.hash}`;
}
