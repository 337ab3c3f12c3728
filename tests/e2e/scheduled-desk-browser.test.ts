/**
 * Scheduling from the desk in a real browser (Debian's Chromium through puppeteer-core; issue 25 §4–5): the time
 * field on a broadcast's preview (a time in the past refused in words, a good one scheduled), the «المجدول» list
 * (moved, then cancelled), and what a hostile page or hand sends: a POST without the CSRF token, a forged broadcast
 * token. The rows read back from SQLite say what was written. Must run, not skip: CI installs Chromium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'puppeteer-core';
import { openBrowser } from '../helpers/browser.js';
import { deskPlatforms } from '../../src/app/desk.js';
import { BUILT_IN_PLATFORMS, newsroomDeps } from '../../src/app/platforms.js';
import { startDesk, type DeskHandle } from '../../src/desk/server.js';
import { hashPassword } from '../../src/newsroom/password.js';
import { localDateTime } from '../../src/text/schedule.js';
import type { StoredArticle } from '../../src/model/article.js';
import { addArticle, startHarness, type Harness } from '../fake-telegram/harness.js';
import { addDeskAccount, storeOutlets } from '../helpers/desk.js';
import { jobsOf } from '../helpers/raw-db.js';

const ZONE = 'Asia/Damascus';
const USERNAME = 'mona';
const PASSWORD = 'correct horse battery';

let h: Harness;
let desk: DeskHandle;
let browser: Browser;
let page: Page;
let story: StoredArticle;

beforeAll(async () => {
  h = await startHarness({ env: { NASHRA_TIME_ZONE: ZONE } });
  await addDeskAccount(h.data, USERNAME, await hashPassword(PASSWORD));
  for (let i = 0; i < 3; i++)
    await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: String(10_000 + i), kind: 'private' },
      Date.now(),
    );
  story = await addArticle(h.data);
  desk = await startDesk(
    {
      outlets: storeOutlets(
        h.config,
        newsroomDeps(BUILT_IN_PLATFORMS, h.config, h.data, h.logger, () => h.worker.notify()),
        h.logger,
      ).outlets,
      platforms: deskPlatforms(BUILT_IN_PLATFORMS, h.config, false),
      announceSetup: () => {},
    },
    { port: 0, host: '127.0.0.1' },
  );
  ({ browser, page } = await openBrowser());
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await desk?.close();
  await h?.close();
});

const text = (selector: string) => page.$eval(selector, (el) => (el as HTMLElement).innerText);
async function submit(selector: string): Promise<void> {
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click(selector)]);
}
const setValue = (selector: string, value: string) =>
  page.$eval(
    selector,
    (el, v) => {
      (el as HTMLInputElement).value = v;
    },
    value,
  );
/** The datetime-local field's form of a time: the newsroom's local date and time. */
const field = (at: number) => localDateTime(at, ZONE).replace(' ', 'T');
const posts = async () => (await jobsOf(h.db, story.id)).map((j) => [j.state, j.broadcastId]);

