// Interim HTTP client: the ingest work replaces this with the full one (conditional GET, size limit, charsets,
// private-network guard). Keep the exported signature.
export interface FetchOptions { timeoutMs: number; maxBytes: number; userAgent: string; allowPrivate: boolean; etag?: string; lastModified?: string }
export interface FetchedText { url: string; status: number; contentType: string; text: string; etag?: string; lastModified?: string; notModified: boolean }

export async function fetchText(url: string, options: FetchOptions): Promise<FetchedText> {
  const res = await fetch(url, { headers: { 'user-agent': options.userAgent }, signal: AbortSignal.timeout(options.timeoutMs) });
  return {
    url: res.url || url, status: res.status, contentType: res.headers.get('content-type') ?? '', text: await res.text(),
    etag: res.headers.get('etag') ?? undefined, lastModified: res.headers.get('last-modified') ?? undefined,
    notModified: res.status === 304,
  };
}
