/**
 * Reach (issue 25 §3): the read model over posts sent and clicks counted per post and hour, the hour suggestion, the
 * CSV export (formula injection), the desk's Reach page and article page over HTTP, and `nashra reach --json`.
 * Posts are written through the outbox's own methods (queued, sending, sent at a chosen time) and clicks through the
 * clicks port, as the worker and the counter write them.
 */
import { describe, expect, it } from 'vitest';
import { catalogue } from '../../src/i18n/index.js';
import { HOUR_MS } from '../../src/model/reach.js';
import {
  CLI_OPERATOR,
  csvCell,
  parseWindow,
  previewBroadcast,
  reachCsv,
  reachReport,
  readFullStory,
  recordReactions,
  suggestSendHour,
} from '../../src/newsroom/index.js';
import { deskPerTest, get, jar, signIn, type DeskFixture } from '../helpers/desk.js';
import { storeNumberedArticle } from '../helpers/articles.js';
import { post, seedBestHour } from '../helpers/clicks.js';
import { runCliInProcess } from '../helpers/cli.js';
import { jobsOf } from '../helpers/raw-db.js';

const setup = deskPerTest();
const DAY = 24 * HOUR_MS;

/** Two console chats and a Telegram channel; stories clicked today, three days ago and ten days ago. */
async function seeded(f: DeskFixture, now: number) {
  const s = f.data;
  const a = await s.repos.subscriptions.subscribe(
    { platform: 'console', chatId: 'reader-a', kind: 'private', title: '=HYPERLINK("http://evil.example","x")' },
    now - 30 * DAY,
  );
  const b = await s.repos.subscriptions.subscribe(
    { platform: 'console', chatId: 'reader-b', kind: 'private' },
    now - 30 * DAY,
  );
  const c = await s.repos.subscriptions.subscribe(
    { platform: 'telegram', chatId: '-1001000000001', kind: 'channel', title: 'قناة' },
    now - 30 * DAY,
  );
  const today = f.article;
  const earlier = await storeNumberedArticle(s, 1);
  const old = await storeNumberedArticle(s, 2);
  // Today's story: 2 h ago in three chats; 6 + 4 clicks on console, 5 on Telegram.
  await post(s, today.id, a.id, now - 2 * HOUR_MS, [
    [now - 2 * HOUR_MS, 4],
    [now - HOUR_MS, 2],
  ]);
  await post(s, today.id, b.id, now - 2 * HOUR_MS, [[now - HOUR_MS, 4]]);
  await post(s, today.id, c.id, now - 2 * HOUR_MS, [[now - HOUR_MS, 5]]);
  // Three days ago: 20 clicks in one chat (more than today's story, but not in the last 24 hours).
  await post(s, earlier.id, a.id, now - 3 * DAY, [[now - 3 * DAY, 20]]);
  // Ten days ago: outside the week.
  await post(s, old.id, c.id, now - 10 * DAY, [[now - 10 * DAY, 50]]);
  return { a, b, c, today, earlier, old };
}

