/**
 * The article page of the desk shows its posts' reactions per platform (issue 25, section 2), read through the
 * newsroom's `articleReactions` (the read the Reach page uses too), and says that bots cannot read view counts.
 */
import { describe, expect, it } from 'vitest';
import { recordReactions } from '../../src/newsroom/index.js';
import { deskPerTest, get, jar, signIn } from '../helpers/desk.js';
import { queuePosts, sendQueued } from '../helpers/raw-db.js';

const setup = deskPerTest();

describe("reactions on the desk's article page", () => {
  it("lists each platform's reactions, most given first, Stars and custom emoji in words; none yet said so", async () => {
    const { app, f } = await setup();
    const j = jar();
    await signIn(app, j);
    let page = await get(app, j, `/articles/${f.article.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('لا تفاعلات بعد.');
    expect(page.body).toContain('لا تعطي المنصات البوتاتِ عدد المشاهدات');

    // One post sent to a Telegram channel (message 1001) and one to a WhatsApp group.
    const r = f.data.repos;
    const channel = await r.subscriptions.subscribe(
      { platform: 'telegram', chatId: '-1001234500001', kind: 'channel' },
      Date.now() - 60_000,
    );
    const group = await r.subscriptions.subscribe(
      { platform: 'whatsapp', chatId: '120363000000000001@g.us', kind: 'group' },
      Date.now() - 60_000,
    );
    expect(await queuePosts(f.data, f.article.id, [channel.id, group.id])).toBe(2);
    expect(await sendQueued(f.data, 'telegram', 5, () => '1001')).toHaveLength(1);
    expect(await sendQueued(f.data, 'whatsapp', 5, () => 'true_120363000000000001@g.us_3EB0AA')).toHaveLength(1);
    const newsroom = f.deps.outlets.main;
    const at = Date.now();
    expect(
      await recordReactions(newsroom, {
        kind: 'counts',
        platform: 'telegram',
        chatId: '-1001234500001',
        messageId: '1001',
        at,
        counts: [
          { emoji: '❤', count: 4 },
          { emoji: '👍', count: 12 },
          { emoji: 'paid', count: 3 },
          { emoji: 'custom:1', count: 2 },
          { emoji: 'custom:2', count: 5 },
        ],
      }),
    ).toBe('recorded');
    expect(
      await recordReactions(newsroom, {
        kind: 'change',
        platform: 'whatsapp',
        chatId: '120363000000000001@g.us',
        messageId: 'true_120363000000000001@g.us_3EB0AA',
        removed: [],
        added: ['🙏'],
        event: 'e1',
        at,
      }),
    ).toBe('recorded');

    page = await get(app, j, `/articles/${f.article.id}`);
    const section = /<div id="reactions">[\s\S]*?<\/div>/.exec(page.body)?.[0] ?? '';
    const text = section.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ');
    expect(text).toContain('تيليغرام: 👍 12 · رموز مخصّصة 7 · ❤ 4 · ⭐ نجوم 3');
    expect(text).toContain('واتساب: 🙏 1');
    expect(text).not.toContain('لا تفاعلات بعد');

    j.cookies.set('nashra_lang', 'en');
    const english =
      /<div id="reactions">[\s\S]*?<\/div>/.exec((await get(app, j, `/articles/${f.article.id}`)).body)?.[0] ?? '';
    expect(english.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ')).toContain(
      'Telegram: 👍 12 · custom emoji 7 · ❤ 4 · ⭐ Stars 3',
    );
    expect(english).toContain('Platforms do not give bots view counts');
  });
});