// Chromium and the desk on a loaded 2-core machine: a page's round trips took past vitest's 30 s for a test.
describe('scheduling from the desk in Chromium', { timeout: 120_000 }, () => {
  it('schedules a broadcast from its preview, refusing a time in the past in words', async () => {
    await page.goto(`${desk.url}/`);
    await page.type('input[name=username]', USERNAME);
    await page.type('input[name=password]', PASSWORD);
    await submit('#login button[type=submit]');
    expect(await page.$eval('nav', (el) => (el as HTMLElement).innerText)).toContain('المجدول');

    await page.goto(`${desk.url}/articles/${story.id}`);
    await page.click('input[name=audience][value=all]');
    await submit('#send button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/broadcasts/1');
    expect(await text('#schedule-form')).toContain(`بتوقيت ${ZONE}`);

    // Yesterday: refused, said so; the broadcast is still a preview, nothing queued.
    await setValue('#schedule-at', field(Date.now() - 86_400_000));
    await submit('#schedule');
    expect(await text('#schedule-note')).toBe('هذا الوقت مضى: اختر وقتاً لاحقاً.');
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('preview');
    expect(await posts()).toEqual([]);

    // Two days ahead: scheduled, the page says when it starts, its three posts wait for that time.
    const at = Date.now() + 2 * 86_400_000;
    await setValue('#schedule-at', field(at));
    await submit('#schedule');
    expect(new URL(page.url()).pathname).toBe('/broadcasts/1');
    expect(await text('#bc-scheduled')).toContain('مجدول، يبدأ إرساله في');
    const b = (await h.data.repos.broadcasts.get(1))!;
    expect(b.state).toBe('queued');
    expect(localDateTime(b.sendAt!.getTime(), ZONE)).toBe(localDateTime(at, ZONE));
    expect(await posts()).toEqual([
      ['queued', 1],
      ['queued', 1],
      ['queued', 1],
    ]);
    expect(
      h.fake.sent('sendMessage').filter((c) => Number(c.params.chat_id) >= 10_000 && Number(c.params.chat_id) < 10_100),
    ).toEqual([]);
  });

  it('moves and cancels it from «المجدول»; a POST without the CSRF token and a forged token change nothing', async () => {
    await page.goto(`${desk.url}/scheduled`);
    expect(await text('#scheduled-1')).toContain(story.title);
    const sendAt = (await h.data.repos.broadcasts.get(1))!.sendAt!.getTime();

    // Without the CSRF token (another page's script): 403, nothing moved.
    const status = await page.evaluate(
      async () =>
        (
          await fetch('/scheduled/1/cancel', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: `token=${(document.querySelector('input[name=token]') as HTMLInputElement).value}`,
          })
        ).status,
    );
    expect(status).toBe(403);
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('queued');

    // A forged broadcast token in the form: not this broadcast, said so.
    await page.$eval('#scheduled-1 form:last-of-type input[name=token]', (el) => {
      (el as HTMLInputElement).value = 'deadbeefdeadbeef';
    });
    await submit('#cancel-1');
    expect(await text('#schedule-note')).toBe('لا نشر مجدول بهذا الرقم.');
    expect((await h.data.repos.broadcasts.get(1))!.state).toBe('queued');

    // Garbage in the time field (a script can put anything there): refused in words.
    await page.$eval('#at-1', (el) => {
      (el as HTMLInputElement).type = 'text';
      (el as HTMLInputElement).value = 'بعد الظهر';
    });
    await submit('#move-1');
    expect(await text('#schedule-note')).toBe('ليس وقتاً: اختر تاريخاً وساعة.');
    expect((await h.data.repos.broadcasts.get(1))!.sendAt!.getTime()).toBe(sendAt);

    const later = Date.now() + 5 * 86_400_000;
    await setValue('#at-1', field(later));
    await submit('#move-1');
    expect(await text('#schedule-note')).toBe('نُقل الموعد.');
    const moved = (await h.data.repos.broadcasts.get(1))!.sendAt!.getTime();
    expect(localDateTime(moved, ZONE)).toBe(localDateTime(later, ZONE));
    expect((await jobsOf(h.db, story.id)).map((j) => j.state)).toEqual(['queued', 'queued', 'queued']);

    await submit('#cancel-1');
    expect(await text('#schedule-note')).toBe('أُلغي النشر المجدول، ولن يُرسل منه شيء.');
    expect(await text('#scheduled-none')).toBe('لا شيء مجدول.');
    expect(await posts()).toEqual([
      ['skipped', 1],
      ['skipped', 1],
      ['skipped', 1],
    ]);
    expect(
      (await h.data.repos.reads.audit({ limit: 50 })).filter((e) => e.platform === 'desk').map((e) => e.action),
    ).toEqual(expect.arrayContaining(['broadcast.schedule', 'broadcast.reschedule', 'broadcast.unschedule']));
  });
});