describe('the reach read model', () => {
  it('sums posts and clicks per platform, per story and per chat, with clicks per post; top stories of the day and week', async () => {
    const { f } = await setup();
    const now = Date.now();
    const { a, b, c, today, earlier } = await seeded(f, now);
    const r = await reachReport(f.deps.outlets.main, parseWindow('7d'), now);
    expect(r.platforms).toEqual([
      { platform: 'console', posts: 3, clicks: 30, clickThrough: 10 },
      { platform: 'telegram', posts: 1, clicks: 5, clickThrough: 5 },
    ]);
    expect(r.clicks).toBe(35);
    expect(r.topDay.map((s) => [s.articleId, s.clicksInWindow])).toEqual([[today.id, 15]]);
    expect(r.topWeek.map((s) => [s.articleId, s.clicksInWindow])).toEqual([
      [earlier.id, 20],
      [today.id, 15],
    ]);
    const story = r.topWeek.find((s) => s.articleId === today.id)!;
    expect(story).toMatchObject({ posts: 3, clicks: 15, clickThrough: 5 });
    expect(story.platforms).toEqual([
      { platform: 'console', posts: 2, clicks: 10, clickThrough: 5 },
      { platform: 'telegram', posts: 1, clicks: 5, clickThrough: 5 },
    ]);
    // Nothing else counted yet: no reactions, no full reads.
    expect(story).toMatchObject({ reactions: {}, fullReads: 0 });
    expect(r.chats.map((x) => [x.subscriptionId, x.posts, x.clicks, x.clickThrough])).toEqual([
      [a.id, 2, 26, 13],
      [c.id, 1, 5, 5],
      [b.id, 1, 4, 4],
    ]);
    expect(r.note).toMatch(/cannot read view counts/);
  });

  it('shows with each story its reactions by emoji (every platform together) and its full reads, in the report, the text and the CSV', async () => {
    const { f } = await setup();
    const now = Date.now();
    const { c, today } = await seeded(f, now);
    const deps = f.deps.outlets.main;
    const channelPost = (await jobsOf(f.db, today.id)).find((j) => j.subscriptionId === c.id)!;
    const counts = [
      { emoji: '👍', count: 7 },
      { emoji: '🔥', count: 2 },
    ];
    expect(
      await recordReactions(
        deps,
        { kind: 'counts', platform: 'telegram', chatId: c.chatId, messageId: `m${channelPost.id}`, counts, at: now },
        now,
      ),
    ).toBe('recorded');
    for (let i = 0; i < 3; i++) expect((await readFullStory(deps, today.id, { now })).status).toBe('story');
    const r = await reachReport(deps, parseWindow('7d'), now);
    const story = r.topWeek.find((s) => s.articleId === today.id)!;
    expect(story.reactions).toEqual({ '👍': 7, '🔥': 2 });
    expect(story.fullReads).toBe(3);
    expect(r.topWeek.find((s) => s.articleId !== today.id)).toMatchObject({ reactions: {}, fullReads: 0 });
    expect(catalogue('en').cli.reach(r, (platform) => platform)).toContain(
      `#${today.id} ${today.title}: 15 clicks (all time: 3 posts, 15 clicks, 5 per post; console 10/2, telegram 5/1; full reads 3; reactions 👍 7 🔥 2)`,
    );
    const csv = reachCsv(r).split('\r\n');
    expect(csv[0]).toBe('\uFEFFkind,id,name,platform,posts,clicks,click_through,full_reads,reactions');
    expect(csv).toContain(`story,${today.id},${csvCell(today.title)},,3,15,5,3,9`);
  });

  it("places clicks by the newsroom's hour of day and day of week (Asia/Damascus is UTC+3)", async () => {
    const { f } = await setup({ NASHRA_TIME_ZONE: 'Asia/Damascus' });
    const s = f.data;
    const sub = await s.repos.subscriptions.subscribe(
      { platform: 'console', chatId: 'r', kind: 'private' },
      Date.now(),
    );
    // 2026-12-06 is a Sunday; 22:00 UTC is 01:00 on Monday in Damascus.
    const at = Date.UTC(2026, 11, 6, 22, 0);
    await post(s, f.article.id, sub.id, at, [
      [at, 7],
      [at + HOUR_MS, 2],
    ]);
    const r = await reachReport(f.deps.outlets.main, parseWindow('7d'), at + 2 * HOUR_MS);
    expect(r.byHourOfDay[1]).toBe(7);
    expect(r.byHourOfDay[2]).toBe(2);
    expect(r.byHourOfDay.reduce((x, y) => x + y)).toBe(9);
    expect(r.byDayOfWeek).toEqual([0, 9, 0, 0, 0, 0, 0]);
  });

  it('refuses a window it cannot read', () => {
    expect(parseWindow('24h')).toBe(DAY);
    expect(parseWindow('4w')).toBe(28 * DAY);
    expect(parseWindow('3')).toBe(3 * DAY);
    for (const bad of ['0d', '7x', '-1d', '9999w', 'week', '1e3'])
      expect(() => parseWindow(bad), bad).toThrow(/not a window/);
  });
});

