import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChatKind } from '../model/subscription.js';
import type { Store } from '../store/index.js';
import type { EditorDirectory } from './actor.js';

/** What a platform tells the newsroom about its chats (from its descriptor in bots/<platform>/). */
export interface ChatRules {
  readonly name: string;
  /** How an operator turns it on ("set TELEGRAM_BOT_TOKEN"), said when its deliveries wait because it is off. */
  readonly enableHint?: string;
  /** The kind of chat an id names; a UserError saying the expected form when it is not one of this platform's ids. */
  classifyChat(chatId: string): ChatKind;
}

/** What every newsroom action is given; the front doors build it once and pass it in. */
export interface NewsroomDeps {
  store: Store;
  config: Config;
  logger: Logger;
  editors: EditorDirectory;
  /** The platforms this installation knows, configured or not (a chat id is checked against its platform's rules). */
  platforms: readonly ChatRules[];
  /** New deliveries were queued: wake the delivery worker. */
  onQueued: () => void;
}
