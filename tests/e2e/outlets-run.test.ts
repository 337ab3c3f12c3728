/**
 * `nashra run` serves every outlet (issue 24 §4), each through its own bot: two outlets with two tokens on one fake
 * Bot API (tests/fake-telegram/server.ts FakeTelegramHub), read at the fake: which token sent what, to which chat.
 */
import { writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTelegramHub, type FakeTelegram } from '../fake-telegram/server.js';
import { callback, message, privateChat, waitFor } from '../fake-telegram/harness.js';
import { runCliInProcess } from '../helpers/cli.js';
import { spawnRun } from '../helpers/child-run.js';
import { freshDatabase, outletSql, type RawDatabase } from '../helpers/raw-db.js';
import { tempDir } from '../helpers/tmp.js';

const MAIN_TOKEN = '111111111:AAmainBotTokenForOutletTests_abcdefXYZ';
const SY24_TOKEN = '222222222:AAsy24BotTokenForOutletTests_abcdefXY';
const MAIN_EDITOR = 5001;
const SY24_EDITOR = 5002;
const MAIN_CHAT = '-1001111111111';
const SY24_CHAT = '-1002222222222';

const tmp = tempDir('nashra-outlets-run-');
const hub = new FakeTelegramHub();
let mainBot: FakeTelegram;
let sy24Bot: FakeTelegram;
beforeAll(async () => {
  mainBot = hub.add(
    MAIN_TOKEN,
    { id: 777000111, username: 'main_news_bot' },
    { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 },
  );
  sy24Bot = hub.add(
    SY24_TOKEN,
    { id: 777000222, username: 'sy24_news_bot' },
    { globalPerSecond: 1000, perChatPerSecond: 50, perGroupPerMinute: 1000 },
  );
  await hub.start();
});
afterAll(async () => {
  await hub.stop();
  tmp.cleanup();
});

let n = 0;
/** An article file (its title first) whose words name its outlet, so a post shows which newsroom it came from. */
function articleFile(outlet: string, i: number): string {
  const path = join(tmp.dir, `${outlet}-${++n}.txt`);
  writeFileSync(
    path,
    `خبر ${outlet} رقم ${i} عن الاقتصاد في دمشق\n\nأعلنت الحكومة في دمشق اليوم عن خطة جديدة رقم ${i} لدعم الاقتصاد المحلي في ${outlet}.\n\nوقال مسؤول إن الخطة ${i} تشمل مشاريع في عدة محافظات خلال العام المقبل.\n`,
  );
  return path;
}

/**
 * Two outlets on a new database of this pass (README, Outlets: on PostgreSQL sy24 is a schema of the same database):
 * main with one article, sy24 with three (its ids 2 and 3 are not main's); a chat each.
 */