describe('the hour suggested for an audience', () => {
  it('is the local hour with the most clicks per post over four weeks, for that audience only, once there is enough history', async () => {
    const { f } = await setup({ NASHRA_TIME_ZONE: 'Asia/Damascus' });
    const s = f.data;
    const now = Date.UTC(2026, 11, 7, 12, 0);
    const con = [];
    for (let i = 0; i < 6; i++)
      con.push(
        await s.repos.subscriptions.subscribe({ platform: 'console', chatId: `c${i}`, kind: 'private' }, Date.now()),
      );
    const tg = await s.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001000000002', kind: 'channel' },
      Date.now(),
    );
    let n = 10;
    // 40 posts at 05:00 UTC (08:00 in Damascus) with 1 click each; 30 at 15:00 UTC (18:00) with 3 clicks each; on Telegram
    // 20 posts at 09:00 UTC with 50 clicks each (another audience); and older posts at 03:00 UTC, outside the four weeks.
    const at = (day: number, hourUtc: number) => Date.UTC(2026, 11, 7 - day, hourUtc, 10);
    for (let i = 0; i < 40; i++)
      await post(s, (await storeNumberedArticle(s, n++)).id, con[i % 6]!.id, at(1 + (i % 25), 5), [
        [at(1 + (i % 25), 5), 1],
      ]);
    for (let i = 0; i < 30; i++)
      await post(s, (await storeNumberedArticle(s, n++)).id, con[i % 6]!.id, at(1 + (i % 25), 15), [
        [at(1 + (i % 25), 15), 3],
      ]);
    for (let i = 0; i < 20; i++)
      await post(s, (await storeNumberedArticle(s, n++)).id, tg.id, at(1 + i, 9), [[at(1 + i, 9), 50]]);
    for (let i = 0; i < 10; i++)
      await post(s, (await storeNumberedArticle(s, n++)).id, con[0]!.id, at(30 + i, 3), [[at(30 + i, 3), 99]]);
    const consoleOnly = await suggestSendHour(f.deps.outlets.main, { kind: 'platform', platform: 'console' }, now);
    expect(consoleOnly).toEqual({ hour: 18, clicksPerPost: 3, posts: 30, clicks: 90, history: 70 });
    expect((await suggestSendHour(f.deps.outlets.main, { kind: 'all' }, now))?.hour).toBe(12);
    expect(
      await suggestSendHour(f.deps.outlets.main, { kind: 'chats', subscriptionIds: [con[0]!.id, con[1]!.id] }, now),
    ).toBeUndefined();
    expect(await suggestSendHour(f.deps.outlets.main, { kind: 'platform', platform: 'telegram' }, now)).toBeUndefined();
    // 100 articles and posts written one statement at a time: past 30 s on PostgreSQL on a loaded 2-core machine.
  }, 120_000);
});

describe('the hour suggested where a broadcast is scheduled', () => {
  it("the desk's broadcast preview names the audience's best hour and sets the time field to it; none without the history", async () => {
    const { f, app } = await setup({ NASHRA_TIME_ZONE: 'UTC' });
    const s = f.data;
    const con = [];
    for (let i = 0; i < 6; i++)
      con.push(
        await s.repos.subscriptions.subscribe(
          { platform: 'console', chatId: `c${i}`, kind: 'private' },
          Date.now() - 60 * DAY,
        ),
      );
    const j = jar();
    await signIn(app, j);
    const page = async () => {
      const preview = await previewBroadcast(f.deps.outlets.main, CLI_OPERATOR, String(f.article.id), {
        audience: { kind: 'all' },
      });
      return (await get(app, j, `/broadcasts/${preview.broadcast.id}`)).body;
    };
    expect(await page()).not.toContain('id="best-hour"');
    await seedBestHour(
      s,
      con.map((c) => c.id),
      19,
    );
    const html = await page();
    expect(html).toMatch(/id="best-hour"[^>]*>[^<]*19:00/);
    expect(html).toMatch(/id="schedule-at"[^>]*value="\d{4}-\d\d-\d\dT19:00"/);
    // The CLI's preview says the same (off a terminal it asks nothing and queues nothing).
    const cli = await runCliInProcess(['broadcast', String(f.article.id), '--all'], {
      env: { ...f.db.env, NASHRA_TIME_ZONE: 'UTC' },
    });
    expect(cli.stdout).toContain(
      'best hour for this audience over the last four weeks: 19:00 (4 clicks per post over 10 posts at that hour; --at 19:00 schedules it then)',
    );
    // 60 articles and posts written one statement at a time (seedBestHour): past 30 s on PostgreSQL on a loaded machine.
  }, 120_000);
});

