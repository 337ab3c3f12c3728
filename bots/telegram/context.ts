import type { Context } from 'grammy';
import type { Config } from '../../src/config.js';
import type { Logger } from '../../src/logger.js';
import type { Store } from '../../src/store/index.js';
import { langOf, messages, type Messages } from './i18n.js';
import type { TelegramConfig } from './transport.js';

/** What every feature Composer is given: passed in, never global. */
export interface BotDeps {
  config: Config & { telegram: TelegramConfig };
  store: Store;
  logger: Logger;
  /** Topics offered by /topics. */
  topics: string[];
  /** How often a broadcast's progress message is edited. */
  progressIntervalMs: number;
  /** Called after deliveries were queued, so a worker in the same process starts at once. */
  onQueued: () => void;
  /** Stops timers on shutdown. */
  timers: Set<NodeJS.Timeout>;
}

export const DEFAULT_TOPICS = ['سوريا', 'الاقتصاد', 'الرياضة', 'السياسة', 'الثقافة', 'التكنولوجيا', 'الصحة'];

export const t = (ctx: Context): Messages => messages(langOf(ctx.from?.language_code));

export const userId = (ctx: Context): string | undefined => (ctx.from ? String(ctx.from.id) : undefined);

/** Editors: named in TELEGRAM_EDITOR_IDS, or added to the store. Checked again at every button press. */
export function isEditor(deps: BotDeps, id: string | undefined): boolean {
  return id !== undefined && (deps.config.telegram.editorIds.includes(id) || deps.store.editors.isEditor('telegram', id));
}

/** The command's argument text (after "/cmd" or "/cmd@bot"). */
export const commandArgs = (ctx: Context): string => (typeof ctx.match === 'string' ? ctx.match.trim() : '');
