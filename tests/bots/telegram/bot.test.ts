import { afterEach, describe, expect, it } from 'vitest';
import {
  addArticle,
  callback,
  EDITOR,
  message,
  privateChat,
  repliesTo,
  startHarness,
  TOKEN,
  waitFor,
  type Harness,
} from '../../fake-telegram/harness.js';
import { routeArticleIn } from '../../helpers/articles.js';
import { startFeedServer } from '../../helpers/feed-server.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const plain = (s: string) => s.replace(/[\u2068\u2069\u200f]/g, '');
const toSubscribers = (h: Harness) =>
  h.fake.sent('sendMessage').filter((c) => Number(c.params.chat_id) >= 10_000 && Number(c.params.chat_id) < 10_200);
const chat = (h: Harness, platform: string, chatId: string) => h.data.repos.subscriptions.findByChat(platform, chatId);
/** The states of an article's posts, oldest first; the audit log, oldest first (rows no port reads back). */
const postStates = async (h: Harness, articleId: number) =>
  (await h.db.sql(`SELECT state FROM jobs WHERE article_id = ? AND kind = 'post' ORDER BY id`, articleId)).map(
    (r) => r.state as string,
  );
const audit = (h: Harness) => h.db.sql('SELECT platform, actor, action FROM audit_log ORDER BY id');
const tokenFree = (h: Harness) => {
  for (const line of h.lines) expect(line).not.toContain(TOKEN);
  for (const line of h.lines) expect(line).not.toContain(TOKEN.split(':')[1]);
};

