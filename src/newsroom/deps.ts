import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ChatKind } from '../model/subscription.js';
import type { DataPorts } from '../ports/index.js';
import type { EditorDirectory } from './actor.js';

/** What a platform tells the newsroom about its chats (from its descriptor in bots/<platform>/). */
export interface ChatRules {
  readonly name: string;
  /** How an operator turns it on ("set TELEGRAM_BOT_TOKEN"), said when its deliveries wait because it is off. */
  readonly enableHint?: string;
  /** The kind of chat an id names; a UserError saying the expected form when it is not one of this platform's ids. */
  classifyChat(chatId: string): ChatKind;
  /** How editors call it, in Nashra's languages; a platform without one is shown by its name. */
  readonly label?: { ar: string; en: string };
  /** Its own refusals (its API's words, kept as a correction's reason) in Arabic, for the ones it knows. */
  arabicReason?(reason: string): string | undefined;
  /** What sending above the free rate costs, when the platform offers it and its settings (`settings`) turn it on. */
  paidBroadcast?(settings: unknown): PaidBroadcastOffer | undefined;
}

/** A platform's offer to send a broadcast above its free rate for a fee per message (Telegram's paid broadcasts). */
export interface PaidBroadcastOffer {
  /** Messages per second overall while paid. */
  ratePerSecond: number;
  /** The most one message can cost, in `unit`. */
  pricePerMessage: number;
  /** The currency, as editors read it ("Stars"). */
  unit: string;
  /** Urgent alerts are paid unless the editor says otherwise. */
  urgent: boolean;
}

/** What every newsroom action is given; the front doors build it once and pass it in. */
export interface NewsroomDeps {
  /** The ports (src/ports): the unit of work, and the repositories each action reads and writes through. */
  data: DataPorts;
  config: Config;
  logger: Logger;
  editors: EditorDirectory;
  /** The platforms this installation knows, configured or not (a chat id is checked against its platform's rules). */
  platforms: readonly ChatRules[];
  /** New deliveries were queued: wake the delivery worker. */
  onQueued: () => void;
  /** The outlet's name, which its post links and push endpoints carry (src/ingest/push.ts pushPath); `main` when not given. */
  outlet?: string;
}
