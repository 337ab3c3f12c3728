/**
 * Several strict fake bots (tests/fake-telegram/server.ts FakeTelegramHub: one TELEGRAM_API_ROOT, one FakeTelegram
 * per token, each with its own limits and 429 count) in a process of their own, for the scale bench: the fake's work is about half
 * the CPU of a delivery (bench/fake-process.ts), and here it must not share a core's event loop with the bench's
 * polling. Every accepted send is counted as it comes, per token, article (by its link, preparedArticleOf) and chat,
 * and the call dropped, so memory stays flat over a million deliveries; the witness of duplicates and lost is this
 * count, not the database.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FakeTelegramHub, type FakeLimits } from '../tests/fake-telegram/server.js';
import { preparedArticleOf } from '../tests/helpers/child-run.js';

/** What each token's bot was sent: `chats` × `articles` expected (chat ids from `firstChat`). */
export interface Expected {
  chats: number;
  articles: number;
  firstChat: number;
}

export interface BotStats {
  token: number;
  sent: number;
  firstAt: number;
  lastAt: number;
  rateLimited429: number;
  /**
   * Accepted sends beyond the first of one article to one chat; deliveries the bot never accepted and the database
   * does not hold in doubt (final only); of those in doubt, the ones the bot had accepted.
   */
  duplicates: number;
  lost: number;
  inDoubtReceived: number;
}
export interface BotsStats {
  bots: BotStats[];
  sent: number;
  firstAt: number;
  lastAt: number;
  cpuMs: number;
}

/** A delivery the database holds in doubt: which bot (outlet), chat index (from `firstChat`) and article. */
export interface InDoubt {
  bot: number;
  chat: number;
  article: number;
}

type Request = { kind: 'stats' } | { kind: 'final'; inDoubt: InDoubt[] };

export interface FakeBotsProcess {
  apiRoot: string;
  pid: number;
  stats(): Promise<BotsStats>;
  /** The counts once every run stopped, lost and duplicates included. */
  final(inDoubt: InDoubt[]): Promise<BotsStats>;
  stop(): Promise<void>;
}

export async function startFakeBots(
  tokens: readonly string[],
  limits: FakeLimits,
  expected: Expected,
): Promise<FakeBotsProcess> {
  const child: ChildProcess = fork(fileURLToPath(import.meta.url), [JSON.stringify({ tokens, limits, expected })], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const apiRoot = await new Promise<string>((resolve, reject) => {
    child.once('message', (m) => resolve(String((m as { apiRoot: string }).apiRoot)));
    child.once('exit', (code) => reject(new Error(`fake bots process exited with ${code}`)));
  });
  const ask = (req: Request) =>
    new Promise<BotsStats>((resolve) => {
      child.once('message', (m) => resolve(m as BotsStats));
      child.send(req);
    });
  return {
    apiRoot,
    pid: child.pid!,
    stats: () => ask({ kind: 'stats' }),
    final: (inDoubt) => ask({ kind: 'final', inDoubt }),
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

async function serve(tokens: string[], limits: FakeLimits, expected: Expected): Promise<void> {
  const host = new FakeTelegramHub();
  const fakes = tokens.map((t, i) => host.add(t, { id: 777_100_000 + i, username: `nashra_scale_${i}_bot` }, limits));
  const apiRoot = await host.start();
  const stats: BotStats[] = tokens.map((_, token) => ({
    token,
    sent: 0,
    firstAt: 0,
    lastAt: 0,
    rateLimited429: 0,
    duplicates: 0,
    lost: 0,
    inDoubtReceived: 0,
  }));
  // Per bot, per article: how many times each chat was sent it.
  const received: Uint8Array[][] = tokens.map(() =>
    Array.from({ length: expected.articles }, () => new Uint8Array(expected.chats)),
  );
  const count = () => {
    fakes.forEach((fake, b) => {
      const s = stats[b]!;
      for (const c of fake.calls.splice(0)) {
        if (c.status !== 'ok' || (c.method !== 'sendMessage' && c.method !== 'sendPhoto')) continue;
        if (s.sent === 0) s.firstAt = c.at;
        s.lastAt = Math.max(s.lastAt, c.at);
        s.sent++;
        const n = preparedArticleOf(c.params);
        const i = Number(c.params.chat_id) - expected.firstChat;
        const row = n === undefined ? undefined : received[b]![n];
        if (!row || !(i >= 0 && i < expected.chats)) {
          s.duplicates++;
          continue;
        } // not one of the prepared: counted as extra
        if (row[i]! > 0) s.duplicates++;
        row[i] = Math.min(255, row[i]! + 1);
      }
      // Every sent message is remembered for edits and deletes: not wanted here, a million would not fit.
      (fake as unknown as { messages?: Map<string, unknown> }).messages?.clear();
      s.rateLimited429 = fake.rateLimited429;
    });
  };
  const summary = (inDoubt?: InDoubt[]): BotsStats => {
    count();
    if (inDoubt) {
      const doubted = new Set(inDoubt.map((d) => `${d.bot}:${d.article}:${d.chat}`));
      stats.forEach((s, b) => {
        s.lost = 0;
        received[b]!.forEach((row, n) => {
          row.forEach((got, i) => {
            if (got === 0 && !doubted.has(`${b}:${n}:${i}`)) s.lost++;
          });
        });
        s.inDoubtReceived = inDoubt.filter((d) => d.bot === b && (received[b]![d.article]?.[d.chat] ?? 0) > 0).length;
      });
    }
    const cpu = process.cpuUsage();
    const started = stats.filter((s) => s.sent > 0);
    return {
      bots: stats,
      sent: stats.reduce((a, s) => a + s.sent, 0),
      cpuMs: (cpu.user + cpu.system) / 1000,
      firstAt: started.length ? Math.min(...started.map((s) => s.firstAt)) : 0,
      lastAt: Math.max(0, ...stats.map((s) => s.lastAt)),
    };
  };
  const timer = setInterval(count, 100);
  process.on('message', (req: Request) => process.send!(summary(req.kind === 'final' ? req.inDoubt : undefined)));
  process.once('SIGTERM', () => {
    clearInterval(timer);
    void host.stop().then(() => process.exit(0));
  });
  process.send!({ apiRoot });
}

if (process.argv[1] === fileURLToPath(import.meta.url) && process.send) {
  const { tokens, limits, expected } = JSON.parse(process.argv[2]!) as {
    tokens: string[];
    limits: FakeLimits;
    expected: Expected;
  };
  void serve(tokens, limits, expected);
}
