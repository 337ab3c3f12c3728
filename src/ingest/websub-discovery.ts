/**
 * WebSub discovery (W3C WebSub §4): a feed names its hub and its own canonical URL as `<link rel="hub" href>` and
 * `<link rel="self" href>` (atom:link in RSS 2.0, link in Atom), or a JSON Feed as `hubs` and `feed_url`.
 */
import { randomBytes } from 'node:crypto';

export interface DiscoveredHub { hub: string; self?: string }

const LINK = /<(?:atom:)?link\b([^>]*)>/gi;
const attribute = (attrs: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(attrs);

export function discoverHub(text: string, base: string): DiscoveredHub | undefined {
  const head = text.slice(0, 64 * 1024); // the channel's links come before its items
  let hub: string | undefined;
  let self: string | undefined;
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const feed = JSON.parse(text) as { hubs?: Array<{ type?: string; url?: string }>; feed_url?: string };
      hub = feed.hubs?.find((h) => /websub|pubsubhubbub/i.test(h.type ?? ''))?.url;
      self = feed.feed_url;
    } catch { return undefined; }
  } else {
    for (const m of head.matchAll(LINK)) {
      const attrs = m[1]!;
      const rel = attribute(attrs, 'rel');
      const href = attribute(attrs, 'href');
      if (!rel || !href) continue;
      const rels = (rel[1] ?? rel[2] ?? '').toLowerCase().split(/\s+/);
      const value = decodeEntities(href[1] ?? href[2] ?? '');
      if (rels.includes('hub')) hub ??= value;
      if (rels.includes('self')) self ??= value;
    }
  }
  const absolute = (u: string | undefined) => {
    if (!u) return undefined;
    try {
      const url = new URL(u, base);
      return /^https?:$/.test(url.protocol) ? url.toString() : undefined;
    } catch { return undefined; }
  };
  const hubUrl = absolute(hub);
  return hubUrl ? { hub: hubUrl, self: absolute(self) } : undefined;
}

const decodeEntities = (s: string) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;|&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');

/** hub.secret: 32 random bytes as hex (WebSub asks for under 200 bytes). */
export const newSubscriptionSecret = (): string => randomBytes(32).toString('hex');
