/** URL normalisation so that the same article reached through different links is stored once. */

/** Query parameters that only track the click and never select content. */
const TRACKING_PARAMETERS = new Set([
  'fbclid',
  'gclid',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'yclid',
  'igshid',
  'mc_cid',
  'mc_eid',
  'ref',
  'ref_src',
  'amp',
  '_ga',
]);

function isTrackingParameter(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMETERS.has(lower);
}

/**
 * Canonical form of a URL: tracking parameters and fragment removed, remaining parameters sorted,
 * host lower-cased and default port dropped (both done by the WHATWG URL parser), trailing slash removed
 * from the path except for the root. Throws TypeError for a string that is not an absolute URL.
 */
export function canonicalUrl(url: string): string {
  const parsed = new URL(url.trim());
  parsed.hash = '';
  const kept = [...parsed.searchParams].filter(([name]) => !isTrackingParameter(name));
  kept.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  parsed.search = new URLSearchParams(kept).toString();
  if (parsed.pathname.length > 1 && parsed.pathname.endsWith('/')) {
    parsed.pathname = parsed.pathname.replace(/\/+$/, '') || '/';
  }
  return parsed.href;
}
