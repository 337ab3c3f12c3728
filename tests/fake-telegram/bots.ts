/**
 * Several fake bots behind one loopback server, as api.telegram.org serves every bot at one address: a request for
 * `/bot<token>/…` (or `/file/bot<token>/…`) is answered by the FakeTelegram of that token, with its own limits,
 * rolling windows, 429 count and record; any other token is 401, as for a single fake. Several outlets' `nashra run`
 * share one TELEGRAM_API_ROOT, so one fake per port cannot stand for their bots.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeTelegram } from './server.js';

/** What a hosted fake lends the host: its request handler, and the server its long polls watch (`listening`). */
interface Hosted { handle(req: IncomingMessage, res: ServerResponse): Promise<void>; server?: Server; apiRoot: string }

export class FakeBots {
  private readonly byToken = new Map<string, FakeTelegram>();
  private server?: Server;
  apiRoot = '';

  constructor(fakes: readonly FakeTelegram[]) {
    for (const f of fakes) {
      if (this.byToken.has(f.token)) throw new Error('two fake bots with one token');
      this.byToken.set(f.token, f);
    }
  }

  bot(token: string): FakeTelegram | undefined { return this.byToken.get(token); }
  get bots(): FakeTelegram[] { return [...this.byToken.values()]; }

  async start(): Promise<string> {
    const server = createServer((req, res) => {
      const token = /^(?:\/file)?\/bot([^/]+)\//.exec(req.url ?? '')?.[1];
      const fake = token === undefined ? undefined : this.byToken.get(token);
      if (fake) return void (fake as unknown as Hosted).handle(req, res);
      req.resume();
      const body = JSON.stringify(token === undefined ? { ok: false, error_code: 404, description: 'Not Found' } : { ok: false, error_code: 401, description: 'Unauthorized' });
      res.writeHead(token === undefined ? 404 : 401, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.server = server;
    this.apiRoot = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // Each fake's long polls end when the server stops listening; and a test may read `apiRoot` from any of them.
    for (const f of this.byToken.values()) Object.assign(f as unknown as Hosted, { server, apiRoot: this.apiRoot });
    return this.apiRoot;
  }

  /** Stops the shared server; every fake's waiting long poll is answered first. */
  async stop(): Promise<void> {
    await Promise.all(this.bots.map((f) => f.stop()));
  }
}
