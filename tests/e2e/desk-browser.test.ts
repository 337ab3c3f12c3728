/**
 * The desk in a real browser (Debian's Chromium through puppeteer-core), against the real Telegram and WhatsApp
 * adapters and delivery workers (the loopback fake Bot API; whatsapp-web.js's surface faked): sign in, find the
 * story, fix its summary, send it to a Telegram channel and a WhatsApp group, watch it arrive once in each, stop a
 * broadcast, refuse a wrong password, log out. Must run, not skip: CI installs Chromium.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { openBrowser } from '../helpers/browser.js';
import { WhatsAppAdapter } from '../../bots/whatsapp/index.js';
import { readWhatsAppSettings } from '../../bots/whatsapp/config.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { deskPlatforms } from '../../src/app/desk.js';
import { BUILT_IN_PLATFORMS, newsroomDeps } from '../../src/app/platforms.js';
import { adapterContextOn } from '../helpers/context.js';
import { queuePosts } from '../helpers/raw-db.js';
import { hashPassword } from '../../src/newsroom/password.js';
import { startDesk, type DeskHandle } from '../../src/desk/server.js';
import { loadArticle } from '../../src/ingest/load-article.js';
import { storeArticleIn } from '../helpers/articles.js';
import { projectRoot } from '../../src/paths.js';
import type { StoredArticle } from '../../src/model/article.js';
import { startHarness, type Harness } from '../fake-telegram/harness.js';
import { sy24Article } from '../helpers/sy24.js';
import { FakeWhatsAppWorld } from '../helpers/fake-whatsapp-client.js';
import { until } from '../helpers/child-run.js';
import { addDeskAccount, storeOutlets } from '../helpers/desk.js';

const USERNAME = 'mona';
const PASSWORD = 'correct horse battery';
const CHANNEL = '-1001000000001';
const GROUP = '120363000000000001@g.us';
const EDITED = 'ملخص صحّحه المحرر: تحركات التنظيم في البادية مستمرة رغم الغارات.';

let h: Harness;
let desk: DeskHandle;
let browser: Browser;
let page: Page;
let story: StoredArticle;
let world: FakeWhatsAppWorld;
let wa: WhatsAppAdapter;
let waWorker: DeliveryWorker;
let waDir: string;

beforeAll(async () => {
  // 4 messages a second: a 40-chat broadcast lasts ten seconds, long enough to press «إيقاف» in the middle of it.
  h = await startHarness({ limits: { globalPerSecond: 4, perChatPerSecond: 4, perGroupPerMinute: 1000 } });
  await addDeskAccount(h.data, USERNAME, await hashPassword(PASSWORD));
  await h.data.repos.subscriptions.subscribe(
    { platform: 'telegram', chatId: CHANNEL, kind: 'channel', title: 'قناة الأخبار' },
    Date.now(),
  );
  // WhatsApp without its pacing (no delay, no "typing…"): the test is about the desk, not about bans.
  world = new FakeWhatsAppWorld();
  world.addGroup(GROUP, 'مجموعة الأخبار', [{ number: '963911111111', admin: true }]);
  waDir = mkdtempSync(join(tmpdir(), 'nashra-desk-wa-'));
  const waSettings = readWhatsAppSettings({
    WHATSAPP_ENABLED: '1',
    WHATSAPP_SESSION_DIR: waDir,
    WHATSAPP_MIN_DELAY_MS: '0',
    WHATSAPP_MAX_DELAY_MS: '0',
    WHATSAPP_TYPING: '0',
  });
  wa = new WhatsAppAdapter(
    waSettings,
    adapterContextOn(h.config, h.db, h.logger, { onQueued: () => waWorker?.notify() }),
    { createClient: world.createClient, loadMedia: null },
  );
  await wa.start();
  await until(() => wa.isConnected(), 10_000, 'WhatsApp to be ready');
  waWorker = new DeliveryWorker(h.data, [wa.transport], h.logger, { pollMs: 50, backoffMs: 200 });
  waWorker.start();
  await h.data.repos.subscriptions.subscribe(
    { platform: 'whatsapp', chatId: GROUP, kind: 'group', title: 'مجموعة الأخبار' },
    Date.now(),
  );
  const samples = join(projectRoot(), 'samples');
  for (const [i, file] of ['easc-topic1.txt', 'easc-topic3.txt', 'easc-topic9.txt'].entries()) {
    const stored = await storeArticleIn(h.data, {
      ...(await loadArticle(join(samples, file), h.config)),
      publishedAt: new Date(Date.now() - (i + 1) * 3600_000),
    });
    if (stored.status === 'new' && i === 0) await queuePosts(h.data, stored.article.id, [1]);
  }
  const sy24 = sy24Article();
  const result = await storeArticleIn(h.data, {
    url: 'https://www.sy24.org/badia-isis',
    title: sy24.title,
    source: 'SY24',
    paragraphs: sy24.paragraphs,
    categories: ['البادية'],
    language: 'ar',
    publishedAt: new Date(),
  });
  if (result.status !== 'new') throw new Error('story not stored');
  story = result.article;
  // Both platforms on, as the run that started these adapters would have them.
  const config = { ...h.config, platforms: { ...h.config.platforms, whatsapp: waSettings } };
  desk = await startDesk(
    {
      outlets: storeOutlets(
        config,
        newsroomDeps(BUILT_IN_PLATFORMS, config, h.data, h.logger, () => {
          h.worker.notify();
          waWorker.notify();
        }),
        h.logger,
      ).outlets,
      platforms: deskPlatforms(BUILT_IN_PLATFORMS, config, false),
      announceSetup: () => {},
    },
    { port: 0, host: '127.0.0.1' },
  );
  ({ browser, page } = await openBrowser());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.close();
  await waWorker?.stop(1000);
  await wa?.stop();
  await h?.close();
  if (waDir) rmSync(waDir, { recursive: true, force: true });
});

const text = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);
async function submit(selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}

describe('the desk in Chromium', () => {
  it('refuses a wrong password and stays on the sign-in page', async () => {
    await page.goto(`${desk.url}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.$eval('html', (el) => [el.lang, el.dir])).toEqual(['ar', 'rtl']);
    await page.type('input[name=username]', USERNAME);
    await page.type('input[name=password]', 'not the password');
    await submit('#login button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await text('[role=alert]')).toContain('غير صحيحة');
  });

  it('signs in and sees the story that just came in at the top of Today', async () => {
    await page.$eval('input[name=password]', (el) => {
      (el as HTMLInputElement).value = '';
    });
    await page.type('input[name=password]', PASSWORD);
    await submit('#login button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await text('.stories li:first-child h2')).toContain(story.title);
  });

  it('edits the summary (the preview follows as it is typed), sends it to a Telegram channel and a WhatsApp group, and it arrives once in each, edited', async () => {
    await submit('.stories li:first-child h2 a');
    expect(new URL(page.url()).pathname).toBe(`/articles/${story.id}`);
    await page.click('textarea[name=summary]');
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.sendCharacter(EDITED);
    await page.waitForFunction(
      (t) => document.querySelector('.preview-telegram .bubble')?.textContent?.includes(t),
      { timeout: 10_000 },
      EDITED,
    );
    await submit('#edit button[type=submit]');
    expect(await text('.notice.ok')).toBeTruthy();
    expect(await page.$eval('textarea[name=summary]', (el) => (el as HTMLTextAreaElement).value)).toBe(EDITED);

    await submit('#send button[type=submit]');
    expect(await text('#will-receive')).toBe('2');
    expect(await text('.preview-telegram .bubble')).toContain(EDITED);
    await submit('#confirm');
    await page.waitForFunction(() => document.getElementById('bc-state')?.dataset.state === 'done', {
      timeout: 20_000,
    });
    expect(await text('#bc-sent')).toBe('2');
    const arrived = () =>
      h.fake.sentTo(CHANNEL).filter((c) => String(c.params.text ?? c.params.caption ?? '').includes(EDITED));
    const arrivedWa = () =>
      world.sentTo(GROUP).filter((m) => typeof m.content === 'string' && m.content.includes(EDITED));
    expect(arrived()).toHaveLength(1);
    expect(arrivedWa()).toHaveLength(1);
    expect(String(arrived()[0]!.params.text)).not.toContain(story.summary[0]!.slice(0, 30));

    // The Today page now shows where it went: the screenshot for the README.
    await page.goto(`${desk.url}/`);
    await page.waitForSelector('.stories li:first-child .state-sent');
    mkdirSync(join(projectRoot(), 'docs'), { recursive: true });
    await page.screenshot({ path: join(projectRoot(), 'docs', 'desk-today.png') });
    // Still once, a moment later (a second delivery would have gone out by now at 4 a second).
    await new Promise((r) => setTimeout(r, 600));
    expect(arrived()).toHaveLength(1);
    expect(arrivedWa()).toHaveLength(1);
  });

  it('stops a broadcast in the middle: what was queued is skipped, nothing more goes out', async () => {
    for (let i = 0; i < 40; i++)
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: `-10020000000${String(i).padStart(2, '0')}`, kind: 'channel' },
        Date.now(),
      );
    const today = await h.data.repos.reads.today({ limit: 10 });
    const counts = await Promise.all(today.map((a) => h.data.repos.outbox.articleCounts(a.id)));
    const other = today.find((a, i) => a.id !== story.id && Object.keys(counts[i]!).length === 0)!;
    await page.goto(`${desk.url}/articles/${other.id}`);
    await page.click('input[name=audience][value=all]');
    await submit('#send button[type=submit]');
    expect(Number(await text('#will-receive'))).toBe(42);
    await submit('#confirm');
    await page.waitForFunction(() => Number(document.getElementById('bc-sent')?.textContent) >= 2, { timeout: 15_000 });
    await submit('#stop');
    await page.waitForFunction(() => document.getElementById('bc-state')?.dataset.state === 'stopped', {
      timeout: 10_000,
    });
    const skipped = Number(await text('#bc-skipped'));
    expect(skipped).toBeGreaterThan(20);
    // What was on its way finishes; nothing else leaves.
    await page.waitForFunction(() => document.getElementById('bc-waiting')?.textContent === '0', { timeout: 10_000 });
    const sentNow = h.fake.sent('sendMessage').length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(h.fake.sent('sendMessage').length).toBe(sentNow);
    expect(
      (await h.data.repos.reads.audit({ limit: 20 })).some(
        (e) => e.action === 'broadcast.stop' && e.platform === 'desk' && e.actor === USERNAME,
      ),
    ).toBe(true);
  });

  it('breaks long unbroken tokens at 360 px: a URL, a long hashtag and markup shown as text do not scroll Today sideways', async () => {
    const stored = await storeArticleIn(h.data, {
      url: 'https://example.org/long-tokens',
      title: 'عنوان طويل',
      source: 'مصدر_بلا_مسافات_'.repeat(4),
      language: 'ar',
      categories: [],
      paragraphs: ['فقرة أولى طويلة بما يكفي لتكون جملة كاملة في الملخص.', 'فقرة ثانية.'],
      publishedAt: new Date(),
    });
    if (stored.status !== 'new') throw new Error('not stored');
    const url = `https://www.example.org/${'a-very-long-path-segment-without-spaces'.repeat(3)}?utm_source=${'x'.repeat(40)}`;
    await h.data.repos.articleWrites.setEdit(
      stored.article.id,
      {
        title: `تحديث ${url}`,
        summary: [
          `رابط ${url}`,
          `نص <b><i><a href="https://example.org/${'z'.repeat(60)}">مُعلَّم</a></i></b>`,
          '#'.repeat(3) + 'وسم'.repeat(30),
        ],
        hashtags: [`#${'حلب_دمشق_حمص_'.repeat(6)}`, '#قصير'],
      },
      'test',
      Date.now(),
    );
    await page.setViewport({ width: 360, height: 740 });
    for (const path of [`/articles/${stored.article.id}`, '/stats', '/']) {
      await page.goto(`${desk.url}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    expect(await text('.stories li:first-child h2')).toContain('a-very-long-path-segment');
    await page.screenshot({ path: join(tmpdir(), 'nashra-desk-360-long-tokens.png'), fullPage: true });
    await page.setViewport({ width: 1200, height: 860 });
  });

  it('is usable at 360 px and by keyboard, and switches to English', async () => {
    await page.setViewport({ width: 360, height: 740 });
    for (const path of ['/', `/articles/${story.id}`, '/sources', '/queue', '/stats']) {
      await page.goto(`${desk.url}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    await page.goto(`${desk.url}/`);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('skip');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => location.hash)).toBe('#main');
    await page.setViewport({ width: 1200, height: 860 });
    await submit('header form[action="/lang"] button');
    expect(await page.$eval('html', (el) => [el.lang, el.dir])).toEqual(['en', 'ltr']);
    expect(await text('h1')).toBe('Today');
    await submit('header form[action="/lang"] button');
    expect(await page.$eval('html', (el) => el.lang)).toBe('ar');
  });

  it('keeps what was typed when the session ended meanwhile: sign in again on the spot and it is back in the form', async () => {
    await page.goto(`${desk.url}/articles/${story.id}`);
    const typed = 'عنوان كتبه المحرر قبل أن تنتهي جلسته';
    await page.$eval(
      'input[name=title]',
      (el, v) => {
        (el as HTMLInputElement).value = v;
      },
      typed,
    );
    // Meanwhile the password was changed (`nashra editors passwd`): every session of the editor ended.
    await h.data.repos.sessions.removeAllFor((await h.data.repos.deskAccounts.find(USERNAME))!.id);
    await submit('#edit button[type=submit]');
    expect(await text('[role=alert]')).toContain('انتهت جلستك');
    expect(await page.$eval('#kept textarea', (el) => (el as HTMLTextAreaElement).value)).toBe(typed);
    await page.screenshot({ path: join(tmpdir(), 'nashra-desk-session-ended.png'), fullPage: true });
    await page.type('input[name=username]', USERNAME);
    await page.type('input[name=password]', PASSWORD);
    await submit('#login button[type=submit]');
    expect(new URL(page.url()).pathname).toBe(`/articles/${story.id}`);
    expect(await text('#restored')).toContain('لم يُحفظ بعد');
    expect(await page.$eval('input[name=title]', (el) => (el as HTMLInputElement).value)).toBe(typed);
    expect((await h.data.repos.articles.get(story.id))!.title).not.toBe(typed);
    await submit('#edit button[type=submit]');
    expect((await h.data.repos.articles.get(story.id))!.title).toBe(typed);
  });

  it('logs out: the desk asks for the password again', async () => {
    await submit('#logout');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${desk.url}/queue`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });
});