describe('the CSV export', () => {
  it('defuses every cell a spreadsheet would run as a formula', () => {
    for (const [input, cell] of [
      ['=1+1', "'=1+1"],
      ['+SUM(A1)', "'+SUM(A1)"],
      ['-2+3', "'-2+3"],
      ['@cmd', "'@cmd"],
      ['\t=1', "'\t=1"],
      ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
      ['نص, مع فاصلة', '"نص, مع فاصلة"'],
      ['ok', 'ok'],
    ] as const)
      expect(csvCell(input)).toBe(cell);
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell(null)).toBe('');
  });

  it('is served by the desk with every title and chat name defused', async () => {
    const { f, app } = await setup();
    const now = Date.now();
    await seeded(f, now);
    await f.data.repos.articleWrites.setEdit(
      f.article.id,
      { title: "@SUM(1+1)*cmd|' /C calc'!A0", summary: f.article.summary, hashtags: [] },
      'mona',
      now,
    );
    const j = jar();
    await signIn(app, j);
    const res = await get(app, j, '/reach.csv?since=7d');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toBe('attachment; filename="nashra-reach-7d.csv"');
    const lines = res.body
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('kind,id,name,platform,posts,clicks,click_through,full_reads,reactions');
    expect(lines).toContain(`story,${f.article.id},'@SUM(1+1)*cmd|' /C calc'!A0,console,2,10,5`);
    expect(lines.some((l) => l.startsWith('chat,') && l.includes(`"'=HYPERLINK(""http://evil.example"",""x"")"`))).toBe(
      true,
    );
    // A Telegram chat id is a negative number: kept as text, not a formula.
    expect(lines.some((l) => l.startsWith('chat,') && l.includes(',قناة,telegram,'))).toBe(true);
    for (const line of lines) for (const cell of line.split(',')) expect(cell, line).not.toMatch(/^"?[=+@]/);
    // Signed out: no export.
    expect((await get(app, jar(), '/reach.csv')).statusCode).toBe(303);
  });
});

describe('the Reach page and the article page', () => {
  it('shows per platform, the top stories, per chat and the SVG charts, and says bots cannot read views', async () => {
    const { f, app } = await setup({ NASHRA_TRACK_CLICKS: '1', NASHRA_PUBLIC_URL: 'https://desk.example.org' });
    await seeded(f, Date.now());
    const j = jar();
    expect((await get(app, j, '/reach')).headers.location).toBe('/login');
    await signIn(app, j);
    const res = await get(app, j, '/reach?since=28d');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('لا تتيح المنصات للبوتات قراءة عدد المشاهدات');
    expect(res.body).not.toContain('id="tracking-off"');
    expect(res.body).toMatch(/<table id="top-week">[\s\S]*?href="\/articles\/\d+"/);
    expect(res.body).toContain('<option value="28d" selected>');
    expect((res.body.match(/<svg viewBox/g) ?? []).length).toBe(2);
    // The chat's hostile title is escaped, not markup.
    expect(res.body).toContain('=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)');
    // An unknown window falls back to the week.
    expect((await get(app, j, '/reach?since=<script>')).body).toContain('<option value="7d" selected>');
    const article = await get(app, j, `/articles/${f.article.id}`);
    expect(article.body).toMatch(
      /<section class="card" aria-labelledby="reach-h" id="reach">[\s\S]*?<li>(?:Console|console|الطرفية): المنشورات 2 · النقرات 10 · النقرات لكل منشور 5<\/li>/,
    );
  });

  it('says when clicks are not counted', async () => {
    const { app } = await setup();
    const j = jar();
    await signIn(app, j);
    expect((await get(app, j, '/reach')).body).toContain('id="tracking-off"');
  });
});

describe('nashra reach', () => {
  it('prints the same report as JSON, and refuses a window it cannot read', async () => {
    const { f } = await setup();
    const now = Date.now();
    const { today, earlier } = await seeded(f, now);
    const env = { ...f.db.env, NASHRA_TIME_ZONE: 'UTC' };
    const res = await runCliInProcess(['reach', '--since', '7d', '--json'], { env });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const r = JSON.parse(res.stdout);
    expect(r.platforms).toEqual([
      { platform: 'console', posts: 3, clicks: 30, clickThrough: 10 },
      { platform: 'telegram', posts: 1, clicks: 5, clickThrough: 5 },
    ]);
    expect(r.topWeek.map((s: { articleId: number }) => s.articleId)).toEqual([earlier.id, today.id]);
    expect(r.note).toMatch(/cannot read view counts/);
    const text = await runCliInProcess(['reach', '--since', '24h'], { env });
    expect(text.code).toBe(0);
    const lastDay = /top stories, last 24 hours:\n([\s\S]*?)\ntop stories, last 7 days/.exec(text.stdout)?.[1] ?? '';
    expect(lastDay).toContain(`#${today.id} `);
    expect(lastDay).not.toContain(`#${earlier.id} `);
    expect(text.stdout).toContain('1 post, 20 clicks');
    const bad = await runCliInProcess(['reach', '--since', 'forever'], { env });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('not a window');
  });
});
