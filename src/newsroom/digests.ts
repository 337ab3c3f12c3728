import { catalogue } from '../i18n/index.js';
import type { Config } from '../config.js';
import { lastPeriodEnd, type DigestSchedule } from '../text/schedule.js';
import type { Markup } from '../format/post.js';
import { renderArticle } from '../format/render.js';
import type { DeliverySettings } from '../model/subscription.js';
import type { StoredArticle } from '../model/article.js';
import type { DataPorts, Repositories } from '../ports/index.js';

type RenderConfig = Pick<Config, 'timeZone' | 'template'>;

/** One message of a digest and the articles it carries. */
export interface DigestMessage {
  text: string;
  articleIds: number[];
}

/** Between items: a blank line; each item opens with its bold headline. */
const ITEM_SEPARATOR = '\n\n';
/** What each item shows: headline, (first summary sentence), link; the configured header mark, footer, date and topics are the single posts'. */
const ITEM_TEMPLATE = { headerMark: '', footer: '', showDate: false, showSource: false, showHashtags: false };
/** Room kept for the header line, whatever the count and part number: «📰 ملخص الأخبار (200) · 12/12». */
const HEADER_ROOM = 64;

/**
 * One digest, as few messages as the platform's limit allows, split between items and never inside one: each item
 * is its headline and link, and the newest items also carry their first summary sentence as far as that costs no
 * extra message (200 headlines fill about 7 Telegram messages; with every first sentence they would take 19). Items
 * newest first, as given. The platform comes in
 * only through its markup (escaping, bold, link line, limit). `rendered` keeps item texts across the digests of one
 * closing (1,000 subscriptions share the same 200 items: rendered once per platform, not once per chat).
 */
export function buildDigest(
  articles: readonly StoredArticle[],
  markup: Markup,
  config: RenderConfig,
  rendered = new Map<string, string>(),
): DigestMessage[] {
  if (articles.length === 0) return [];
  const room = markup.limit(false) - HEADER_ROOM;
  const item = (a: StoredArticle, sentences: number) => {
    const key = `${markup.name}:${a.id}:${a.edit?.at.getTime() ?? 0}:${sentences}`;
    let text = rendered.get(key);
    if (text === undefined) {
      text = renderArticle({ ...a, summary: a.summary.slice(0, sentences) }, markup, config, {
        template: ITEM_TEMPLATE,
        maxLength: room,
      });
      rendered.set(key, text);
    }
    return text;
  };
  /** Items packed in order into messages of at most `room`; the first `withSentence` items carry their sentence. */
  const pack = (withSentence: number) => {
    const parts: Array<{ items: string[]; ids: number[]; length: number }> = [];
    let current: (typeof parts)[number] | undefined;
    articles.forEach((a, i) => {
      const text = item(a, i < withSentence ? 1 : 0);
      if (!current || current.length + ITEM_SEPARATOR.length + text.length > room) {
        current = { items: [], ids: [], length: -ITEM_SEPARATOR.length };
        parts.push(current);
      }
      current.items.push(text);
      current.ids.push(a.id);
      current.length += ITEM_SEPARATOR.length + text.length;
    });
    return parts;
  };
  // The most items with a sentence for the headline-only number of messages (more sentences never need fewer).
  const fewest = pack(0).length;
  let [low, high] = [0, articles.length];
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (pack(mid).length <= fewest) low = mid;
    else high = mid - 1;
  }
  const parts = pack(low);
  return parts.map((p, i) => ({
    text: `${header(markup, articles.length, i + 1, parts.length)}\n\n${p.items.join(ITEM_SEPARATOR)}`,
    articleIds: p.ids,
  }));
}

function header(markup: Markup, count: number, part: number, parts: number): string {
  const numbering = parts > 1 ? ` · ${part}/${parts}` : '';
  return `${markup.bold(markup.text(catalogue('ar').post.digestTitle))} (${count})${numbering}`;
}

/** The schedule a digest subscription's settings describe (undefined for an immediate one). */
export function digestSchedule(s: DeliverySettings): DigestSchedule | undefined {
  if (s.mode === 'hourly') return { kind: 'hourly' };
  if (s.mode === 'daily' && s.digestAt !== undefined) return { kind: 'daily', at: s.digestAt };
  return undefined;
}

export interface DigestCloser {
  /** Closes every digest period that has ended; resolves to how many digest messages were queued. */
  close(now: number): Promise<number>;
  /**
   * Before a digest message goes: when an article it carries was retracted since the digest closed, the digest's
   * messages not sent yet are rebuilt without it (true: look at the queue again).
   */
  refresh(part: { id: number; digestId: number; platform: string }, now: number): Promise<boolean>;
}

