/**
 * Hostile and broken Telegram updates pushed through the fake's getUpdates into the real bot (runner, limiter,
 * composers): each one has a clear outcome, nothing crashes, and an ordinary reader is still served afterwards.
 * What tests/bots/telegram/bot.test.ts already proves (a non-editor pressing a real «إرسال», a forged token, double and
 * replayed presses, a 30-command flood with a custom limit) is not repeated here.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  addArticle,
  callback,
  EDITOR,
  message,
  privateChat,
  repliesTo,
  startHarness,
  waitFor,
  type Harness,
} from '../../fake-telegram/harness.js';
import { auditLog } from '../../helpers/raw-db.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const answers = (h: Harness) => h.fake.calls.filter((c) => c.method === 'answerCallbackQuery');
const settle = (ms = 400) => new Promise((r) => setTimeout(r, ms));
const updatesHandled = (h: Harness, lastId: number) =>
  waitFor(
    () => h.fake.calls.some((c) => c.method === 'getUpdates' && Number(c.params.offset ?? 0) > lastId),
    5000,
    `update ${lastId} consumed`,
  );

/** A previewed broadcast (state `preview`), with its «إرسال» callback data. */
async function preview(h: Harness, articleId: number): Promise<string> {
  const before = repliesTo(h, EDITOR).filter((c) => c.params.reply_markup).length;
  h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${articleId}`));
  await waitFor(() => repliesTo(h, EDITOR).filter((c) => c.params.reply_markup).length > before, 5000, 'preview');
  return repliesTo(h, EDITOR)
    .filter((c) => c.params.reply_markup)
    .at(-1)!.params.reply_markup.inline_keyboard[0][0].callback_data;
}

describe('security: hostile updates', () => {
  it('ignores unknown, edited, channel and other-bot updates, answers @ours, survives 4,000-character arguments', async () => {
    h = await startHarness();
    const a = await addArticle(h.data);
    const me = h.fake.botUsername;
    const outcomes: string[] = [];

    // Unknown update types and an update with no payload at all.
    h.fake.pushUpdate({ some_future_update: { id: 1, text: '/latest' } });
    h.fake.pushUpdate({});
    h.fake.pushUpdate({
      poll: {
        id: 'p',
        question: 'q',
        options: [],
        total_voter_count: 0,
        is_closed: false,
        is_anonymous: true,
        type: 'regular',
        allows_multiple_answers: false,
      },
    });
    // An edited message that now reads /latest: an edit must not re-run a command (nor slip past the limiter).
    const edited = message(privateChat(701), 701, '/latest').message;
    h.fake.pushUpdate({ edited_message: { ...edited, edit_date: edited.date + 1 } });
    // A channel post with an editor command: no sender, so no editor.
    let last = h.fake.pushUpdate({
      channel_post: {
        message_id: 5,
        date: 1,
        chat: { id: -100777, type: 'channel', title: 'c' },
        text: `/broadcast ${a.id}`,
        entities: [{ type: 'bot_command', offset: 0, length: 10 }],
      },
    });
    await updatesHandled(h, last);
    await settle();
    expect(repliesTo(h, 701)).toHaveLength(0);
    expect(await h.data.repos.broadcasts.get(1)).toBeUndefined();
    expect(repliesTo(h, -100777).map((c) => c.params.text)).toEqual([]); // nothing is ever published to a channel in answer to a post
    outcomes.push(`unknown/empty/poll/edited/channel_post: no reply to 701, no broadcast, no reply in the channel`);

    // A command addressed to another bot in a group: not ours, no reply.
    const group = { id: -100702, type: 'supergroup' as const, title: 'g' };
    last = h.fake.pushUpdate(message(group, 702, '/latest@OtherNewsBot'));
    await updatesHandled(h, last);
    await settle();
    expect(repliesTo(h, group.id)).toHaveLength(0);
    // Addressed to us: answered.
    h.fake.pushUpdate(message(group, 702, `/latest@${me}`));
    await waitFor(() => repliesTo(h!, group.id).length === 1, 5000, '/latest@ours answered');
    expect(repliesTo(h, group.id)[0]!.params.text).toContain(a.url!.replace(/&/g, '&amp;'));
    outcomes.push(`/latest@OtherNewsBot: ignored; /latest@${me}: answered`);

    // 4,000 characters of arguments to reader and editor commands: bounded answers, no error.
    const long = 'ش'.repeat(4000);
    h.fake.pushUpdate(message(privateChat(703), 703, `/search ${long}`));
    h.fake.pushUpdate(message(privateChat(704), 704, `/latest ${'9'.repeat(4000)}`));
    h.fake.pushUpdate(message(privateChat(EDITOR), EDITOR, `/broadcast ${long}`));
    await waitFor(
      () => repliesTo(h!, 703).length === 1 && repliesTo(h!, 704).length === 1 && repliesTo(h!, EDITOR).length === 1,
      5000,
      'long-argument replies',
    );
    for (const r of [...repliesTo(h, 703), ...repliesTo(h, 704), ...repliesTo(h, EDITOR)])
      expect(String(r.params.text).length).toBeLessThanOrEqual(4096);
    expect(await h.data.repos.broadcasts.get(1)).toBeUndefined();
    outcomes.push(
      `4,000-character arguments: answered within 4096 characters (${[703, 704, EDITOR].map((c) => String(repliesTo(h!, c)[0]!.params.text).length).join(', ')})`,
    );

    expect(h.lines.filter((l) => l.includes('telegram update failed'))).toEqual([]);
    expect(h.adapter.isConnected()).toBe(true);
    h.fake.pushUpdate(message(privateChat(705), 705, '/latest'));
    await waitFor(() => repliesTo(h!, 705).length === 1, 5000, 'a normal /latest afterwards');
    console.log(`[hostile updates]\n  ${outcomes.join('\n  ')}\n  afterwards: /latest from another user answered`);
  }, 20_000);

  it('refuses forged button data: garbage, another broadcast’s token, a revoked editor; queues nothing', async () => {
    h = await startHarness();
    const a = await addArticle(h.data);
    const b = await addArticle(h.data);
    await h.data.repos.subscriptions.subscribe({ platform: 'telegram', chatId: '7100', kind: 'private' }, Date.now());
    const sendA = await preview(h, a.id); // bc:send:1:<token1>
    const sendB = await preview(h, b.id); // bc:send:2:<token2>
    const [, , idA, tokenA] = sendA.split(':');
    const [, , idB, tokenB] = sendB.split(':');
    expect(tokenA).not.toBe(tokenB);

    const garbage = [
      '',
      'bc:send',
      'bc:send:1:',
      `bc:send:${idA}:${'z'.repeat(60)}`,
      'bc:send:-1:abcd',
      `bc:nuke:${idA}:${tokenA}`,
      'bc:send:99999999999999999999:ab',
      '\u202e\u0000<b>x</b>',
      'x'.repeat(64),
    ];
    for (const data of garbage) h.fake.pushUpdate(callback(EDITOR, data));
    // Broadcast 1 pressed with broadcast 2's token (and the other way round), by the editor.
    h.fake.pushUpdate(callback(EDITOR, `bc:send:${idA}:${tokenB}`));
    h.fake.pushUpdate(callback(EDITOR, `bc:send:${idB}:${tokenA}`));
    // Every press is answered (a client otherwise shows the button spinning), garbage included.
    await waitFor(() => answers(h!).length >= garbage.length + 2, 15_000, 'every press answered');
    await settle(600);
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([]);
    expect((await h.data.repos.broadcasts.get(Number(idA)))!.state).toBe('preview');
    expect((await h.data.repos.broadcasts.get(Number(idB)))!.state).toBe('preview');

    // An editor added in the store and removed before pressing: the check is made at press time.
    await h.db.insert('editors', {
      platform: 'telegram',
      user_id: '7200',
      name: 'revoked',
      added_by: String(EDITOR),
      created_at: Date.now(),
    });
    await h.db.sql('DELETE FROM editors WHERE platform = ? AND user_id = ?', 'telegram', '7200');
    h.fake.pushUpdate(callback(7200, sendA, 7200));
    await waitFor(() => answers(h!).some((c) => c.params.show_alert), 5000, 'revoked editor refused');
    expect(await h.data.repos.outbox.countsByState(['post'])).toEqual([]);
    expect((await auditLog(h.db)).some((e) => e.action === 'refused' && e.actor === '7200')).toBe(true);

    expect(h.lines.filter((l) => l.includes('telegram update failed'))).toEqual([]);
    h.fake.pushUpdate(message(privateChat(7300), 7300, '/latest'));
    await waitFor(() => repliesTo(h!, 7300).length === 1, 5000, 'a normal /latest afterwards');
    console.log(
      `[forged buttons] ${garbage.length} garbage payloads + 2 swapped tokens + 1 revoked editor: ` +
        `0 deliveries queued, both broadcasts still in preview; ${answers(h).length} callback answers`,
    );
  }, 60_000);

  it('slows a reader sending 100 commands (default limits) to a handful of answers; another reader is answered promptly', async () => {
    h = await startHarness();
    await addArticle(h.data);
    for (let i = 0; i < 100; i++)
      h.fake.pushUpdate(message(privateChat(7400), 7400, i % 2 ? '/latest' : '/search دمشق'));
    const t0 = Date.now();
    h.fake.pushUpdate(message(privateChat(7401), 7401, '/latest'));
    await waitFor(() => repliesTo(h!, 7401).length === 1, 5000, 'other reader served');
    const otherMs = Date.now() - t0;
    await settle(1000);
    const flooder = repliesTo(h, 7400).length;
    console.log(`[flood] 100 commands from one reader: ${flooder} replies; another reader answered in ${otherMs} ms`);
    expect(flooder).toBeLessThanOrEqual(6); // 5 per 10 s window + one "slow down"
    expect(otherMs).toBeLessThan(2000);
  }, 20_000);
});