describe('telegram bot: readers and subscribers', () => {
  it('answers /latest with the newest summaries in one HTML message, in Arabic or English', async () => {
    h = await startHarness();
    const a = await addArticle(h.data);
    const b = await addArticle(h.data);
    h.fake.pushUpdate(message(privateChat(101), 101, '/latest 2'));
    await waitFor(() => repliesTo(h!, 101).length === 1, 5000, '/latest reply');
    const reply = repliesTo(h, 101)[0]!;
    expect(reply.params.parse_mode).toBe('HTML');
    expect(plain(reply.params.text)).toContain(a.title);
    expect(plain(reply.params.text)).toContain(b.title);
    h.fake.pushUpdate(message(privateChat(102), 102, '/help', {}, 'en'));
    await waitFor(() => repliesTo(h!, 102).length === 1, 5000, '/help reply');
    expect(repliesTo(h, 102)[0]!.params.text).toContain('Commands');
    // Commands registered in Arabic (default) and English.
    const menus = h.fake.calls.filter((c) => c.method === 'setMyCommands');
    expect(menus.map((c) => c.params.language_code ?? 'default').sort()).toEqual(['default', 'en']);
    tokenFree(h);
  });

  it('takes a filter in /subscribe and says it back in words', async () => {
    h = await startHarness();
    h.fake.pushUpdate(message(privateChat(231), 231, '/subscribe الرقة "دير الزور" -"كرة القدم"'));
    await waitFor(() => repliesTo(h!, 231).length === 1, 5000, 'reply');
    expect((await chat(h, 'telegram', '231'))!.topics).toEqual(['الرقة', 'دير الزور', '-كرة القدم']);
    expect(repliesTo(h, 231)[0]!.params.text).toBe('تمّ الاشتراك في: الرقة، دير الزور؛ عدا: كرة القدم');
  });

  it('subscribes and unsubscribes a private chat', async () => {
    h = await startHarness();
    h.fake.pushUpdate(message(privateChat(201), 201, '/subscribe سوريا'));
    await waitFor(async () => (await chat(h!, 'telegram', '201'))?.active === true, 5000, 'subscription');
    expect(await chat(h, 'telegram', '201')).toMatchObject({ kind: 'private', topics: ['سوريا'] });
    h.fake.pushUpdate(message(privateChat(201), 201, '/unsubscribe'));
    await waitFor(async () => (await chat(h!, 'telegram', '201'))?.active === false, 5000, 'unsubscription');
    await waitFor(() => repliesTo(h!, 201).length === 2);
  });

  it('subscribing is audited; a repeat says «already»; /unsubscribe cancels what is still queued for the chat', async () => {
    h = await startHarness();
    await h.worker.stop(100); // nothing leaves, so the queue can be seen being cancelled
    h.fake.pushUpdate(message(privateChat(211), 211, '/subscribe'));
    await waitFor(() => repliesTo(h!, 211).length === 1, 5000, 'subscribed');
    h.fake.pushUpdate(message(privateChat(211), 211, '/subscribe'));
    await waitFor(() => repliesTo(h!, 211).length === 2, 5000, 'already');
    expect(plain(repliesTo(h, 211)[1]!.params.text)).toBe('أنت مشترك بالفعل.');
    const sub = (await chat(h, 'telegram', '211'))!;
    const article = await addArticle(h.data);
    await routeArticleIn(h.data, article);
    expect(await postStates(h, article.id)).toEqual(['queued']);
    h.fake.pushUpdate(message(privateChat(211), 211, '/unsubscribe'));
    await waitFor(async () => (await postStates(h!, article.id))[0] === 'failed', 5000, 'queued delivery cancelled');
    expect((await h.data.repos.subscriptions.get(sub.id))!.active).toBe(false);
    expect((await audit(h)).map((e) => [e.platform, e.actor, e.action])).toEqual([
      ['telegram', '211', 'subscription.add'],
      ['telegram', '211', 'subscription.remove'],
    ]);
  });

  it('answers a private message that is not a command, or an unknown command, with a pointer to /help', async () => {
    h = await startHarness();
    h.fake.pushUpdate(message(privateChat(221), 221, 'مرحبا'));
    h.fake.pushUpdate(message(privateChat(222), 222, '/foo', {}, 'en'));
    await waitFor(() => repliesTo(h!, 221).length === 1 && repliesTo(h!, 222).length === 1, 5000, 'two replies');
    expect(repliesTo(h, 221)[0]!.params.text).toContain('/help');
    expect(repliesTo(h, 222)[0]!.params.text).toBe(
      'I did not understand. Send /help for the commands, or /latest for the latest news.',
    );
  });

  it("lets a group's admin change its subscription and politely refuses a member", async () => {
    h = await startHarness();
    const group = { id: -1000301, type: 'supergroup' as const, title: 'أخبار الحي' };
    h.fake.setMember(group.id, 301, { status: 'administrator', can_be_edited: false });
    h.fake.pushUpdate(message(group, 302, '/subscribe'));
    await waitFor(() => repliesTo(h!, group.id).length === 1, 5000, 'refusal');
    expect(repliesTo(h, group.id)[0]!.params.text).toContain('مشرفوها');
    expect(await chat(h, 'telegram', String(group.id))).toBeUndefined();
    h.fake.pushUpdate(message(group, 301, '/subscribe'));
    await waitFor(
      async () => (await chat(h!, 'telegram', String(group.id)))?.active === true,
      5000,
      'group subscription',
    );
    expect((await chat(h, 'telegram', String(group.id)))!.kind).toBe('group');
  });

  it('keeps a forum topic as the thread and sends the news there', async () => {
    h = await startHarness();
    const forum = { id: -1000401, type: 'supergroup' as const, title: 'منتدى', is_forum: true };
    h.fake.setMember(forum.id, 401, { status: 'creator', is_anonymous: false });
    h.fake.pushUpdate(message(forum, 401, '/subscribe', { is_topic_message: true, message_thread_id: 42 }));
    await waitFor(async () => (await chat(h!, 'telegram', String(forum.id))) !== undefined, 5000, 'forum subscription');
    const sub = (await chat(h, 'telegram', String(forum.id)))!;
    expect(sub.threadId).toBe(42);
    const article = await addArticle(h.data);
    await h.data.repos.audience.queueListed(article.id, [sub.id], {}, Date.now());
    h.worker.notify();
    await waitFor(
      () => h!.fake.sentTo(forum.id).some((c) => plain(c.params.text ?? '').includes(article.title)),
      5000,
      'forum delivery',
    ).catch((e) => {
      console.log(h!.lines.join('\n'), h!.fake.calls.slice(-5));
      throw e;
    });
    expect(
      h.fake.sentTo(forum.id).find((c) => plain(c.params.text ?? '').includes(article.title))!.params.message_thread_id,
    ).toBe(42);
  });

  it("toggles topics with inline buttons: the newsroom's NASHRA_TOPICS and the categories its sources use", async () => {
    h = await startHarness({ env: { NASHRA_TOPICS: 'الاقتصاد،الرقة' } });
    await addArticle(h.data, { categories: ['سياسة', 'رياضة'] });
    h.fake.pushUpdate(message(privateChat(501), 501, '/subscribe'));
    await waitFor(async () => (await chat(h!, 'telegram', '501')) !== undefined);
    h.fake.pushUpdate(message(privateChat(501), 501, '/topics'));
    await waitFor(() => repliesTo(h!, 501).some((c) => c.params.reply_markup), 5000, 'topics keyboard');
    const keyboard = repliesTo(h, 501)
      .find((c) => c.params.reply_markup)!
      .params.reply_markup.inline_keyboard.flat();
    expect(keyboard.map((b: { text: string }) => b.text)).toEqual(['الاقتصاد', 'الرقة', 'رياضة', 'سياسة']);
    const economy = keyboard.find((b: { text: string }) => b.text === 'الاقتصاد');
    h.fake.pushUpdate(callback(501, economy.callback_data, 501));
    await waitFor(
      async () => (await chat(h!, 'telegram', '501'))!.topics.includes('الاقتصاد'),
      5000,
      'topic toggled on',
    );
  });

  it('slows down a reader flooding commands while others are still served', async () => {
    h = await startHarness({ bot: { commandLimit: { limit: 3, windowMs: 10_000 } } });
    await addArticle(h.data);
    for (let i = 0; i < 30; i++) h.fake.pushUpdate(message(privateChat(601), 601, '/start'));
    h.fake.pushUpdate(message(privateChat(602), 602, '/start'));
    await waitFor(() => repliesTo(h!, 602).length === 1, 5000, 'other user served');
    await waitFor(() => repliesTo(h!, 601).length === 4, 8000, 'flooder: 3 answers + one warning');
    await new Promise((r) => setTimeout(r, 500));
    const texts = repliesTo(h, 601).map((c) => c.params.text as string);
    expect(texts).toHaveLength(4);
    expect(texts.filter((t) => t.includes('بسرعة'))).toHaveLength(1);
  });
});

