import { createServer, type Server } from 'node:http';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PlatformAdapter } from '../delivery/platform.js';
import type { DataPorts } from '../ports/index.js';
import { collectStats } from '../newsroom/stats.js';
import { MAIN_OUTLET } from '../model/outlet.js';

/** What the health check reads of one outlet the run serves. */
export interface OutletHealth {
  slug: string;
  data: DataPorts;
  platforms: readonly PlatformAdapter[];
}

/**
 * GET /health on 127.0.0.1 only: 200 when every platform is connected, 503 otherwise, with the queue depth and the age
 * of the oldest waiting delivery, so systemd or an orchestrator can probe it. One server for every outlet the run
 * serves: the counts are their sum (the oldest, the oldest of all), another outlet's platforms are `<outlet>:<name>`.
 */
export function startHealthServer(port: number, outlets: readonly OutletHealth[], logger: Logger): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || !req.url?.startsWith('/health')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try GET /health\n');
      return;
    }
    Promise.all(outlets.map((o) => collectStats(o.data.repos))).then(
      (all) => {
        const connected = Object.fromEntries(
          outlets.flatMap((o) =>
            o.platforms.map((p) => [o.slug === MAIN_OUTLET ? p.name : `${o.slug}:${p.name}`, p.isConnected()]),
          ),
        );
        const ok = Object.values(connected).every(Boolean);
        const oldest = all.flatMap((s) => (s.oldestQueuedSeconds === null ? [] : [s.oldestQueuedSeconds]));
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            ok,
            platforms: connected,
            queueDepth: all.reduce((n, s) => n + s.queueDepth, 0),
            oldestQueuedSeconds: oldest.length === 0 ? null : Math.max(...oldest),
            inDoubt: all.reduce((n, s) => n + s.inDoubt.length, 0),
          }) + '\n',
        );
      },
      (err: unknown) => {
        // The database could not be read (locked past its timeout, a disk fault): not healthy, and said in the log.
        logger.error('health check could not read the database', { error: errorMessage(err) });
        res
          .writeHead(503, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: false, error: 'the database could not be read' }) + '\n');
      },
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      logger.info('health endpoint listening', { url: `http://127.0.0.1:${port}/health` });
      resolve(server);
    });
  });
}
