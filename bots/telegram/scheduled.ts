import { Composer, InlineKeyboard, type Context } from 'grammy';
import type { Message } from 'grammy/types';
import { PermissionError } from '../../src/errors.js';
import {
  broadcastById,
  listScheduled,
  rescheduleBroadcast,
  scheduleBroadcast,
  SendTimeError,
  suggestSendHour,
  unscheduleBroadcast,
  type HourSuggestion,
  type ScheduleRefusal,
} from '../../src/newsroom/index.js';
import { localClock, localDateTime, MAX_SCHEDULE_AHEAD_MS, parseSendTime } from '../../src/text/schedule.js';
import { actorOf, commandArgs, editorCommand, isEditor, t, type BotDeps } from './context.js';
import type { Messages } from './i18n.js';
import { TELEGRAM_MESSAGE_LIMIT } from './markup.js';

/** A preset's time in its button's data: the local date and time as 12 digits (YYYYMMDDHHMM), read back as words. */
const packed = (words: string) => words.replace(/\D/g, '');
const unpacked = (digits: string) =>
  `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6, 8)} ${digits.slice(8, 10)}:${digits.slice(10, 12)}`;

/**
 * The «جدولة» prompt's keyboard: a few times, as buttons, and back to «إرسال» / «إلغاء». The audience's best hour
 * (most clicks per post over four weeks, where there is the history) comes first, starred.
 */
function presetKeyboard(
  m: Messages,
  id: number,
  token: string,
  zone: string,
  now: number,
  best?: HourSuggestion,
): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const today = localDateTime(now, zone).slice(0, 10);
  // The next whole hour but one (never a time a minute away), this evening's and tonight's, tomorrow morning's.
  const inAnHour = Math.ceil((now + 3_600_000) / 3_600_000) * 3_600_000;
  const bestClock = best && `${String(best.hour).padStart(2, '0')}:00`;
  const times = [...(bestClock ? [bestClock] : []), localClock(inAnHour, zone), '18:00', '21:00', '08:00'];
  const seen = new Set<number>();
  for (const clock of times) {
    const r = parseSendTime(clock, zone, now);
    if (!r.ok || seen.has(r.at)) continue;
    seen.add(r.at);
    const words = localDateTime(r.at, zone);
    const day = words.startsWith(today) ? m.scheduleToday(clock) : m.scheduleTomorrow(clock);
    const label = clock === bestClock ? `⭐ ${day}` : day;
    keyboard.text(label, `bc:at:${id}:${token}:${packed(words)}`);
    if (seen.size % 2 === 0) keyboard.row();
  }
  return keyboard;
}

/** The broadcast a reply to the «جدولة» prompt is for: the id and token its buttons carry. */
function promptOf(replied: Message | undefined): { id: number; token: string } | undefined {
  for (const row of replied?.reply_markup?.inline_keyboard ?? []) {
    for (const button of row) {
      const m = 'callback_data' in button ? /^bc:at:(\d+):([0-9a-f]+):/.exec(button.callback_data) : null;
      if (m) return { id: Number(m[1]), token: m[2]! };
    }
  }
  return undefined;
}

/** A time the newsroom refused, in the editor's words. */
function timeRefusal(m: Messages, err: SendTimeError, now: number): string {
  const text = err.text.slice(0, 40);
  if (err.reason === 'past') return m.timePast(text, localDateTime(now, err.timeZone), err.timeZone);
  if (err.reason === 'too-far') return m.timeTooFar(text, MAX_SCHEDULE_AHEAD_MS / 86_400_000);
  return m.timeMalformed(text, err.timeZone);
}

function refusal(m: Messages, kind: ScheduleRefusal, id: string, sendAt: Date | undefined, zone: string): string {
  if (kind === 'started') return m.scheduleStarted(id, sendAt ? localDateTime(sendAt.getTime(), zone) : '');
  if (kind === 'cancelled') return m.scheduleCancelledBefore(id);
  return m.scheduleNotFound(id);
}

/**
 * Scheduled sends on Telegram: the «جدولة» button under a broadcast's or an urgent alert's preview (preset times as
 * buttons, or a time sent as a reply to the prompt), `/scheduled` (the list, with a cancel button per item; `move`
 * and `cancel` by id). Words and buttons only: the newsroom checks the editor (again at every press) and the time.
 */