/**
 * Closes, for every active digest subscription, the latest period that has ended and is not closed yet: the
 * deliveries it held up to the period's end, and that no digest carries yet, become one digest (one or more
 * messages, queued in the digest outbox). A period passes once (the digest's unique key), and a delivery carried by a
 * digest message is in no other until that message has gone (or failed), so an article held for a chat goes out in
 * exactly one digest, whatever crashes, restarts or clock changes. When `nashra run` was stopped
 * over several periods, only the latest is closed and it carries everything held meanwhile.
 */
export function digestCloser(
  data: Pick<DataPorts, 'uow' | 'repos'>,
  markupFor: (platform: string) => Markup | undefined,
  config: RenderConfig,
): DigestCloser {
  /**
   * The messages of a digest carrying these held deliveries, newest article first. A retracted article is never in
   * one: its delivery is cancelled here too (a retraction cancels it already; this holds whatever the order).
   * `article` answers at once (no await) for an article read before in the same closing.
   */
  const compose = async (
    tx: Repositories,
    held: ReadonlyArray<{ id: number; articleId: number }>,
    markup: Markup,
    article: (id: number) => StoredArticle | undefined | Promise<StoredArticle | undefined>,
    rendered: Map<string, string>,
    now: number,
  ) => {
    const items: Array<{ delivery: number; article: StoredArticle }> = [];
    for (const h of held) {
      const read = article(h.articleId);
      const a = read instanceof Promise ? await read : read;
      if (a === undefined) continue;
      if (a.retracted) {
        await tx.digests.cancelRetracted(a.id, RETRACTED, now);
        continue;
      }
      items.push({ delivery: h.id, article: a });
    }
    items.sort((x, y) => time(y.article) - time(x.article) || y.article.id - x.article.id);
    const byArticle = new Map(items.map((i) => [i.article.id, i.delivery]));
    return buildDigest(
      items.map((i) => i.article),
      markup,
      config,
      rendered,
    ).map((m) => ({ text: m.text, deliveries: m.articleIds.map((id) => byArticle.get(id)!) }));
  };
  return {
    async refresh(part, now) {
      if (!(await data.repos.digests.isStale(part.id))) return false;
      const markup = markupFor(part.platform);
      if (!markup) return false;
      await data.uow.run(async (tx) => {
        const messages = await compose(
          tx,
          await tx.digests.carried(part.digestId),
          markup,
          (id) => tx.articles.get(id),
          new Map(),
          now,
        );
        await tx.digests.rewrite(
          part.digestId,
          messages,
          'rebuilt without an article retracted after the digest closed',
          now,
        );
      });
      return true;
    },
    async close(now: number): Promise<number> {
      let queued = 0;
      const rendered = new Map<string, string>();
      const articles = new Map<number, StoredArticle | undefined>();
      const due = (await data.repos.digests.subscriptions()).flatMap((d) => {
        const schedule = digestSchedule(d.settings);
        const markup = markupFor(d.platform);
        if (!schedule || !markup) return [];
        const end = lastPeriodEnd(schedule, d.settings.timeZone, now);
        return d.lastPeriodEnd !== undefined && end <= d.lastPeriodEnd ? [] : [{ ...d, markup, end }];
      });
      // A unit of work per batch: each digest is whole or absent after a crash, and 1,000 of them commit ten times,
      // not a thousand, without holding the database for the whole closing (see bench/digest.ts).
      for (let i = 0; i < due.length; i += BATCH) {
        queued += await data.uow.run(async (tx) => {
          const article = (id: number) => {
            if (articles.has(id)) return articles.get(id);
            return tx.articles.get(id).then((a) => {
              articles.set(id, a);
              return a;
            });
          };
          let sum = 0;
          for (const { subscriptionId, markup, end } of due.slice(i, i + BATCH)) {
            const held = await tx.digests.heldFor(subscriptionId, end);
            const digestId = await tx.digests.open(subscriptionId, end, held.length, now);
            if (digestId === undefined) continue;
            const messages = await compose(tx, held, markup, article, rendered, now);
            for (const [n, m] of messages.entries())
              await tx.digests.addMessage(digestId, n + 1, messages.length, m.text, m.deliveries, now);
            sum += messages.length;
          }
          return sum;
        });
      }
      return queued;
    },
  };
}

const RETRACTED = 'the article was retracted';

/** Subscriptions closed per transaction. */
const BATCH = 100;

const time = (a: StoredArticle) => (a.publishedAt ?? a.createdAt).getTime();
