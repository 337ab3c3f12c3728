/**
 * Pacing against bans: WhatsApp flags numbers that send like machines, so the account sends one message at a
 * time, with a random pause between messages, an optional "typing…" state before each, and a daily cap.
 * Time and randomness are injected so tests and the benchmark run on a fake clock.
 */
import type { DayCounters } from '../../src/delivery/platform.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** Returns a number in [0, 1), like Math.random. */
export type Random = () => number;

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PacingOptions {
  minDelayMs: number;
  maxDelayMs: number;
  typing: boolean;
  /** How long "typing…" shows before a message. */
  typingMinMs?: number;
  typingMaxMs?: number;
  dailyCap: number;
  /** The cap resets at midnight in this zone (the newsroom's). */
  timeZone: string;
}

const TYPING_MIN_MS = 1000;
const TYPING_MAX_MS = 2000;

export class Pacer {
  private gapOpen = false;
  private gapGeneration = 0;
  private gapEnded: Promise<void> = Promise.resolve();
  /** The turn: whoever sends (the queue's worker, or a reader's full text asked for outside the queue) waits in line. */
  private turnTail: Promise<void> = Promise.resolve();
  private turnHeld = false;

  constructor(
    private readonly options: PacingOptions,
    private readonly counters: DayCounters,
    private readonly clock: Clock = systemClock,
    private readonly random: Random = Math.random,
    private readonly platform = 'whatsapp',
  ) {}

  /** True while a message is being sent, or the pause after the last one runs: nothing else may be sent yet. */
  get waiting(): boolean {
    return this.gapOpen || this.turnHeld;
  }

  /**
   * One message at a time for the whole account, whoever sends it: waits for the message being sent and the pause
   * after it, then runs `send` (which calls sent() once its message is out). The worker asks only when `waiting` is
   * false, so its sends never wait here; a reader's full text (full-story.ts) waits its turn between the queue's.
   */
  async turn<T>(send: () => Promise<T>): Promise<T> {
    const before = this.turnTail;
    let release!: () => void;
    this.turnTail = new Promise<void>((resolve) => {
      release = resolve;
    });
    await before;
    this.turnHeld = true;
    try {
      while (this.gapOpen) await this.gapEnded;
      return await send();
    } finally {
      this.turnHeld = false;
      release();
    }
  }

  /** Today's count has reached the cap: nothing more goes out until midnight in the newsroom's zone. */
  capReached(): boolean {
    return this.sentToday() >= this.options.dailyCap;
  }

  /** Messages still allowed today under the cap. */
  leftToday(): number {
    return Math.max(0, this.options.dailyCap - this.sentToday());
  }

  sentToday(): number {
    return this.counters.get(this.platform, this.today());
  }

  /** Milliseconds of "typing…" before the next message, or 0 when typing is off. */
  typingMs(): number {
    if (!this.options.typing) return 0;
    const min = this.options.typingMinMs ?? TYPING_MIN_MS;
    const max = this.options.typingMaxMs ?? TYPING_MAX_MS;
    return this.between(min, max);
  }

  /** The pause after a message, uniform in [minDelayMs, maxDelayMs]. */
  nextDelayMs(): number {
    return this.between(this.options.minDelayMs, this.options.maxDelayMs);
  }

  /**
   * Counts a message that went out and starts the pause before the next. The pause is waited out here, not inside
   * the next send, so the next delivery stays `queued` (not `sending`) meanwhile: a crash during the pause leaves
   * nothing in doubt, and an urgent broadcast queued during the pause still goes first.
   */
  sent(): { delayMs: number; countToday: number } {
    const countToday = this.counters.increment(this.platform, this.today());
    const delayMs = this.nextDelayMs();
    const generation = ++this.gapGeneration;
    this.gapOpen = true;
    this.gapEnded = this.clock.sleep(delayMs).then(() => {
      if (generation === this.gapGeneration) this.gapOpen = false;
    });
    return { delayMs, countToday };
  }

  /** Expected wait from "next in line" to sendMessage in a steady stream: mean pause + mean typing. */
  expectedWaitMs(): number {
    const meanDelay = (this.options.minDelayMs + this.options.maxDelayMs) / 2;
    const meanTyping = this.options.typing
      ? ((this.options.typingMinMs ?? TYPING_MIN_MS) + (this.options.typingMaxMs ?? TYPING_MAX_MS)) / 2
      : 0;
    return meanDelay + meanTyping;
  }

  /** YYYY-MM-DD in the newsroom's zone, the key of the daily counter. */
  today(): string {
    return dayKey(this.clock.now(), this.options.timeZone);
  }

  private between(min: number, max: number): number {
    return Math.round(min + (max - min) * this.random());
  }
}

export function dayKey(epochMs: number, timeZone: string): string {
  // en-CA formats dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
    epochMs,
  );
}