async function twoOutlets(opts: { subscribeFirst: boolean }) {
  const db = await freshDatabase();
  const env = {
    ...db.env,
    TELEGRAM_API_ROOT: hub.apiRoot,
    TELEGRAM_BOT_TOKEN: MAIN_TOKEN,
    TELEGRAM_EDITOR_IDS: String(MAIN_EDITOR),
    SY24_TELEGRAM_BOT_TOKEN: SY24_TOKEN,
    SY24_TELEGRAM_EDITOR_IDS: String(SY24_EDITOR),
    LOG_LEVEL: 'debug',
    TELEGRAM_RATE_PER_SECOND: '1000',
    TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50',
    SY24_TELEGRAM_RATE_PER_SECOND: '1000',
    SY24_TELEGRAM_RATE_PER_CHAT_PER_SECOND: '50',
  };
  const cli = async (args: string[], extra: Record<string, string> = {}) => {
    const r = await runCliInProcess(args, { env: { ...env, ...extra } });
    return r;
  };
  const ok = async (args: string[]) => {
    const r = await cli(args);
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r;
  };
  await ok(['outlets', 'add', 'sy24', '--name', 'SY24']);
  const subscribe = async () => {
    await ok(['--outlet', 'main', 'subs', 'add', 'telegram', MAIN_CHAT]);
    await ok(['--outlet', 'sy24', 'subs', 'add', 'telegram', SY24_CHAT]);
  };
  if (opts.subscribeFirst) await subscribe();
  await ok(['--outlet', 'main', 'ingest', articleFile('main', 1)]);
  await ok(['--outlet', 'sy24', 'ingest', articleFile('sy24', 1), articleFile('sy24', 2), articleFile('sy24', 3)]);
  if (!opts.subscribeFirst) await subscribe();
  return { db, env, cli };
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const sends = (bot: FakeTelegram) => bot.sent().filter((c) => c.method === 'sendMessage' || c.method === 'sendPhoto');
/** A message's text without the direction isolates the formatter puts around Latin words and numbers. */
const textOf = (c: { params: Record<string, unknown> }) =>
  String(c.params.text ?? c.params.caption ?? '').replace(/[\u2066-\u2069]/g, '');
const rows = (db: RawDatabase, slug: string, sql: string) => outletSql(db, slug, sql);

// Each test runs a dozen commands and `nashra run` (on PostgreSQL a pool per outlet): past vitest's 30 s on a loaded
// 2-core machine.
describe('nashra run with two outlets, each with its own bot', { timeout: 120_000 }, () => {
  it("run --once sends each outlet's articles through its own bot to its own chats; --outlet serves that one only", async () => {
    const before = { main: sends(mainBot).length, sy24: sends(sy24Bot).length };
    const { cli } = await twoOutlets({ subscribeFirst: true });

    const one = await cli(['--outlet', 'sy24', 'run', '--once']);
    expect(one.code, one.stderr).toBe(0);
    expect(sends(mainBot).length - before.main, "main's bot sent nothing for --outlet sy24").toBe(0);
    const sy24Posts = sends(sy24Bot).slice(before.sy24);
    expect(sy24Posts.map((c) => String(c.params.chat_id))).toEqual([SY24_CHAT, SY24_CHAT, SY24_CHAT]);
    expect(sy24Posts.every((c) => textOf(c).includes('sy24') && !textOf(c).includes('main'))).toBe(true);

    const all = await cli(['run', '--once']);
    expect(all.code, all.stderr).toBe(0);
    const mainPosts = sends(mainBot).slice(before.main);
    expect(mainPosts.map((c) => String(c.params.chat_id))).toEqual([MAIN_CHAT]);
    expect(textOf(mainPosts[0]!)).toContain('خبر main رقم 1');
    expect(sends(sy24Bot).length - before.sy24, 'each article once: sy24 had sent its three').toBe(3);
    // Each outlet's summary line, the other outlet's named; neither token in any line (debug logs included).
    expect(all.stderr).toMatch(/queue drained.*outlet="sy24"/);
    for (const output of [one, all]) {
      expect(output.stderr + output.stdout).not.toContain(MAIN_TOKEN);
      expect(output.stderr + output.stdout).not.toContain(SY24_TOKEN);
      expect(output.stderr + output.stdout).not.toContain(SY24_TOKEN.split(':')[1]!);
    }
  });

  it('refuses to start when two outlets are configured with the same bot token, before anything is sent', async () => {
    const { cli } = await twoOutlets({ subscribeFirst: true });
    const before = mainBot.calls.length;
    const r = await cli(['run', '--once'], { SY24_TELEGRAM_BOT_TOKEN: MAIN_TOKEN });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'the outlets "main" and "sy24" are both configured with the same telegram account (token)',
    );
    expect(r.stderr).not.toContain(MAIN_TOKEN);
    expect(mainBot.calls.length, 'no call to the Bot API').toBe(before);
  });

  it('refuses to start when two outlets are configured with the same WhatsApp session folder (one Chromium each), naming both', async () => {
    const { cli } = await twoOutlets({ subscribeFirst: true });
    const session = join(tmp.dir, 'one-session');
    const r = await cli(['run', '--once'], {
      WHATSAPP_ENABLED: '1',
      WHATSAPP_SESSION_DIR: session,
      SY24_WHATSAPP_ENABLED: '1',
      SY24_WHATSAPP_SESSION_DIR: `${session}/`,
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'the outlets "main" and "sy24" are both configured with the same whatsapp account (session)',
    );
    // Each its own folder: no refusal for that (the run then goes on to start the platforms).
    const own = await cli(['run', '--once'], { SY24_TELEGRAM_BOT_TOKEN: MAIN_TOKEN.replace('111111111', '333333333') });
    expect(own.stderr).not.toContain('both configured with the same');
  });

  it("an editor of one outlet, through its bot, finds none of the other outlet's articles; a broadcast in each goes out through its own bot", async () => {
    const { db, env } = await twoOutlets({ subscribeFirst: false });
    const before = { main: sends(mainBot).length, sy24: sends(sy24Bot).length };
    const healthPort = await freePort();
    const run = spawnRun({ ...env, LOG_LEVEL: 'warn', NASHRA_HEALTH_PORT: String(healthPort) });
    try {
      await waitFor(
        () =>
          mainBot.calls.some((c) => c.method === 'getUpdates') && sy24Bot.calls.some((c) => c.method === 'getUpdates'),
        60_000,
        'both bots polling',
      );
      // One health endpoint for the process: every outlet's platforms, another outlet's named with it.
      let health: { ok: boolean; platforms: Record<string, boolean> } | undefined;
      await waitFor(
        async () => {
          health = await fetch(`http://127.0.0.1:${healthPort}/health`).then(
            (r) => r.json() as Promise<typeof health>,
            () => undefined,
          );
          return health?.ok === true;
        },
        60_000,
        'the health endpoint',
      );
      expect(health!.platforms).toEqual({ telegram: true, console: true, 'sy24:telegram': true, 'sy24:console': true });
      const repliesTo = (bot: FakeTelegram, chat: number) =>
        bot.sent('sendMessage').filter((c) => String(c.params.chat_id) === String(chat));
      const reply = async (bot: FakeTelegram, chat: number, from: number, text: string) => {
        const seen = repliesTo(bot, chat).length;
        bot.pushUpdate(message(privateChat(chat), from, text));
        await waitFor(() => repliesTo(bot, chat).length > seen, 10_000, `a reply to ${text}`);
        return repliesTo(bot, chat).slice(seen);
      };

      // sy24's articles 2 and 3 are not main's: main's editor, on main's bot, is told so (the article does not exist there).
      expect(textOf((await reply(mainBot, MAIN_EDITOR, MAIN_EDITOR, '/broadcast 3'))[0]!)).toBe('لم أجد الخبر 3.');
      expect(textOf((await reply(mainBot, MAIN_EDITOR, MAIN_EDITOR, '/retract 2'))[0]!)).toContain(
        'لا خبر محفوظ يطابق «2»',
      );
      // A button carrying sy24's article id, pressed on main's bot: nothing of sy24's is retracted.
      const answered = mainBot.calls.filter((c) => c.method === 'answerCallbackQuery').length;
      mainBot.pushUpdate(callback(MAIN_EDITOR, 'rt:ok:3'));
      await waitFor(
        () =>
          mainBot.calls.filter((c) => c.method === 'answerCallbackQuery').length > answered ||
          repliesTo(mainBot, MAIN_EDITOR).length > 2,
        10_000,
        'the button answered',
      );
      // sy24's editor is not main's: main's bot refuses them.
      expect(textOf((await reply(mainBot, SY24_EDITOR, SY24_EDITOR, '/broadcast 1'))[0]!)).toBe(
        'هذا الأمر للمحرّرين فقط.',
      );

      // A broadcast in each outlet, confirmed with its button, through its own bot.
      for (const [bot, editor] of [
        [mainBot, MAIN_EDITOR],
        [sy24Bot, SY24_EDITOR],
      ] as const) {
        const seen = repliesTo(bot, editor).length;
        bot.pushUpdate(message(privateChat(editor), editor, '/broadcast 1'));
        const buttons = (c: { params: Record<string, unknown> }) => {
          const markup =
            typeof c.params.reply_markup === 'string' ? JSON.parse(c.params.reply_markup) : c.params.reply_markup;
          return ((markup?.inline_keyboard ?? []) as { callback_data: string }[][]).flat();
        };
        const previewOf = () =>
          repliesTo(bot, editor)
            .slice(seen)
            .find((c) => buttons(c).some((b) => b.callback_data.startsWith('bc:send:')));
        await waitFor(() => previewOf() !== undefined, 10_000, 'the broadcast preview');
        const send = buttons(previewOf()!).find((b) => b.callback_data.startsWith('bc:send:'))!;
        bot.pushUpdate(callback(editor, send.callback_data, editor));
      }
      // This test's sends only (the tests before it sent to the same chats through the same bots).
      await waitFor(
        () =>
          sends(mainBot)
            .slice(before.main)
            .some((c) => String(c.params.chat_id) === MAIN_CHAT) &&
          sends(sy24Bot)
            .slice(before.sy24)
            .some((c) => String(c.params.chat_id) === SY24_CHAT),
        15_000,
        'both broadcasts sent',
      );
    } finally {
      await run.kill('SIGTERM');
    }
    const posts = (bot: FakeTelegram) =>
      sends(bot).filter((c) => [MAIN_CHAT, SY24_CHAT].includes(String(c.params.chat_id)));
    const mainPosts = posts(mainBot).filter((c) => sends(mainBot).indexOf(c) >= before.main);
    const sy24Posts = posts(sy24Bot).filter((c) => sends(sy24Bot).indexOf(c) >= before.sy24);
    expect(
      sends(mainBot)
        .slice(before.main)
        .filter((c) => !mainPosts.includes(c))
        .every((c) => [MAIN_EDITOR, SY24_EDITOR].includes(Number(c.params.chat_id))),
      "main's bot wrote only to its chat and the editors",
    ).toBe(true);
    expect(mainPosts.map((c) => [String(c.params.chat_id), textOf(c).includes('خبر main رقم 1')])).toEqual([
      [MAIN_CHAT, true],
    ]);
    expect(sy24Posts.map((c) => [String(c.params.chat_id), textOf(c).includes('خبر sy24 رقم 1')])).toEqual([
      [SY24_CHAT, true],
    ]);
    // sy24's rows read back: its three articles, none retracted; one broadcast, its own (article 1).
    expect(await rows(db, 'sy24', 'SELECT id, retracted_at FROM articles ORDER BY id')).toEqual(
      [1, 2, 3].map((id) => ({ id, retracted_at: null })),
    );
    expect(await rows(db, 'sy24', 'SELECT article_id FROM broadcasts')).toEqual([{ article_id: 1 }]);
    expect(await rows(db, 'main', 'SELECT article_id FROM broadcasts')).toEqual([{ article_id: 1 }]);
  });
});
