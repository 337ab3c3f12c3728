/**
 * A newsroom's site in a process of its own for bench/ingest-during.ts: `/feed-<k>.xml` is a fresh 5,000-item RSS
 * feed (about 7 MB), so serving it costs the measured process nothing, as a real site would not. Each feed is the
 * bytes of `rssFeed('f<k>', …)`, put together from one template made at start: building each anew (110 ms of a
 * core) took the CPU from the sending on this 2-core machine, which a site on its own server would not.
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { rssFeed } from './ingest.js';

/** Stands for the feed's prefix in the template: a character no feed contains. */
const PREFIX_MARK = '\u0000';

export async function startFeedSiteProcess(items: number): Promise<{ base: string; stop(): Promise<void> }> {
  const child = fork(fileURLToPath(import.meta.url), [String(items)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const base = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(String((m as { base: string }).base)));
    child.once('exit', (code) => reject(new Error(`feed site process exited with ${code}`)));
  });
  return {
    base,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const items = Number(process.argv[2]);
  let parts: Buffer[] = [];
  const server = createServer((req, res) => {
    const k = /^\/feed-(\d+)\.xml$/.exec(req.url ?? '')?.[1];
    if (k === undefined) return void res.writeHead(404).end();
    const prefix = Buffer.from(`f${k}`);
    const body = Buffer.concat(parts.flatMap((part, i) => (i === 0 ? [part] : [prefix, part])));
    res
      .writeHead(200, { 'content-type': 'application/rss+xml; charset=utf-8', 'content-length': body.length })
      .end(body);
  });
  server.listen(0, '127.0.0.1', () => {
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    parts = rssFeed(PREFIX_MARK, items, base)
      .split(PREFIX_MARK)
      .map((part) => Buffer.from(part));
    process.send!({ base });
  });
  process.once('SIGTERM', () => server.close(() => process.exit(0)));
}
