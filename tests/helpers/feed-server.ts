/**
 * A loopback HTTP server for ingest tests and the bench: real sockets on 127.0.0.1, fixture feeds and pages with
 * `{{BASE}}` replaced by the server's own origin, ETag / Last-Modified validators, optional gzip, latency,
 * redirects, and a record of every request's headers (to check conditional GETs).
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export interface Route {
  /** Body (strings are sent as UTF-8; Buffers as they are, for legacy encodings). `{{BASE}}` is replaced. */
  body?: string | Buffer;
  /** A fixture file under tests/fixtures (e.g. 'feeds/atom.xml'). */
  file?: string;
  status?: number;
  contentType?: string;
  etag?: string;
  lastModified?: string;
  gzip?: boolean;
  delayMs?: number;
  headers?: Record<string, string>;
  /** Full control (streams, endless bodies). */
  handler?: (req: IncomingMessage, res: ServerResponse) => void;
}

/** `at`: when it arrived (Date.now()). */
export interface RecordedRequest {
  path: string;
  headers: IncomingMessage['headers'];
  at: number;
}

export interface FeedServer {
  base: string;
  requests: RecordedRequest[];
  route(path: string, route: Route): void;
  /** Requests to `path` so far. */
  hits(path: string): RecordedRequest[];
  /** The most requests to `path` that were open at once (asked and not yet answered or abandoned). */
  mostAtOnce(path: string): number;
  close(): Promise<void>;
}

export async function startFeedServer(routes: Record<string, Route> = {}): Promise<FeedServer> {
  const table = new Map(Object.entries(routes));
  const requests: RecordedRequest[] = [];
  const open = new Map<string, number>();
  const most = new Map<string, number>();
  let base = '';
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push({ path, headers: req.headers, at: Date.now() });
    open.set(path, (open.get(path) ?? 0) + 1);
    most.set(path, Math.max(most.get(path) ?? 0, open.get(path)!));
    res.once('close', () => open.set(path, open.get(path)! - 1));
    const route = table.get(path) ?? table.get(path.split('?')[0]!);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    const send = () => serve(route, req, res, base);
    if (route.delayMs) setTimeout(send, route.delayMs);
    else send();
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    route: (path, route) => void table.set(path, route),
    hits: (path) => requests.filter((r) => r.path === path),
    mostAtOnce: (path) => most.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function serve(route: Route, req: IncomingMessage, res: ServerResponse, base: string): void {
  if (route.handler) {
    route.handler(req, res);
    return;
  }
  const headers: Record<string, string> = { ...route.headers };
  if (route.etag) headers.etag = route.etag;
  if (route.lastModified) headers['last-modified'] = route.lastModified;
  const fresh =
    (route.etag && req.headers['if-none-match'] === route.etag) ||
    (!route.etag && route.lastModified && req.headers['if-modified-since'] === route.lastModified);
  if (fresh) {
    res.writeHead(304, headers).end();
    return;
  }
  let body = withBase(route.file ? readFileSync(join(FIXTURES, route.file)) : Buffer.from(route.body ?? ''), base);
  if (route.gzip) {
    body = gzipSync(body);
    headers['content-encoding'] = 'gzip';
  }
  headers['content-type'] = route.contentType ?? guessType(route.file);
  headers['content-length'] = String(body.length);
  res.writeHead(route.status ?? 200, headers).end(body);
}

/** `{{BASE}}` is ASCII, so replacing it through latin1 keeps every other byte (windows-1256 included) intact. */
function withBase(body: Buffer, base: string): Buffer {
  return Buffer.from(body.toString('latin1').replaceAll('{{BASE}}', base), 'latin1');
}

function guessType(file: string | undefined): string {
  if (!file) return 'text/plain; charset=utf-8';
  if (file.endsWith('.json')) return 'application/json; charset=utf-8';
  if (file.endsWith('.html')) return 'text/html; charset=UTF-8';
  if (file.endsWith('.xml') && file.includes('atom')) return 'application/atom+xml; charset=utf-8';
  return 'application/rss+xml; charset=UTF-8';
}