describe('telegram bot: membership', () => {
  it('deactivates on kick (my_chat_member) and follows a group that became a supergroup', async () => {
    h = await startHarness();
    await h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-701', kind: 'group' }, Date.now());
    await h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '-702', kind: 'group' }, Date.now());
    const me = { id: h.fake.botId, is_bot: true, first_name: 'Nashra' };
    h.fake.pushUpdate({
      my_chat_member: {
        chat: { id: -701, type: 'group', title: 'g' },
        from: { id: 9, is_bot: false, first_name: 'a' },
        date: 1,
        old_chat_member: { status: 'member', user: me },
        new_chat_member: { status: 'left', user: me },
      },
    });
    await waitFor(async () => (await chat(h!, 'telegram', '-701'))?.active === false, 5000, 'kicked → inactive');
    expect((await chat(h, 'telegram', '-701'))!.deactivatedReason).toMatch(/removed/);
    h.fake.pushUpdate(message({ id: -702, type: 'group', title: 'g' }, 9, '', { migrate_to_chat_id: -1000702 }));
    await waitFor(async () => (await chat(h!, 'telegram', '-1000702')) !== undefined, 5000, 'migrated');
  });

  it('adds a channel for an editor only when the bot may post there, and says what is missing', async () => {
    h = await startHarness();
    h.fake.setChat('@news_chan', { id: -1000801, type: 'channel', title: 'قناة الأخبار' });
    h.fake.setMember(-1000801, h.fake.botId, {
      status: 'administrator',
      can_post_messages: false,
      can_be_edited: false,
    });
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/addchannel @news_chan'));
    await waitFor(() => repliesTo(h!, EDITOR).length === 1, 5000, 'missing right');
    expect(repliesTo(h, EDITOR)[0]!.params.text).toContain('نشر الرسائل');
    h.fake.setMember(-1000801, h.fake.botId, {
      status: 'administrator',
      can_post_messages: true,
      can_be_edited: false,
    });
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/addchannel @news_chan'));
    await waitFor(async () => (await chat(h!, 'telegram', '-1000801'))?.kind === 'channel', 5000, 'channel subscribed');
    expect((await audit(h)).some((e) => e.action === 'subscription.add')).toBe(true);
  });
});

