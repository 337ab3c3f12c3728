/**
 * WebSub discovery (W3C WebSub §4): the response names the hub and the topic's canonical URL in HTTP `Link` headers
 * (rel=hub, rel=self), which come first; otherwise the feed does, as `<link rel="hub" href>` and
 * `<link rel="self" href>` (atom:link in RSS 2.0, link in Atom), or a JSON Feed as `hubs` and `feed_url`.
 */
import { randomBytes } from 'node:crypto';
import LinkHeader from 'http-link-header';

export interface DiscoveredHub {
  hub: string;
  self?: string;
}

const LINK = /<(?:atom:)?link\b([^>]*)>/gi;
const attribute = (attrs: string, name: string) =>
  new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, 'i').exec(attrs);

/** `linkHeader`: the response's `Link` header as received (several headers joined by commas). */
export function discoverHub(text: string, base: string, linkHeader?: string): DiscoveredHub | undefined {
  const head = text.slice(0, 64 * 1024); // the channel's links come before its items
  const headed = linksOf(linkHeader);
  let hub: string | undefined = headed.hub;
  let self: string | undefined = headed.hub ? headed.self : undefined;
  const trimmed = head.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const feed = JSON.parse(text) as { hubs?: Array<{ type?: string; url?: string }>; feed_url?: string };
      hub ??= feed.hubs?.find((h) => /websub|pubsubhubbub/i.test(h.type ?? ''))?.url;
      self ??= feed.feed_url;
    } catch {
      return undefined;
    }
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
    } catch {
      return undefined;
    }
  };
  const hubUrl = absolute(hub);
  return hubUrl ? { hub: hubUrl, self: absolute(self) } : undefined;
}

/** The first rel=hub and rel=self of a `Link` header; nothing from one that does not parse (RFC 8288). */
function linksOf(header: string | undefined): { hub?: string; self?: string } {
  if (!header) return {};
  try {
    const links = LinkHeader.parse(header);
    return { hub: links.rel('hub')[0]?.uri || undefined, self: links.rel('self')[0]?.uri || undefined };
  } catch {
    return {};
  }
}

const decodeEntities = (s: string) =>
  s
    .replace(/&amp;/g, '&')
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>');

/** hub.secret: 32 random bytes as hex (WebSub asks for under 200 bytes). */
export const newSubscriptionSecret = (): string => randomBytes(32).toString('hex');
