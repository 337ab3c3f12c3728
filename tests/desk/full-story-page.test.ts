/**
 * The full story on the desk (issue 26 §3): the article page, served over HTTP on 127.0.0.1, shows the story as a
 * reader gets it beside the previews, escaped whatever the article's HTML, with the number of full reads; a visitor
 * without a session gets none of it, and readers get nothing of a retracted or held article.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { CLI_OPERATOR, confirmRetraction, readFullStory } from '../../src/newsroom/index.js';
import type { StoredArticle } from '../../src/model/article.js';
import { storeArticleIn } from '../helpers/articles.js';
import { runCliInProcess } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import {
  csrfOf,
  deskFixture,
  EDITOR,
  PASSWORD,
  startDesk,
  type DeskFixture,
  type DeskHandle,
} from '../helpers/desk.js';

let fixture: DeskFixture | undefined;
const tmp = tempDir('nashra-full-cli-');
afterAll(() => tmp.cleanup());
const cliDir = () => tmp.dir;
let desk: DeskHandle | undefined;
afterEach(async () => {
  await desk?.close();
  await fixture?.cleanup();
  desk = undefined;
  fixture = undefined;
});

const HOSTILE = [
  'بدأ الحفل <script>alert(document.cookie)</script> في الساحة العامة وسط حضور كبير من الأهالي والزوار.',
  'صورة <img src=x onerror=alert(1)> و "><svg onload=alert(2)> و </p></section><iframe src="https://evil.example/"></iframe>',
  '«لن نسمح بأي <b>تلاعب</b> في النتائج»',
  '&lt;script&gt;alert(3)&lt;/script&gt; و javascript:alert(4) و `code` و *نجوم*',
];

async function started(): Promise<{ f: DeskFixture; desk: DeskHandle }> {
  fixture = await deskFixture();
  desk = await startDesk(fixture.deps, { port: 0, host: '127.0.0.1' });
  return { f: fixture, desk };
}

async function hostileArticle(f: DeskFixture, over: Record<string, unknown> = {}): Promise<StoredArticle> {
  const r = await storeArticleIn(f.data, {
    url: 'https://example.org/news/hostile?a=1&b="><script>alert(5)</script>',
    title: 'عنوان <script>alert(6)</script> "مقتبس"',
    source: 'مصدر <i>مائل</i>',
    author: '<b>كاتب</b>',
    paragraphs: HOSTILE,
    categories: [],
    language: 'ar',
    imageUrl: 'https://example.org/lead.jpg?x="onerror="alert(7)',
    publishedAt: new Date(),
    ...over,
  });
  if (r.status !== 'new') throw new Error('not stored');
  return r.article;
}

/** Signs the editor in over HTTP; the session cookie. */
async function signIn(d: DeskHandle): Promise<string> {
  const page = await fetch(`${d.url}/login`);
  const cookies = page.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const res = await fetch(`${d.url}/login`, {
    method: 'POST',
    redirect: 'manual',
    body: new URLSearchParams({ _csrf: csrfOf(await page.text()), username: EDITOR, password: PASSWORD }),
    headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
  });
  expect(res.status).toBe(303);
  return res.headers
    .getSetCookie()
    .find((c) => c.startsWith('nashra_session='))!
    .split(';')[0]!;
}

/** The page's full-story section. */
const sectionOf = (body: string) => /<section class="card" id="full-story"[\s\S]*?<\/section>/.exec(body)?.[0] ?? '';

