/**
 * The Bot API's sending limits as rolling windows, checked together at the instant a request leaves: at most
 * `globalPerSecond` requests in any rolling second overall (`paidPerSecond` for a request carrying
 * `allow_paid_broadcast`), `perChatPerSecond` per chat in any rolling second, `perGroupPerMinute` per group (a
 * negative chat id) in any rolling minute.
 *
 * Why not a package: grammY's transformer-throttler (Bottleneck) topped out at 233 requests/s here when told 1,000/s
 * (40% of the process idle: one setTimeout per job for `minTime`), and its per-second reservoir, or evenly spaced
 * `minTime`, let 11 of 300 sends at 30/s draw a 429 from a strict rolling-window server. rate-limiter-flexible and
 * limiter count fixed windows or token buckets (the same boundary bursts); p-throttle's strict mode is a rolling
 * window but one queue per throttled function, so the overall, per-chat and per-group limits cannot be taken at the
 * same instant (a request that waited on one would pass another late, and the two chat sends land < 1 s apart).
 * This one is a semaphore whose permits come back a window after each request's answer: a request holds a place in
 * every window it passes (overall, its chat's, its group's) from the moment it leaves until `windowMs` after its
 * answer arrives. The server stamps a request somewhere between those two instants, so no rolling window it measures
 * can ever hold more than the limit, whatever the network's or the event loop's jitter (a window counted from the
 * departures alone drew 17 × 429 at 1,000/s here: under load one request reached the server 40 ms later than the
 * next). The cost is the answer's round trip once per window: on loopback a few ms of a second. Every waiter that
 * all its windows allow is granted in arrival order, from one timer; a grant costs about a microsecond.
 *
 * Within the overall window requests are also paced (GCRA), one every 1/rate s with a burst of 100 ms' worth (at
 * least 3) to make up a late timer or a process descheduled on a busy machine: a whole second's allowance let out
 * at once put 102 deliveries on the wire together at 1,000/s, and a crash then left all of them in doubt (the kill
 * test: 1,034 in doubt over 20 kills). A 10 ms burst lost a fifth of the rate here when other processes held the
 * CPU for 25 ms at a time; a 50 ms one made up only half of the 60–100 ms the sending lost each time a 7 MB feed
 * arrived during a paid broadcast (0.947 of 1,000/s over 6 runs, 0.973 with 100 ms).
 *
 * `marginMs` (default 10 ms, 1% of the rate) widens every window for a server whose clock ticks coarser than ours.
 */
export interface RollingLimits {
  globalPerSecond: number;
  perChatPerSecond: number;
  perGroupPerMinute: number;
  /** Overall ceiling for paid-broadcast requests; undefined when paid broadcasts are off. */
  paidPerSecond?: number;
  marginMs?: number;
}

/** Places taken in one rolling window: requests still in flight, and answers received less than `windowMs` ago. */
class Window {
  private inFlight = 0;
  private answered: number[] = [];
  private head = 0;
  constructor(private readonly windowMs: number) {}
  /** When one more request may leave with at most `limit` in the window (Infinity: when an answer comes). */
  freeAt(now: number, limit: number): number {
    while (this.head < this.answered.length && this.answered[this.head]! <= now - this.windowMs) this.head++;
    if (this.head > 1024) {
      this.answered = this.answered.slice(this.head);
      this.head = 0;
    }
    const taken = this.inFlight + this.answered.length - this.head;
    if (taken < limit) return 0;
    if (this.inFlight >= limit) return Infinity;
    return this.answered[this.head + taken - limit]! + this.windowMs;
  }
  take(): void {
    this.inFlight++;
  }
  /** Answers arrive in time order, so `answered` stays sorted. */
  release(now: number): void {
    this.inFlight--;
    this.answered.push(now);
  }
  idle(now: number): boolean {
    return (
      this.inFlight === 0 &&
      (this.answered.length === this.head || this.answered[this.answered.length - 1]! <= now - this.windowMs)
    );
  }
}

/** Requests the pacing lets out at once after a pause: 100 ms of the rate, at least 3. */
const pacingBurst = (perSecond: number) => Math.max(3, Math.ceil(perSecond / 10));

interface Waiter {
  chatId: string;
  paid: boolean;
  grant: (release: () => void) => void;
}

export class RollingLimiter {
  private readonly second: number;
  private readonly minute: number;
  private readonly global: Window;
  private readonly chats = new Map<string, Window>();
  private readonly groups = new Map<string, Window>();
  private queue: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private lastSweep = 0;
  /** The pacing's theoretical next departure (GCRA), per ceiling. */
  private readonly paced = { free: 0, paid: 0 };

  constructor(private readonly limits: RollingLimits) {
    const margin = limits.marginMs ?? 10;
    this.second = 1000 + margin;
    this.global = new Window(this.second);
    this.minute = 60_000 + margin;
  }

  /**
   * Resolves when a request to `chatId` may leave, with the function to call when its answer (or failure) arrives:
   * its places in the windows are held until a window's length after that.
   */
  acquire(chatId: string, paid = false): Promise<() => void> {
    return new Promise((grant) => {
      this.queue.push({ chatId, paid: paid && this.limits.paidPerSecond !== undefined, grant });
      this.pump();
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  private pump = (): void => {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let wakeAt = Infinity;
    const left: Waiter[] = [];
    for (const w of this.queue) {
      // Free and paid requests share one window; each kind is held to its own ceiling.
      const limit = w.paid ? this.limits.paidPerSecond! : this.limits.globalPerSecond;
      const kind = w.paid ? 'paid' : 'free';
      const at = Math.max(
        this.paced[kind] - (pacingBurst(limit) - 1) * (1000 / limit),
        this.global.freeAt(now, limit),
        this.chatWindow(w.chatId).freeAt(now, this.limits.perChatPerSecond),
        this.groupWindow(w.chatId)?.freeAt(now, this.limits.perGroupPerMinute) ?? 0,
      );
      if (at > now) {
        left.push(w);
        wakeAt = Math.min(wakeAt, at);
        continue;
      }
      this.paced[kind] = Math.max(this.paced[kind], now) + 1000 / limit;
      w.grant(this.take(w.chatId));
    }
    this.queue = left;
    if (now - this.lastSweep > 10_000) this.sweep(now);
    if (wakeAt < Infinity) this.wake(wakeAt, now);
  };

  private chatWindow(chatId: string): Window {
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = new Window(this.second);
      this.chats.set(chatId, chat);
    }
    return chat;
  }

  private groupWindow(chatId: string): Window | undefined {
    if (!chatId.startsWith('-')) return undefined;
    let group = this.groups.get(chatId);
    if (!group) {
      group = new Window(this.minute);
      this.groups.set(chatId, group);
    }
    return group;
  }

  private take(chatId: string): () => void {
    const windows = [this.global, this.chatWindow(chatId), this.groupWindow(chatId)].filter(
      (w): w is Window => w !== undefined,
    );
    for (const w of windows) w.take();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const now = performance.now();
      for (const w of windows) w.release(now);
      this.pump();
    };
  }

  private wake(at: number, now: number): void {
    if (this.timer && this.timerAt <= at) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(this.pump, Math.max(0, Math.ceil(at - now)));
  }

  /** A window that can refuse nothing any more is forgotten (memory stays flat across 10,000 chats). */
  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [id, w] of this.chats) if (w.idle(now)) this.chats.delete(id);
    for (const [id, w] of this.groups) if (w.idle(now)) this.groups.delete(id);
  }
}
