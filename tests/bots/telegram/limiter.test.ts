/**
 * Telegram's sending limits as rolling windows: the fake Bot API enforces them strictly (429 with retry_after), and
 * Nashra's limiter stays under them with no 429; paid broadcasts carry allow_paid_broadcast and go at the paid
 * ceiling; the preview states their cost.
 */
import { Api } from 'grammy';
import { afterEach, describe, expect, it } from 'vitest';
import type { TelegramSettings } from '../../../bots/telegram/config.js';
import { createTelegramTransport, installLimits } from '../../../bots/telegram/transport.js';
import { BUILT_IN_PLATFORMS, loadAppConfig, newsroomDeps } from '../../../src/app/platforms.js';
import { DeliveryWorker } from '../../../src/delivery/worker.js';
import { createLogger } from '../../../src/logger.js';
import { CLI_OPERATOR, confirmBroadcast, previewBroadcast, setBroadcastPaid } from '../../../src/newsroom/index.js';
import { storeArticleIn } from '../../helpers/articles.js';
import type { DataPorts } from '../../../src/ports/index.js';
import { freshDatabase } from '../../helpers/raw-db.js';
import { FakeTelegram } from '../../fake-telegram/server.js';

const TOKEN = '123456789:AAHlimitsTokenForNashraTests_abcdefXYZ';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function fakeOn(limits = { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 }) {
  const fake = new FakeTelegram(TOKEN, limits);
  const root = await fake.start();
  cleanups.push(() => fake.stop());
  const send = (chatId: string | number, extra: Record<string, unknown> = {}) =>
    fetch(`${root}/bot${TOKEN}/sendMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ chat_id: chatId, text: 'x', ...extra }),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as { parameters?: { retry_after?: number } } }));
  return { fake, root, send };
}

describe('the strict fake Bot API', () => {
  it('refuses the 31st message in any rolling second, a 2nd to one chat within a second and a 21st to a group within a minute', async () => {
    const { fake, send } = await fakeOn();
    const first = await Promise.all(Array.from({ length: 30 }, (_, i) => send(1000 + i)));
    expect(first.every((r) => r.status === 200)).toBe(true);
    const over = await send(2000);
    expect(over.status).toBe(429);
    expect(over.body.parameters?.retry_after).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await send(1000)).status).toBe(200);
    expect((await send(1000)).status).toBe(429); // the same chat within its second
    fake.setLimits({ globalPerSecond: 1000, perChatPerSecond: 1000, perGroupPerMinute: 20 });
    const group = await Promise.all(Array.from({ length: 21 }, () => send(-100200)));
    expect(group.filter((r) => r.status === 200)).toHaveLength(20);
    expect(group.filter((r) => r.status === 429)).toHaveLength(1);
  });

  it('lets sends with allow_paid_broadcast go at up to 1,000 in a rolling second, free sends still at 30', async () => {
    const { fake, send } = await fakeOn();
    const paid = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send(3000 + i, { allow_paid_broadcast: true })),
    );
    expect(paid.every((r) => r.status === 200)).toBe(true);
    expect(fake.paidSent).toBeGreaterThan(150);
    expect((await send(4000)).status).toBe(429);
  });
});

interface Rig {
  data: DataPorts;
  fake: FakeTelegram;
  worker: DeliveryWorker;
  config: ReturnType<typeof loadAppConfig>;
}

async function rig(
  env: Record<string, string>,
  limits: { globalPerSecond: number; perChatPerSecond: number; perGroupPerMinute: number },
): Promise<Rig> {
  const { fake, root } = await fakeOn(limits);
  const db = await freshDatabase();
  const config = loadAppConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: root, ...db.env, ...env });
  const data = db.ports;
  const logger = createLogger({ level: 'error', write: () => {} });
  const telegram = config.platforms.telegram as TelegramSettings;
  const api = new Api(TOKEN, { apiRoot: root });
  installLimits(api, telegram.rate, telegram.paidBroadcast?.ratePerSecond);
  const worker = new DeliveryWorker(
    data,
    [createTelegramTransport({ api, config: { ...config, telegram }, logger })],
    logger,
    { pollMs: 20 },
  );
  return { data, fake, worker, config };
}

async function articles(store: DataPorts, n: number) {
  return Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const r = await storeArticleIn(store, {
        url: `https://example.com/limits-${i}`,
        title: `خبر ${i}`,
        source: 'SY24',
        language: 'ar',
        categories: [],
        paragraphs: [
          `أعلنت الحكومة اليوم عن خطة جديدة رقم ${i} لدعم الاقتصاد المحلي في عدة محافظات.`,
          'وقال مسؤول إن الخطة تبدأ الشهر المقبل.',
        ],
      });
      if (r.status !== 'new') throw new Error('duplicate');
      return r.article;
    }),
  );
}