describe('the article page', () => {
  it("shows the full story as readers get it, every text escaped: the article's own HTML injects nothing", async () => {
    const { f, desk: d } = await started();
    const a = await hostileArticle(f);
    const session = await signIn(d);
    const res = await fetch(`${d.url}/articles/${a.id}`, { headers: { cookie: session } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    const section = sectionOf(body);
    expect(section).not.toBe('');
    // The blocks, in order: headline, byline, photo (named, not loaded), paragraphs, the quotation, the link.
    expect(section).toContain('<h3>عنوان &lt;script&gt;alert(6)&lt;/script&gt; &quot;مقتبس&quot;</h3>');
    expect(section).toContain('المصدر: مصدر &lt;i&gt;مائل&lt;/i&gt; · &lt;b&gt;كاتب&lt;/b&gt;');
    expect(section).toContain('بدأ الحفل &lt;script&gt;alert(document.cookie)&lt;/script&gt; في الساحة');
    expect(section).toContain('&lt;img src=x onerror=alert(1)&gt; و &quot;&gt;&lt;svg onload=alert(2)&gt;');
    expect(section).toContain('<blockquote>لن نسمح بأي &lt;b&gt;تلاعب&lt;/b&gt; في النتائج</blockquote>');
    expect(section).toContain('href="https://example.org/lead.jpg?x=&quot;onerror=&quot;alert(7)"');
    expect(section).toContain(
      'href="https://example.org/news/hostile?a=1&amp;b=&quot;&gt;&lt;script&gt;alert(5)&lt;/script&gt;"',
    );
    // Nothing of the article became markup: the only tags are the section's own.
    const tags = [...section.matchAll(/<\/?([a-z0-9]+)/gi)].map((m) => m[1]!.toLowerCase());
    expect(new Set(tags)).toEqual(
      new Set(['section', 'details', 'summary', 'h2', 'div', 'h3', 'p', 'span', 'a', 'blockquote']),
    );
    expect(section).not.toMatch(/<(script|img|svg|iframe|b|i)\b/i);
    // Every attribute of every tag is the page's own (the article's words stay text, even «onerror=»).
    const attributes = [...section.matchAll(/<[a-z][^>]*>/gi)].flatMap((m) =>
      [...m[0].matchAll(/\s([a-z-]+)=/gi)].map((a) => a[1]!),
    );
    expect(new Set(attributes)).toEqual(
      new Set(['class', 'id', 'aria-labelledby', 'dir', 'lang', 'href', 'rel', 'target']),
    );
    // No script anywhere in the page but the desk's own file.
    expect([...body.matchAll(/<script\b[^>]*>/g)].every((m) => /src="\/static\//.test(m[0]))).toBe(true);
  });

  it("a link or photo that is not http(s) is left out; the reads counted by readers' requests show where reach shows", async () => {
    const { f, desk: d } = await started();
    const a = await hostileArticle(f, {
      url: 'javascript:alert(1)',
      imageUrl: 'data:image/svg+xml,<svg onload=alert(1)>',
    });
    const session = await signIn(d);
    let section = sectionOf(await (await fetch(`${d.url}/articles/${a.id}`, { headers: { cookie: session } })).text());
    expect(section).not.toMatch(/javascript:alert\(1\)"|data:image/);
    expect(section).not.toContain('<a ');
    let body = await (await fetch(`${d.url}/articles/${a.id}`, { headers: { cookie: session } })).text();
    expect(body).toContain('<p id="full-reads">لم يُقرأ نصه الكامل في المحادثات بعد.</p>');
    await readFullStory(f.deps.outlets.main, a.id);
    await readFullStory(f.deps.outlets.main, a.id);
    body = await (await fetch(`${d.url}/articles/${a.id}`, { headers: { cookie: session } })).text();
    expect(body).toContain('<p id="full-reads">قُرئ نصه الكامل في المحادثات: قراءتان.</p>');
    // And on the Today list, beside where each story went (only where it was read).
    const today = await (await fetch(`${d.url}/`, { headers: { cookie: session } })).text();
    expect(today.match(/📖 قُرئ كاملًا: [^<]*/g)).toEqual(['📖 قُرئ كاملًا: قراءتان']);
    // The desk's own showing counts no read.
    section = sectionOf(body);
    expect(section).toContain('بدأ الحفل');
    body = await (
      await fetch(`${d.url}/articles/${a.id}?lang=en`, { headers: { cookie: `${session}; nashra_lang=en` } })
    ).text();
    expect(body).toContain('<p id="full-reads">Full text read in the chats: 2 times.</p>');
  });

  it('a retracted story shows the retraction, not its text', async () => {
    const { f, desk: d } = await started();
    const a = await hostileArticle(f);
    await confirmRetraction(f.deps.outlets.main, CLI_OPERATOR, a.id);
    const session = await signIn(d);
    const section = sectionOf(
      await (await fetch(`${d.url}/articles/${a.id}`, { headers: { cookie: session } })).text(),
    );
    expect(section).toContain('سُحب هذا الخبر: من يطلب نصه الكامل');
    expect(section).not.toContain('بدأ الحفل');
  });
});

describe('outsiders', () => {
  it('a visitor without a session gets no full text of any article, whether published, held for review or retracted', async () => {
    const { f, desk: d } = await started();
    const published = await hostileArticle(f);
    const held = await hostileArticle(f, {
      url: 'https://example.org/news/held',
      title: 'خبر ينتظر المراجعة',
      paragraphs: ['فقرة سرية لم تُنشر بعد في أي مكان على الإطلاق.'],
    });
    await f.data.repos.reviews.open(held.id, Date.now());
    const retracted = await hostileArticle(f, {
      url: 'https://example.org/news/gone',
      title: 'خبر مسحوب',
      paragraphs: ['فقرة مسحوبة لا يجوز أن يقرأها أحد بعد الآن.'],
    });
    await confirmRetraction(f.deps.outlets.main, CLI_OPERATOR, retracted.id);
    for (const a of [published, held, retracted]) {
      for (const path of [`/articles/${a.id}`, `/articles/${a.id}/preview`]) {
        const res = await fetch(`${d.url}${path}`, { redirect: 'manual' });
        expect(res.status, path).toBe(303);
        expect(res.headers.get('location')).toBe('/login');
        const text = await res.text();
        for (const p of a.paragraphs) expect(text).not.toContain(p.slice(0, 20));
      }
    }
    // Readers' own door (the chats) gives nothing of the held or the retracted one, and counts nothing.
    expect(await readFullStory(f.deps.outlets.main, held.id)).toEqual({ status: 'unknown' });
    expect(await readFullStory(f.deps.outlets.main, retracted.id)).toEqual({ status: 'retracted' });
    expect(await f.deps.outlets.main.data.repos.fullStory.reads(held.id)).toBe(0);
    expect(await f.deps.outlets.main.data.repos.fullStory.reads(retracted.id)).toBe(0);
  });
});

describe('where a group chooses the full text in the group (template.fullStoryInGroup, off by default)', () => {
  it("the desk's settings form offers it for a group (not a channel) and saves it, audited", async () => {
    const { f, desk: d } = await started();
    const group = await f.data.repos.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: '120363000000000009@g.us', kind: 'group', title: 'الحي' },
      Date.now(),
    );
    const channel = await f.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001', kind: 'channel' },
      Date.now(),
    );
    const session = await signIn(d);
    const channelForm = await (
      await fetch(`${d.url}/subscriptions/${channel.id}/settings`, { headers: { cookie: session } })
    ).text();
    expect(channelForm).not.toContain('name="full_story_in_group"');
    const page = await fetch(`${d.url}/subscriptions/${group.id}/settings`, { headers: { cookie: session } });
    // The CSRF secret's cookie comes with the form, as a browser keeps it.
    const cookies = [session, ...page.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
    const form = await page.text();
    expect(form).toMatch(/<select name="full_story_in_group">\s*<option value="default" selected>/);
    const res = await fetch(`${d.url}/subscriptions/${group.id}/settings`, {
      method: 'POST',
      redirect: 'manual',
      body: new URLSearchParams({ _csrf: csrfOf(form), topics: '', full_story_in_group: 'on' }),
      headers: { cookie: cookies, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(res.status).toBe(303);
    expect(await f.data.repos.subscriptions.template(group.id)).toEqual({ fullStoryInGroup: true });
    expect(
      (await f.data.repos.reads.audit({ limit: 5 })).find((e) => e.action === 'subscription.update')?.detail,
    ).toMatchObject({ changes: ['fullStoryInGroup'] });
  });

  it('`nashra subs set --full-story-in-group` and `--no-full-story-in-group` set it, `--default full-story-in-group` returns it to off', async () => {
    const db = `${cliDir()}/cli.db`;
    const at = (...args: string[]) => runCliInProcess([...args, '--db', db]);
    expect((await at('subs', 'add', 'whatsapp', '120363000000000009@g.us', '--kind', 'group')).code).toBe(0);
    let r = await at('subs', 'set', '1', '--full-story-in-group');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/changed: fullStoryInGroup/);
    expect(r.stdout).toMatch(/^full text in the group on a reader's request: on$/m);
    r = await at('subs', 'set', '1', '--no-full-story-in-group');
    expect(r.stdout).toMatch(/^full text in the group on a reader's request: off$/m);
    r = await at('subs', 'set', '1', '--default', 'full-story-in-group');
    expect(r.stdout).toMatch(/^full text in the group on a reader's request: off \(default\)$/m);
  });
});
