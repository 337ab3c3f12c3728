import { Composer, type Context } from 'grammy';
import { errorMessage, PermissionError, UserError } from '../../src/errors.js';
import { withoutLeadingUrl } from '../../src/ingest/http.js';
import { catalogue } from '../../src/i18n/index.js';
import { importOpml, OPML_MAX_BYTES } from '../../src/newsroom/index.js';
import { RefusedError } from '../../src/refusal.js';
import { actorOf, isEditor, refusal, type BotDeps } from './context.js';
import { langOf, messages } from './i18n.js';
import { TELEGRAM_LABEL } from './label.js';

/**
 * An editor sends the bot an OPML file (a feed reader's export) in the private chat: it is downloaded from the Bot
 * API's file endpoint and imported by the newsroom's importOpml, which applies the same checks as `nashra sources
 * import`; the reply is the same report in words.
 */

/** The words: the catalogue's (src/i18n), the platform named by its descriptor's label. */
const WORDS = { ar: messages('ar').opml, en: messages('en').opml };
const MB = OPML_MAX_BYTES / 1024 / 1024;

/** A reply stays one message: the longest report lines are cut, the counts come first. */
const REPLY_MAX = 3500;

const isOpmlFile = (name: string | undefined, mime: string | undefined) =>
  /\.(opml|xml)$/i.test(name ?? '') || /opml/i.test(mime ?? '');

export function opmlImport(deps: BotDeps): Composer<Context> {
  const c = new Composer<Context>();
  const { config, logger } = deps;

  /** The file's text, from GET <apiRoot>/file/bot<token>/<file_path>. The URL holds the token: it never reaches a message. */
  const download = async (ctx: Context, fileId: string): Promise<string> => {
    const file = await ctx.api.getFile(fileId);
    if (!file.file_path) throw new Error('getFile gave no file_path');
    const res = await fetch(`${config.telegram.apiRoot}/file/bot${config.telegram.token}/${file.file_path}`, {
      signal: AbortSignal.timeout(config.fetch.timeoutMs),
    }).catch((err: unknown) => {
      throw new Error(
        `file download failed (${(err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name})`,
      );
    });
    if (!res.ok) throw new Error(`file download answered ${res.status}`);
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > OPML_MAX_BYTES) throw new RefusedError({ kind: 'opml-too-large', mb: MB });
    return body.toString('utf8');
  };

  c.chatType('private').on('message:document', async (ctx, next) => {
    const doc = ctx.msg.document;
    if (!isOpmlFile(doc.file_name, doc.mime_type)) return next();
    const lang = langOf(ctx.from.language_code);
    const w = WORDS[lang];
    if (!(await isEditor(deps, ctx))) return void (await ctx.reply(w.notEditor));
    if ((doc.file_size ?? 0) > OPML_MAX_BYTES) return void (await ctx.reply(w.tooLarge(MB)));
    let xml: string;
    try {
      xml = await download(ctx, doc.file_id);
    } catch (err) {
      logger.warn('telegram: OPML file not downloaded', { error: errorMessage(err) });
      return void (await ctx.reply(
        err instanceof UserError ? w.tooLarge(MB) : w.unreadable(TELEGRAM_LABEL[langOf(ctx.from.language_code)]),
      ));
    }
    await ctx.reply(w.working(doc.file_name ?? 'OPML'));
    try {
      const report = await importOpml(deps.newsroom, actorOf(ctx), xml);
      const lines = report.outcomes.map((o) =>
        o.kind === 'refused'
          ? `${w.refused}: ${o.feed.url} — ${withoutLeadingUrl(o.refusal ? catalogue(lang).refused(o.refusal) : o.reason, o.feed.url)}`
          : `${o.kind === 'added' ? w.added : w.already}: #${o.source.id} ${o.source.name}`,
      );
      let text = [w.report(report), '', ...lines].join('\n');
      if (text.length > REPLY_MAX) text = `${text.slice(0, REPLY_MAX)}…`;
      await ctx.reply(text, { link_preview_options: { is_disabled: true } });
    } catch (err) {
      if (err instanceof PermissionError) return void (await ctx.reply(w.notEditor));
      if (err instanceof UserError) return void (await ctx.reply(refusal(ctx, err)));
      throw err;
    }
  });
  return c;
}
