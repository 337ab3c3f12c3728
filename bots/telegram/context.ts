import type { Context, NextFunction } from 'grammy';
import type { Config } from '../../src/config.js';
import { PermissionError, UserError } from '../../src/errors.js';
import type { Logger } from '../../src/logger.js';
import type { Actor, NewsroomDeps } from '../../src/newsroom/index.js';
import { refusalIn } from '../../src/refusal.js';
import { langOf, messages, type Messages } from './i18n.js';
import type { TelegramSettings } from './config.js';

/** What every feature Composer is given: passed in, never global. */
export interface BotDeps {
  config: Config & { telegram: TelegramSettings };
  logger: Logger;
  /** The newsroom actions' dependencies: every editor or subscriber action goes through them. */
  newsroom: NewsroomDeps;
  /** Topics offered by /topics: NASHRA_TOPICS and the categories the sources used lately. */
  topics: () => Promise<string[]>;
  /** How often a broadcast's progress message is edited. */
  progressIntervalMs: number;
  /** Stops timers on shutdown. */
  timers: Set<NodeJS.Timeout>;
}

export const PLATFORM = 'telegram';

export const t = (ctx: Context): Messages => messages(langOf(ctx.from?.language_code));

/** A newsroom refusal in the language of whoever sent the update (another UserError: its own message). */
export const refusal = (ctx: Context, err: UserError): string => refusalIn(langOf(ctx.from?.language_code), err);

/** A platform as the editor's language calls it: its descriptor's label («تيليغرام», "Telegram"), or its name. */
export const platformNamer =
  (deps: BotDeps, m: Messages) =>
  (name: string): string =>
    m.platform(deps.newsroom.platforms.find((p) => p.name === name)?.label, name);

export const userId = (ctx: Context): string | undefined => (ctx.from ? String(ctx.from.id) : undefined);

/** The newsroom's view of whoever sent this update. */
export const actorOf = (ctx: Context): Actor => ({ platform: PLATFORM, id: userId(ctx) ?? '?' });

/** Editors: one list for every front door (the newsroom's), checked again at every button press. */
export const isEditor = async (deps: BotDeps, ctx: Context): Promise<boolean> =>
  ctx.from !== undefined && (await deps.newsroom.editors.isEditor(actorOf(ctx)));

/**
 * The guard of an editor command: only in a private chat (a preview in a group would show the story to its members
 * first), and the newsroom's refusals in the editor's words and language (not an editor; what was refused).
 */
export function editorCommand(deps: BotDeps) {
  return async (ctx: Context, next: NextFunction): Promise<void> => {
    if (ctx.chat?.type !== 'private' && (await isEditor(deps, ctx))) return void (await ctx.reply(t(ctx).privateOnly));
    try {
      await next();
    } catch (err) {
      if (err instanceof PermissionError) return void (await ctx.reply(t(ctx).notEditor));
      if (err instanceof UserError)
        return void (await ctx.reply(t(ctx).sourcesRefused(refusal(ctx, err)), {
          link_preview_options: { is_disabled: true },
        }));
      throw err;
    }
  };
}

/** The command's argument text (after "/cmd" or "/cmd@bot"). */
export const commandArgs = (ctx: Context): string => (typeof ctx.match === 'string' ? ctx.match.trim() : '');