describe('telegram bot: editors', () => {
  it('broadcasts to 200 subscribers exactly once after «إرسال»; forged and repeated presses do nothing', async () => {
    h = await startHarness({ limits: { globalPerSecond: 300, perChatPerSecond: 5, perGroupPerMinute: 200 } });
    const article = await addArticle(h.data);
    for (let i = 0; i < 200; i++)
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(10_000 + i), kind: 'private' },
        Date.now(),
      );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(() => repliesTo(h!, EDITOR).some((c) => c.params.reply_markup), 5000, 'preview');
    const preview = repliesTo(h, EDITOR).find((c) => c.params.reply_markup)!;
    expect(plain(preview.params.text)).toContain(article.title);
    expect(repliesTo(h, EDITOR)[0]!.params.text).toContain('200');
    const [send, cancel] = preview.params.reply_markup.inline_keyboard[0];
    expect(send.text).toBe('إرسال');
    expect(cancel.text).toBe('إلغاء');

    // A non-editor pressing (or forging) the button: refused, nothing queued.
    h.fake.pushUpdate(callback(999, send.callback_data, 999));
    await waitFor(
      () => h!.fake.calls.some((c) => c.method === 'answerCallbackQuery' && c.params.show_alert),
      5000,
      'forged refused',
    );
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([]);
    // A forged token from an editor is refused too.
    h.fake.pushUpdate(callback(EDITOR, send.callback_data.replace(/:[0-9a-f]+$/, ':deadbeef')));
    // The editor presses twice.
    h.fake.pushUpdate(callback(EDITOR, send.callback_data));
    h.fake.pushUpdate(callback(EDITOR, send.callback_data));
    await waitFor(() => toSubscribers(h!).length >= 200, 60_000, '200 deliveries');
    await waitFor(async () => (await h!.data.repos.broadcasts.get(1))?.state === 'done', 5000, 'broadcast done');
    await waitFor(
      () => h!.fake.sent('editMessageText').some((c) => /انتهى النشر/.test(c.params.text)),
      5000,
      'progress shows done',
    );
    const perChat = new Map<string, number>();
    for (const c of h.fake.sent('sendMessage'))
      perChat.set(String(c.params.chat_id), (perChat.get(String(c.params.chat_id)) ?? 0) + 1);
    for (let i = 0; i < 200; i++) expect(perChat.get(String(10_000 + i))).toBe(1);
    expect(await h.data.repos.broadcasts.progress(1)).toMatchObject({ sent: 200, failed: 0, queued: 0 });
    // A replay after it was queued does nothing either.
    h.fake.pushUpdate(callback(EDITOR, send.callback_data));
    await new Promise((r) => setTimeout(r, 300));
    expect(toSubscribers(h)).toHaveLength(200);
    const actions = (await audit(h)).map((e) => e.action);
    expect(actions).toContain('broadcast.preview');
    expect(actions.filter((a) => a === 'broadcast.confirm')).toHaveLength(1);
    expect(actions).toContain('refused');
    tokenFree(h);
  }, 90_000); // 200 sends: 2.5 s alone on PostgreSQL, over 30 s in its pass (three files at once on 2 cores)

  it('previews a link that is not stored yet: fetched, read, summarised and stored, with nothing queued before «إرسال»', async () => {
    const site = await startFeedServer({ '/news/story/': { file: 'pages/wp-article-1.html' } });
    try {
      h = await startHarness({ env: { NASHRA_ALLOW_PRIVATE_FETCH: '1' } });
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: '10001', kind: 'private' },
        Date.now(),
      );
      h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${site.base}/news/story/`));
      await waitFor(() => repliesTo(h!, EDITOR).some((c) => c.params.reply_markup), 10_000, 'preview');
      const stored = (await h.data.repos.reads.latest(1, Date.now()))[0]!;
      expect(stored.url).toBe(`${site.base}/wp/article-1`); // the page names its canonical address
      expect(plain(repliesTo(h, EDITOR).find((c) => c.params.reply_markup)!.params.text)).toContain(stored.title);
      expect(await postStates(h, stored.id)).toEqual([]);
    } finally {
      await site.close();
    }
  });

  it('shows «إيقاف» before the first delivery leaves', async () => {
    h = await startHarness({ limits: { globalPerSecond: 2, perChatPerSecond: 1, perGroupPerMinute: 20 } });
    const article = await addArticle(h.data);
    for (let i = 0; i < 4; i++)
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(10_000 + i), kind: 'private' },
        Date.now(),
      );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(() => repliesTo(h!, EDITOR).some((c) => c.params.reply_markup), 5000, 'preview');
    const send = repliesTo(h, EDITOR).find((c) => c.params.reply_markup)!.params.reply_markup.inline_keyboard[0][0];
    h.fake.pushUpdate(callback(EDITOR, send.callback_data));
    await waitFor(() => toSubscribers(h!).length >= 1, 10_000, 'the first delivery');
    const calls = h.fake.sent('sendMessage');
    const stopShown = calls.findIndex(
      (c) =>
        String(c.params.chat_id) === String(EDITOR) && JSON.stringify(c.params.reply_markup ?? {}).includes('bc:stop:'),
    );
    const firstDelivery = calls.findIndex(
      (c) => Number(c.params.chat_id) >= 10_000 && Number(c.params.chat_id) < 10_200,
    );
    expect(stopShown).toBeGreaterThanOrEqual(0);
    expect(stopShown).toBeLessThan(firstDelivery);
  });

  it('offers «إعادة إرسال الفاشلة» on a finished broadcast with failures, and sends those again', async () => {
    h = await startHarness();
    const article = await addArticle(h.data);
    for (const chat of [10_001, 10_002])
      await h.data.repos.subscriptions.subscribe(
        { platform: 'telegram', chatId: String(chat), kind: 'private' },
        Date.now(),
      );
    h.fake.failFor(10_002, { kind: 'server_error' }); // a chat whose requests keep failing with 500 until the retries run out
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${article.id}`));
    await waitFor(() => repliesTo(h!, EDITOR).some((c) => c.params.reply_markup), 5000, 'preview');
    const send = repliesTo(h, EDITOR).find((c) => c.params.reply_markup)!.params.reply_markup.inline_keyboard[0][0];
    h.fake.pushUpdate(callback(EDITOR, send.callback_data));
    const resendButton = () =>
      h!.fake
        .sent('editMessageText')
        .map((c) => c.params.reply_markup?.inline_keyboard?.[0]?.[0])
        .find((b) => b?.text === 'إعادة إرسال الفاشلة');
    await waitFor(() => resendButton() !== undefined, 20_000, 'the finished progress message with the resend button');
    expect((await postStates(h, article.id)).sort()).toEqual(['failed', 'sent']);
    h.fake.failFor(10_002, undefined);
    h.fake.pushUpdate(callback(EDITOR, resendButton().callback_data));
    await waitFor(() => h!.fake.sentTo(10_002).length === 1, 10_000, 'the failed chat receives it');
    expect(h.fake.sentTo(10_001)).toHaveLength(1);
    expect((await audit(h)).map((e) => e.action)).toContain('delivery.resend_failed');
  }, 40_000);

  it('refuses a non-editor in one line and queues nothing', async () => {
    h = await startHarness();
    const article = await addArticle(h.data);
    await h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '901', kind: 'private' }, Date.now());
    h.fake.pushUpdate(message(privateChat(902), 902, `/broadcast ${article.id}`));
    h.fake.pushUpdate(message(privateChat(903), 903, '/urgent انفجار'));
    await waitFor(() => repliesTo(h!, 902).length === 1 && repliesTo(h!, 903).length === 1, 5000, 'refusals');
    expect(repliesTo(h, 902)[0]!.params.text).toBe('هذا الأمر للمحرّرين فقط.');
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([]);
    expect(await h.data.repos.broadcasts.get(1)).toBeUndefined();
  });

  it('sends an urgent alert with the «عاجل» mark, no link, at high priority', async () => {
    h = await startHarness();
    await h.data.repos.subscriptions.subscribe(
      { platform: 'telegram', chatId: '951', kind: 'private', topics: ['الرياضة'] },
      Date.now(),
    );
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, '/urgent زلزال بقوة خمس درجات يضرب شمال سوريا'));
    await waitFor(() => repliesTo(h!, EDITOR).some((c) => c.params.reply_markup), 5000, 'urgent preview');
    const preview = repliesTo(h, EDITOR).find((c) => c.params.reply_markup)!;
    expect(preview.params.text).toContain('عاجل');
    expect(preview.params.text).not.toContain('urgent:');
    h.fake.pushUpdate(callback(EDITOR, preview.params.reply_markup.inline_keyboard[0][0].callback_data));
    await waitFor(() => h!.fake.sentTo(951).length === 1, 5000, 'urgent delivered (topics ignored)');
    expect(h.fake.sentTo(951)[0]!.params.text).toContain('زلزال');
    expect(await postStates(h, (await h.data.repos.broadcasts.get(1))!.articleId)).toHaveLength(1);
  });
});