describe('sending under the strict limits', () => {
  it('two new items to 45 private chats at 30/s: every message once, no 429', async () => {
    const r = await rig({}, { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 });
    for (let i = 0; i < 45; i++)
      await r.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(5000 + i), kind: 'private' },
        Date.now(),
      );
    const deps = newsroomDeps(BUILT_IN_PLATFORMS, r.config, r.data, createLogger({ level: 'silent' }), () => {});
    for (const a of await articles(r.data, 2)) {
      const p = await previewBroadcast(deps, CLI_OPERATOR, String(a.id), { audience: { kind: 'all' } });
      await confirmBroadcast(deps, CLI_OPERATOR, p.broadcast.id, p.broadcast.token);
    }
    const result = await r.worker.drain(60_000);
    expect(result.sent).toBe(90);
    expect(r.fake.rateLimited429).toBe(0);
    expect(r.fake.sent('sendMessage')).toHaveLength(90);
  }, 60_000);

  it('a paid broadcast: the preview states the cost in Stars, its messages carry allow_paid_broadcast and pass the free rate; others do not', async () => {
    const r = await rig(
      { TELEGRAM_PAID_BROADCAST_RATE: '1000', TELEGRAM_RATE_PER_CHAT_PER_SECOND: '1' },
      { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 },
    );
    for (let i = 0; i < 300; i++)
      await r.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(6000 + i), kind: 'private' },
        Date.now(),
      );
    const deps = newsroomDeps(BUILT_IN_PLATFORMS, r.config, r.data, createLogger({ level: 'silent' }), () => {});
    const [paidArticle, freeArticle] = await articles(r.data, 2);
    const preview = await previewBroadcast(deps, CLI_OPERATOR, String(paidArticle!.id), { audience: { kind: 'all' } });
    expect(preview.broadcast.paid).toBe(false);
    expect(preview.paidEstimates).toEqual([
      { platform: 'telegram', messages: 300, pricePerMessage: 0.1, unit: 'Stars', cost: 30, ratePerSecond: 1000 },
    ]);
    const paid = (await setBroadcastPaid(deps, CLI_OPERATOR, preview.broadcast.id, preview.broadcast.token, true))!;
    expect(paid.broadcast.paid).toBe(true);
    await confirmBroadcast(deps, CLI_OPERATOR, preview.broadcast.id, preview.broadcast.token);
    expect(
      await setBroadcastPaid(deps, CLI_OPERATOR, preview.broadcast.id, preview.broadcast.token, false),
    ).toBeUndefined(); // decided: too late
    expect((await r.worker.drain(60_000)).sent).toBe(300);
    // Messages the fake let through only because they were paid (above the free 30 in their rolling second).
    expect(r.fake.paidSent).toBeGreaterThan(0);
    expect(r.fake.sent('sendMessage').every((c) => c.params.allow_paid_broadcast === true)).toBe(true);
    expect(r.fake.rateLimited429).toBe(0);

    const before = r.fake.sent('sendMessage').length;
    const free = await previewBroadcast(deps, CLI_OPERATOR, String(freeArticle!.id), { audience: { kind: 'all' } });
    await confirmBroadcast(deps, CLI_OPERATOR, free.broadcast.id, free.broadcast.token);
    await r.worker.drain(1500); // the first second's worth is enough to look at
    const freeCalls = r.fake.sent('sendMessage').slice(before);
    expect(freeCalls.length).toBeGreaterThan(0);
    expect(freeCalls.every((c) => c.params.allow_paid_broadcast === undefined)).toBe(true);
  }, 180_000); // 300 chats subscribed and sent to: a round trip per statement on PostgreSQL (over 60 s under load)

  it('refuses --paid when no platform has a paid rate, and a paid rate not above the free one', async () => {
    const r = await rig({}, { globalPerSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 });
    const deps = newsroomDeps(BUILT_IN_PLATFORMS, r.config, r.data, createLogger({ level: 'silent' }), () => {});
    const [a] = await articles(r.data, 1);
    await expect(previewBroadcast(deps, CLI_OPERATOR, String(a!.id), { paid: true })).rejects.toThrow(
      /paid broadcasts are off/,
    );
    expect(() => loadAppConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_PAID_BROADCAST_RATE: '30' })).toThrow(
      /TELEGRAM_PAID_BROADCAST_RATE/,
    );
    expect(() => loadAppConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_PAID_BROADCAST_RATE: '2000' })).toThrow(
      /TELEGRAM_PAID_BROADCAST_RATE/,
    );
  });
});

