/**
 * The Reach page in a real browser (Debian's Chromium through puppeteer-core): posts delivered by the real worker
 * through the console platform, their links opened over HTTP so the server counts them, then an editor signs in and
 * reads the page: the note that bots cannot read views, the tables, the two SVG charts drawn, the CSV it downloads,
 * at 360 px without sideways scrolling, in Arabic and English. Must run, not skip: CI installs Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { openBrowser } from '../helpers/browser.js';
import { createConsoleTransport } from '../../bots/console/transport.js';
import { DeliveryWorker } from '../../src/delivery/worker.js';
import { ClickCounter, postLinks } from '../../src/newsroom/clicks.js';
import { createLogger } from '../../src/logger.js';
import { deskFixture, EDITOR, PASSWORD, startDesk, type DeskFixture, type DeskHandle } from '../helpers/desk.js';
import { queueAudienceIn } from '../helpers/articles.js';

const BROWSER_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Safari/537.36';

let f: DeskFixture;
let desk: DeskHandle;
let browser: Browser;
let page: Page;
let counter: ClickCounter;

beforeAll(async () => {
  f = await deskFixture({ NASHRA_TRACK_CLICKS: '1', NASHRA_PUBLIC_URL: 'https://desk.example.org' });
  for (const chatId of ['reader-1', 'reader-2', 'reader-3'])
    await f.data.repos.subscriptions.subscribe(
      { platform: 'console', chatId, kind: 'private', title: `قارئ ${chatId.slice(-1)}` },
      Date.now() - 60_000,
    );
  await queueAudienceIn(f.data, f.article, { kind: 'platform', platform: 'console' });
  const printed: string[] = [];
  const data = f.data;
  await new DeliveryWorker(
    data,
    [createConsoleTransport((t) => printed.push(t), f.config)],
    createLogger({ level: 'silent' }),
    { links: postLinks({ config: f.config, data }) },
  ).drain(10_000);
  counter = new ClickCounter(f.deps.outlets.main, { flushMs: 3_600_000 });
  desk = await startDesk({ ...f.deps, clicks: counter }, { port: 0, host: '127.0.0.1' });
  // Readers open the links: 3, 2 and 1 times.
  const paths = printed.map((p) => /https:\/\/desk\.example\.org(\/r\/[A-Za-z0-9_-]{16})/.exec(p)![1]!);
  for (const [i, path] of paths.entries()) {
    for (let n = 0; n < 3 - i; n++) {
      const res = await fetch(`${desk.url}${path}`, { redirect: 'manual', headers: { 'user-agent': BROWSER_UA } });
      expect(res.status).toBe(302);
    }
  }
  expect(await counter.flush()).toBe(3);
  ({ browser, page } = await openBrowser());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.close();
  await f?.cleanup();
});

const text = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);

describe('the Reach page in Chromium', () => {
  it('signs in, opens Reach from the navigation and reads the counts, the note and the charts', async () => {
    await page.goto(`${desk.url}/login`);
    await page.type('input[name=username]', EDITOR);
    await page.type('input[name=password]', PASSWORD);
    await Promise.all([page.waitForNavigation(), page.click('#login button[type=submit]')]);
    await Promise.all([page.waitForNavigation(), page.click('nav a[href="/reach"]')]);
    expect(new URL(page.url()).pathname).toBe('/reach');
    expect(await text('#views-note')).toContain('لا تتيح المنصات للبوتات قراءة عدد المشاهدات');
    expect(await page.$('#tracking-off')).toBeNull();
    const platformRow = await page.$$eval('#platforms tbody tr td', (tds) =>
      tds.map((td) => (td as HTMLElement).innerText.trim()),
    );
    expect(platformRow.slice(1)).toEqual(['3', '6', '2']);
    expect(await text('#top-day tbody tr td a')).toBe(f.article.title);
    const chats = await page.$$eval('#chats tbody tr', (rows) => rows.map((r) => (r as HTMLElement).innerText));
    expect(chats).toHaveLength(3);
    expect(chats[0]).toContain('قارئ 1');
    // Both charts are drawn, with a bar for the hour and the day of the clicks.
    const charts = await page.$$eval('figure.chart > svg', (svgs) =>
      svgs.map((s) => ({ width: s.getBoundingClientRect().width, bars: s.querySelectorAll('rect').length })),
    );
    expect(charts).toHaveLength(2);
    for (const c of charts) {
      expect(c.width).toBeGreaterThan(200);
      expect(c.bars).toBe(1);
    }
  });

  it('downloads the CSV with the signed-in session', async () => {
    const href = await page.$eval('#csv', (a) => (a as HTMLAnchorElement).getAttribute('href'));
    expect(href).toBe('/reach.csv?since=7d');
    const csv = await page.evaluate(async (h) => (await fetch(h!)).text(), href);
    expect(csv.replace(/^\uFEFF/, '').split('\r\n')[0]).toBe(
      'kind,id,name,platform,posts,clicks,click_through,full_reads,reactions',
    );
    expect(csv).toContain(`story,${f.article.id},`);
  });

  it('changes the window, fits 360 px, and reads in English', async () => {
    await page.select('select[name=since]', '28d');
    await Promise.all([page.waitForNavigation(), page.click('form.filters button[type=submit]')]);
    expect(new URL(page.url()).search).toBe('?since=28d');
    await page.setViewport({ width: 360, height: 740 });
    for (const path of ['/reach', `/articles/${f.article.id}`]) {
      await page.goto(`${desk.url}${path}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, path).toBeLessThanOrEqual(0);
    }
    expect(await text('#reach')).toContain('وصول هذا الخبر');
    await page.setViewport({ width: 1200, height: 860 });
    await page.goto(`${desk.url}/reach`);
    await Promise.all([page.waitForNavigation(), page.click('form[action="/lang"] button')]);
    expect(await text('#views-note')).toContain('Bots cannot read view counts');
  });
});