export function scheduledSends(deps: BotDeps): Composer<Context> {
  const zone = deps.config.timeZone;
  const c = new Composer<Context>();
  c.command('scheduled', editorCommand(deps));

  /** Schedules it and says so in the chat; a refused time or a decided broadcast in words. */
  const schedule = async (
    ctx: Context,
    id: number,
    token: string,
    words: string,
  ): Promise<{ said: string; done: boolean }> => {
    const m = t(ctx);
    const now = Date.now();
    try {
      const r = await scheduleBroadcast(deps.newsroom, actorOf(ctx), id, token, words, now);
      if (r.kind !== 'scheduled') return { said: m.alreadyDecided, done: true };
      return { said: m.scheduled(id, localDateTime(r.broadcast.sendAt.getTime(), zone), zone, r.queued), done: true };
    } catch (err) {
      if (err instanceof SendTimeError) return { said: timeRefusal(m, err, now), done: false };
      if (err instanceof PermissionError) return { said: m.notEditor, done: false };
      throw err;
    }
  };

  /** Scheduled: the preview's and the prompt's buttons go (a later press would only say it was decided). */
  const clearButtons = async (ctx: Context, prompt: Message | undefined) => {
    for (const message of [prompt, prompt?.reply_to_message]) {
      if (message)
        await ctx.api
          .editMessageReplyMarkup(message.chat.id, message.message_id, { reply_markup: undefined })
          .catch(() => undefined);
    }
  };

  // «جدولة» under the preview: the prompt, a reply to the preview, with preset times; its buttons carry the
  // broadcast's id and token (which a reply to it is read from). The preview keeps its «إرسال» / «إلغاء».
  c.callbackQuery(/^bc:when:(\d+):([0-9a-f]+)$/, async (ctx) => {
    const [, idText, token] = ctx.match;
    const m = t(ctx);
    if (!(await isEditor(deps, ctx)))
      return void (await ctx.answerCallbackQuery({ text: m.notEditor, show_alert: true }));
    await ctx.answerCallbackQuery();
    const preview = ctx.callbackQuery.message;
    const broadcast = await broadcastById(deps.newsroom, Number(idText));
    const best = broadcast?.token === token ? await suggestSendHour(deps.newsroom, broadcast.audience) : undefined;
    await ctx.reply(
      best ? `${m.scheduleAsk(zone)}\n${m.scheduleBest(best.hour, best.clicksPerPost)}` : m.scheduleAsk(zone),
      {
        reply_markup: presetKeyboard(m, Number(idText), token!, zone, Date.now(), best),
        ...(preview ? { reply_parameters: { message_id: preview.message_id, allow_sending_without_reply: true } } : {}),
      },
    );
  });

  c.callbackQuery(/^bc:at:(\d+):([0-9a-f]+):(\d{12})$/, async (ctx) => {
    const [, idText, token, digits] = ctx.match;
    const r = await schedule(ctx, Number(idText), token!, unpacked(digits!));
    await ctx.answerCallbackQuery();
    if (r.done) await clearButtons(ctx, ctx.callbackQuery.message as Message | undefined);
    await ctx.reply(r.said);
  });

  // A time sent as a reply to the prompt. Any other private text goes on (to the pointer to /help).
  c.chatType('private').on('message:text', async (ctx, next) => {
    const replied = ctx.message.reply_to_message;
    const prompt = replied?.from?.id === ctx.me.id ? promptOf(replied) : undefined;
    if (!prompt || ctx.message.text.startsWith('/')) return next();
    const r = await schedule(ctx, prompt.id, prompt.token, ctx.message.text);
    if (r.done) await clearButtons(ctx, replied);
    await ctx.reply(r.said);
  });

  c.command('scheduled', async (ctx) => {
    const m = t(ctx);
    const [action, id, ...time] = commandArgs(ctx).split(/\s+/).filter(Boolean);
    const now = Date.now();
    const number = /^#?(\d{1,15})$/.exec(id ?? '')?.[1];
    if ((action === 'move' || action === 'cancel') && number) {
      try {
        if (action === 'cancel') {
          const r = await unscheduleBroadcast(deps.newsroom, actorOf(ctx), Number(number), { now });
          return void (await ctx.reply(
            r.kind === 'cancelled-now'
              ? m.scheduledCancelled(r.broadcast.id)
              : refusal(m, r.kind, number, r.broadcast?.sendAt, zone),
          ));
        }
        const r = await rescheduleBroadcast(deps.newsroom, actorOf(ctx), Number(number), time.join(' '), { now });
        return void (await ctx.reply(
          r.kind === 'moved'
            ? m.scheduledMoved(r.broadcast.id, localDateTime(r.broadcast.sendAt.getTime(), zone), zone)
            : refusal(m, r.kind, number, r.broadcast?.sendAt, zone),
        ));
      } catch (err) {
        if (err instanceof SendTimeError) return void (await ctx.reply(timeRefusal(m, err, now)));
        throw err;
      }
    }
    const items = await listScheduled(deps.newsroom, actorOf(ctx), now);
    if (action && action !== 'list') return void (await ctx.reply(m.scheduledUsage(zone)));
    if (items.length === 0) return void (await ctx.reply(m.scheduledNone));
    const keyboard = new InlineKeyboard();
    const lines = items.slice(0, 30).map(({ broadcast: b, title, posts }, i) => {
      keyboard.text(m.scheduledCancelButton(b.id), `sc:x:${b.id}:${b.token}`);
      if (i % 2 === 1) keyboard.row();
      return m.scheduledLine(
        b.id,
        localDateTime(b.sendAt.getTime(), zone),
        title.replace(/\s+/g, ' ').slice(0, 80),
        posts,
        b.urgent,
      );
    });
    const text = `${m.scheduledTitle(items.length)}\n\n${lines.join('\n')}`.slice(0, TELEGRAM_MESSAGE_LIMIT - 400);
    await ctx.reply(`${text}\n\n${m.scheduledUsage(zone)}`, {
      reply_markup: keyboard,
      link_preview_options: { is_disabled: true },
    });
  });

  // «إلغاء #N» in the list: the broadcast's token with it, so a forged id alone does nothing.
  c.callbackQuery(/^sc:x:(\d+):([0-9a-f]+)$/, async (ctx) => {
    const [, idText, token] = ctx.match;
    const m = t(ctx);
    try {
      const r = await unscheduleBroadcast(deps.newsroom, actorOf(ctx), Number(idText), { token: token! });
      const said =
        r.kind === 'cancelled-now'
          ? m.scheduledCancelled(r.broadcast.id)
          : refusal(m, r.kind, idText!, r.broadcast?.sendAt, zone);
      await ctx.answerCallbackQuery({ text: said, show_alert: r.kind !== 'cancelled-now' });
      if (r.kind === 'cancelled-now') await ctx.reply(said);
    } catch (err) {
      if (err instanceof PermissionError)
        return void (await ctx.answerCallbackQuery({ text: m.notEditor, show_alert: true }));
      throw err;
    }
  });
  return c;
}