describe('the desk', () => {
  it('offers the paid checkbox when paid broadcasts are on, and the broadcast page states the most it costs', async () => {
    const { buildDesk, deskFixture, EDITOR, PASSWORD } = await import('../../helpers/desk.js');
    const f = await deskFixture({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_PAID_BROADCAST_RATE: '1000' });
    const app = await buildDesk(f.deps);
    cleanups.push(async () => {
      await app.close();
      f.cleanup();
    });
    for (let i = 0; i < 12; i++)
      await f.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(7000 + i), kind: 'private' },
        Date.now(),
      );
    const cookies = new Map<string, string>();
    const keep = (res: { headers: Record<string, unknown> }) => {
      const set = res.headers['set-cookie'];
      for (const c of (Array.isArray(set) ? set : set ? [set] : []) as string[]) {
        const [k, ...v] = c.split(';')[0]!.split('=');
        cookies.set(k!, v.join('='));
      }
    };
    const cookie = () => [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const get = async (url: string) => {
      const r = await app.inject({ method: 'GET', url, headers: { cookie: cookie() } });
      keep(r);
      return r;
    };
    const post = async (url: string, form: Record<string, string>) => {
      const r = await app.inject({
        method: 'POST',
        url,
        payload: new URLSearchParams(form).toString(),
        headers: { cookie: cookie(), 'content-type': 'application/x-www-form-urlencoded' },
      });
      keep(r);
      return r;
    };
    const csrf = (body: string) => /name="_csrf" value="([^"]+)"/.exec(body)?.[1] ?? '';
    await post('/login', { _csrf: csrf((await get('/login')).body), username: EDITOR, password: PASSWORD });
    const page = await get(`/articles/${f.article.id}`);
    expect(page.body).toContain('name="paid"');
    const sent = await post(`/articles/${f.article.id}/broadcast`, {
      _csrf: csrf(page.body),
      audience: 'all',
      paid: '1',
    });
    expect(sent.statusCode).toBe(303);
    const preview = await get(String(sent.headers.location));
    expect(preview.body).toMatch(/id="paid-cost"[^>]*>[^<]*1\.2 Stars \(12 × 0\.1\)/);
    expect((await f.data.repos.broadcasts.get(Number(String(sent.headers.location).split('/').pop())))!.paid).toBe(
      true,
    );
  }, 90_000); // the desk on PostgreSQL under load: over 30 s
});
