/**
 * Several `nashra run` on one database (PostgreSQL, issue 24 §3): each sender (a bot token) is driven by one run at
 * a time, and a platform pinned to this machine (a WhatsApp session's Chromium) by one run only. Both through leases
 * in the database, renewed while held; a run that dies lets its senders go when their leases lapse, and another run
 * takes them over.
 *
 * The numbers: below, at SENDER_TTL_MS.
 *
 * Timing alone does not make a message go once: a holder frozen (SIGSTOP, a stalled VM) right after it asked
 * `owns()` carries on when it thaws, from where it stopped, with its lease long taken over. So each take of a sender
 * writes a holder of its own (`<run>#<n>`) into the lease's row, and the worker's writes of a job (its `sending`
 * mark, a retry, a failure, a skip) carry that take as a fence (SendFence): in the same transaction as the write,
 * the row must still name it. Every write takes the database's write lock (src/store/postgres/ports.ts), the
 * takeover's included, so a thawed holder's mark is committed before the takeover (and its recovery then finds the
 * job `sending`: in doubt, on the wire at most once) or not at all, and its failures no longer queue again a job
 * the new holder has on the wire. That was the duplicate: the thawed holder's mark, lost with the transaction the
 * server ended while it was frozen, came back as a temporary failure whose retry (`queued` or `sending` → `queued`)
 * took the new holder's job out from under its answer, and the job went again (once in about four freeze tests under
 * load, bench/kill-pg.ts `freeze`; every time in tests/store/postgres/sender-fence.test.ts). After the mark the worker asks
 * `owns()` again before the request leaves: a mark that waited past the lease (the write lock, a freeze) is retried,
 * fenced, not sent. SQLite (one run per database) has no sender leases and its worker passes no fence.
 *
 * What a dead holder left `sending` is in doubt: the run that takes its sender over recovers that platform's jobs
 * then (NASHRA_IN_DOUBT_POLICY), and no one else's. Jobs carry no sender, only their platform: a platform has one
 * sender per newsroom (one TELEGRAM_BOT_TOKEN), so its sender's lease covers all its jobs.
 */
import type { InDoubtPolicy } from '../model/delivery.js';
import type { PlatformAdapter, Transport } from '../delivery/platform.js';
import type { Logger } from '../logger.js';
import type { SendFence } from '../ports/index.js';
import type { RunDatabase } from './run-database.js';

/**
 * The numbers. A lease lasts 9 s; its holder renews it every 2 s, every lease of its outlet in one statement on a
 * connection of its own, outside the write lock (src/store/postgres/runtime.ts), so a renewal waits for no unit of
 * work; the takes of free senders are a loop of their own, so a take waiting for the write lock delays no renewal.
 * The other runs try every second, so a dead holder's sender is taken over at most 10 s after its last renewal (the
 * issue's bound), and at once by a run of the same machine, which sees the holder's process gone. A holder counts
 * its lease from the moment it asked for it, on the monotonic clock (a wall-clock step does not stretch it), and
 * stops sending 1 s before that runs out: two runs never send as the same sender at once while their clocks agree
 * within a second.
 *
 * Why 9 s (it was 6): `npm run bench -- scale` with 3 runs of 10 outlets on a 2-core machine shared with other work
 * (load 21–23), renewals on their own connection: from one renewal's question to the next one's answer took p99
 * 4.6 s and at most 6.0 s (the 2 s period and the rest a process starved of CPU: its timers fire late). The old 6 s
 * was all used; 9 s leaves 3 s above the slowest seen and keeps the takeover within 10 s. Through the write lock and
 * in one loop with the takes, as before, renewals came later than 6 s: 35 lapses, 473 deliveries in doubt.
 */
export const SENDER_TTL_MS = 9_000;
const RENEW_MS = 2_000;
const TRY_MS = 1_000;
/** A holder stops this long before its lease lapses (a write that marks a job `sending` is committed meanwhile). */
const MARGIN_MS = 1_000;
/**
 * A token's limits count per second (Telegram: 30 messages/s, 1,000/s paid, one per chat per second; the strict
 * fake counts the same): what its last holder sent in the second before it let go still counts for the next one.
 * So a sender is let go (release, giveBack) this long after its last request, and one taken at once from a dead
 * holder of this machine, which may have sent until it died, sends from this long after the take. Taking over at once, 118 and
 * 703 ms after a kill, gave 4 × 429 with 3 runs (tests/e2e/postgres/workers.test.ts); a lease that lapsed by itself
 * needs no wait (its holder stopped MARGIN_MS before). The limiter's window is 1,010 ms (bots/telegram/limiter.ts).
 */
const RATE_WINDOW_MS = 1_100;
/** How often the runs alive are counted (their run leases, renewed every 5 s: src/app/run.ts). */
const RUNS_EVERY_MS = 5_000;
/** A free sender beyond a run's even share (floor) is taken only after this many tries saw it free (SenderShare). */
const PATIENT_TRIES = 3;
/** `--once`: how long it waits for a sender held by another run to be renewed (alive) or to lapse (taken here). */
const SETTLE_MS = SENDER_TTL_MS + 2 * TRY_MS;

/** Milliseconds on the monotonic clock, for the lease's own timing (the row's expiry is in wall-clock ms). */
const clock = () => performance.now();

/** `heldUntil`, `askedAt`: on the monotonic clock; `holder`: what this run wrote in the row ('' before any take). */
interface Lease {
  name: string;
  holder: string;
  heldUntil: number;
  askedAt: number;
}
interface Sender extends Lease {
  platform: string;
  /** Tries in a row that found its lease free or lapsed (SenderShare's patience). */
  freeSeen: number;
  /** Being given back (SenderShare): owns() is false, and the lease goes once its requests on the wire have ended. */
  leaving: boolean;
  /** On the monotonic clock: no request before this (RATE_WINDOW_MS after a takeover from a dead holder). */
  sendsFrom: number;
  /** Being given back: when its requests on the wire were first seen ended (the lease goes RATE_WINDOW_MS later). */
  quietSince?: number;
}
interface Pin extends Lease {
  adapter: PlatformAdapter;
}

export interface SenderLeaseOptions {
  holder: string;
  info: { pid: number; host: string };
  policy: InDoubtPolicy;
  /** A sender was taken: the worker looks at its queue now. */
  onTaken(): void;
  /** Whether a process with this pid runs on this machine (a holder that crashed here). */
  processExists(pid: number): boolean;
  host: string;
  /** The process's share of the tokens (the long-running mode); none (`--once`): every sender it can take. */
  share?: SenderShare;
  /** Requests on the wire now for a platform's jobs (the worker's): a sender given back goes once they have ended. */
  inFlight?(platform: string): number;
}

/**
 * The senders (bot tokens) of every outlet one process serves, shared out evenly among the runs alive, per platform
 * (each outlet has one sender per platform): with T tokens and R runs (their run leases), a run takes a free token while it holds fewer than floor(T / R), and one more (up to
 * ceil(T / R)) only once PATIENT_TRIES tries in a row found it free, so a run below its even share gets it first; a
 * run holding more than ceil(T / R) (it started first and took them all, or a run joined since) gives one back at a
 * time, once its requests on the wire for it have ended (nothing of it is left `sending`: nothing goes in doubt).
 * A sender whose holder died (its lease lapsed) is taken by the first run that tries, whatever its share, and given
 * back later if that puts the run over it: a takeover is not delayed by the share.
 * 10 tokens over 3 runs end 4/3/3, 6 over 3 end 2/2/2. Before, each run took every token it found free: runs started
 * together split 10 as 9/1, 5/5, 3/3/4 or 0/0/10, and a run started later got none.
 */
export class SenderShare {
  private readonly members = new Set<SenderLeases>();
  private runs = 1;
  private countedAt = -Infinity;
  /** The sender being given back: one at a time in the whole process. */
  leaving: Sender | undefined;

  join(member: SenderLeases): void {
    this.members.add(member);
  }
  leave(member: SenderLeases): void {
    this.members.delete(member);
  }

  /** The runs alive, counted by their run leases (this one's included), at most every RUNS_EVERY_MS. */
  async count(db: RunDatabase): Promise<void> {
    if (clock() - this.countedAt < RUNS_EVERY_MS) return;
    this.countedAt = clock();
    this.runs = Math.max(1, await db.countLeases('run:'));
  }

  /** A platform's senders this process serves (one per outlet), and how many of them it holds now. */
  private tally(platform: string): { tokens: number; held: number } {
    let tokens = 0;
    let held = 0;
    for (const m of this.members) {
      const sender = m.sender(platform);
      if (sender === undefined) continue;
      tokens++;
      if (sender.heldUntil !== 0) held++;
    }
    return { tokens, held };
  }

  /** Whether a free sender of the platform may be taken now (`patient`: PATIENT_TRIES tries in a row found it free). */
  mayTake(platform: string, patient: boolean): boolean {
    const { tokens, held } = this.tally(platform);
    return held < Math.floor(tokens / this.runs) || (patient && held < Math.ceil(tokens / this.runs));
  }

  /** Whether this process holds more of the platform's senders than its share (it gives one back). */
  over(platform: string): boolean {
    const { tokens, held } = this.tally(platform);
    return held > Math.ceil(tokens / this.runs);
  }
}

export class SenderLeases {
  private readonly senders = new Map<string, Sender>();
  private readonly pins = new Map<string, Pin>();
  private timers: NodeJS.Timeout[] = [];
  private trying = false;
  private renewing = false;
  /** Takes of a sender so far: each writes a holder of its own, `<run>#<n>`, which fences the jobs' writes. */
  private takes = 0;
  /** Each renewal: ms from the previous renewal's question to this one's answer (how much of the lease it used). */
  private readonly renewals: number[] = [];

  constructor(
    private readonly db: RunDatabase,
    private readonly logger: Logger,
    private readonly options: SenderLeaseOptions,
  ) {}

  /** The lease of a transport's sender: `send:<platform>:<sender>`, or `send:<platform>` when it names none. */
  static leaseName(transport: Pick<Transport, 'platform' | 'sender'>): string {
    return transport.sender ? `send:${transport.platform}:${transport.sender}` : `send:${transport.platform}`;
  }

  /** This run's sender for a platform (SenderShare counts them per platform: each outlet has one per platform). */
  sender(platform: string): Readonly<Sender> | undefined {
    return this.senders.get(platform);
  }

  /**
   * The platforms this run may start: a pinned one only when its lease is taken (free, lapsed, or held by a process
   * of this machine that is gone); the others are left out, each with one log line.
   */
  async pinned(platforms: readonly PlatformAdapter[]): Promise<PlatformAdapter[]> {
    const kept: PlatformAdapter[] = [];
    for (const p of platforms) {
      if (p.pin === undefined) {
        kept.push(p);
        continue;
      }
      const name = `${p.name}:${p.pin}`;
      const askedAt = clock();
      const got = await this.db.acquireLease(name, this.options.holder, SENDER_TTL_MS, this.options.info);
      let ok = got.ok;
      if (!got.ok) {
        const c = got.current;
        ok =
          this.deadHere(c) &&
          (await this.db.takeOverLease(name, c.holder, this.options.holder, SENDER_TTL_MS, this.options.info));
        if (!ok) {
          this.logger.info(`${p.name} is left out: another nashra run drives it`, {
            platform: p.name,
            pid: c.pid,
            host: c.host,
          });
          continue;
        }
      }
      this.pins.set(p.name, {
        name,
        holder: this.options.holder,
        adapter: p,
        heldUntil: askedAt + SENDER_TTL_MS,
        askedAt,
      });
      kept.push(p);
    }
    return kept;
  }

  /** Tries to take every transport's sender once now, then keeps them (renewed, or taken when they lapse). */
  async claim(transports: readonly Transport[]): Promise<void> {
    for (const t of transports)
      this.senders.set(t.platform, {
        name: SenderLeases.leaseName(t),
        holder: '',
        platform: t.platform,
        heldUntil: 0,
        askedAt: 0,
        freeSeen: 0,
        leaving: false,
        sendsFrom: 0,
      });
    this.options.share?.join(this);
    await this.tryTakes();
    if (this.timers.length > 0) return;
    this.timers = [setInterval(() => void this.renewAll(), RENEW_MS), setInterval(() => void this.tryTakes(), TRY_MS)];
  }

  /**
   * `nashra run --once`: waits until each sender is this run's, or another live run's (its lease renewed meanwhile):
   * one a killed run held is taken over (at once when that run was on this machine, else once its lease lapses), so
   * what it left `sending` is recovered (in doubt, or queued again) before the drain, not left as it was.
   */
  async settle(): Promise<void> {
    const until = clock() + SETTLE_MS;
    const seen = new Map<string, number>();
    const settled = async (sender: Sender) => {
      if (sender.heldUntil !== 0) return true;
      const now = await this.db.leaseHolder(sender.name);
      if (now === undefined || now.expiresAt.getTime() <= Date.now()) return false;
      const first = seen.get(sender.name);
      if (first === undefined) seen.set(sender.name, now.expiresAt.getTime());
      return first !== undefined && now.expiresAt.getTime() > first;
    };
    while (clock() < until) {
      let all = true;
      for (const sender of this.senders.values()) if (!(await settled(sender))) all = false;
      if (all) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** Whether this run drives the transport's sender now (and holds its platform's pin, if it has one). */
  owns(transport: Transport): boolean {
    const now = clock();
    const sender = this.senders.get(transport.platform);
    const pin = this.pins.get(transport.platform);
    return (
      sender !== undefined &&
      !sender.leaving &&
      now >= sender.sendsFrom &&
      now < sender.heldUntil - MARGIN_MS &&
      (pin === undefined || now < pin.heldUntil - MARGIN_MS)
    );
  }

  /**
   * The fence for a job's writes (SendFence): the transport's sender's lease as this run holds it now. Taken when the
   * job starts; once another run took the sender (or this one took it again since), its writes change nothing.
   */
  fence(transport: Transport): SendFence {
    const sender = this.senders.get(transport.platform);
    return { lease: sender?.name ?? SenderLeases.leaseName(transport), holder: sender?.holder ?? '' };
  }

  /** Stops renewing and lets every lease go (after the worker stopped: what is still `sending` is then in doubt). */
  async release(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.options.share?.leave(this);
    if (this.renewals.length > 0) {
      const sorted = [...this.renewals].sort((a, b) => a - b);
      const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!);
      // How close the leases came to lapsing, for the figures (README "Scaling out"): ms of the lease used.
      this.logger.info('sender leases renewed', {
        renewals: sorted.length,
        p50Ms: at(0.5),
        p99Ms: at(0.99),
        slowestMs: at(1),
        leaseMs: SENDER_TTL_MS,
      });
    }
    const held = [...this.senders.values(), ...this.pins.values()].filter((l) => l.heldUntil !== 0);
    for (const lease of held) lease.heldUntil = 0; // owns() is false from here
    // The next holder's first second is not this run's last (RATE_WINDOW_MS).
    if (held.length > 0) await new Promise((resolve) => setTimeout(resolve, RATE_WINDOW_MS));
    for (const lease of held)
      await this.db
        .releaseLease(lease.name, lease.holder)
        .catch((err: unknown) => this.logger.debug('lease not released', { lease: lease.name, error: err }));
  }

  /** Whether a lease's holder was a process of this machine that is gone (crashed, killed): it sends nothing more. */
  private deadHere(c: { pid?: number; host?: string }): boolean {
    return c.host === this.options.host && c.pid !== undefined && !this.options.processExists(c.pid);
  }

  /** Every lease held, renewed in one statement; a lost one stops what it covers. */
  private async renewAll(): Promise<void> {
    if (this.renewing || !this.db.data.isOpen()) return;
    const held: Lease[] = [...this.pins.values(), ...this.senders.values()].filter((l) => l.heldUntil !== 0);
    if (held.length === 0) return;
    this.renewing = true;
    try {
      const askedAt = clock();
      const renewed = await this.db.renewLeases(
        held.map((l) => ({ name: l.name, holder: l.holder })),
        SENDER_TTL_MS,
      );
      const answeredAt = clock();
      for (const lease of held) {
        if (lease.heldUntil === 0) continue; // let go meanwhile (given back, released)
        if (renewed.has(lease.name)) {
          if (this.renewals.length < 100_000) this.renewals.push(answeredAt - lease.askedAt);
          lease.askedAt = askedAt;
          lease.heldUntil = askedAt + SENDER_TTL_MS;
        } else {
          lease.heldUntil = 0;
          await this.lost(lease);
        }
      }
    } catch (err) {
      // The database did not answer (restarting, unreachable): a lease not renewed lapses here by itself.
      this.logger.warn("could not renew the senders' leases; trying again", { error: err });
    } finally {
      this.renewing = false;
    }
  }

  private async lost(lease: Lease): Promise<void> {
    const pin = [...this.pins.values()].find((p) => p === lease);
    if (pin === undefined) {
      this.logger.error("lost a sender's lease to another nashra run; its sending stops here", {
        platform: (lease as Sender).platform,
      });
      return;
    }
    this.logger.error(`lost ${pin.adapter.name}'s lease to another nashra run; it stops here`, {
      platform: pin.adapter.name,
    });
    void pin.adapter.stop().catch(() => undefined);
    // Its sender goes too: the run that drives the platform now sends for it.
    const sender = this.senders.get(pin.adapter.name);
    if (sender && sender.heldUntil !== 0) {
      sender.heldUntil = 0;
      await this.db.releaseLease(sender.name, sender.holder);
    }
  }

  /** Free or lapsed senders taken (within the process's share), and one given back when it holds more. */
  private async tryTakes(): Promise<void> {
    if (this.trying || !this.db.data.isOpen()) return;
    this.trying = true;
    try {
      const { share } = this.options;
      if (share) await share.count(this.db);
      for (const sender of this.senders.values()) {
        if (
          sender.heldUntil === 0 &&
          (!this.pins.has(sender.platform) || this.pins.get(sender.platform)!.heldUntil !== 0)
        )
          await this.take(sender);
      }
      if (share) await this.giveBack(share);
    } catch (err) {
      this.logger.warn("could not take a sender's lease; trying again", { error: err });
    } finally {
      this.trying = false;
    }
  }

  /**
   * Takes a sender that is free or lapsed (or held by a process of this machine that is gone). From another holder (or
   * none): a new take (`<run>#<n>`), and what was left `sending` is recovered first, that platform's only, before
   * anything is sent. This take's lease again (it lapsed here, no one took it): the same holder, nothing to recover.
   */
  private async take(sender: Sender): Promise<void> {
    const before = await this.db.leaseHolder(sender.name);
    const again = before !== undefined && before.holder === sender.holder;
    const deadHere = before !== undefined && !again && this.deadHere(before);
    if (before !== undefined && !again && !deadHere && before.expiresAt.getTime() > Date.now()) {
      sender.freeSeen = 0;
      return;
    }
    sender.freeSeen++;
    // The share rules the free senders (none held it, or it was given back); one whose holder died is taken at once
    // whatever the share, so that its takeover stays within 10 s (the runs alive are counted up to 20 s late: a dead
    // run's lease lasts 15 s), and the share is made again by giving back.
    const { share } = this.options;
    if (share && before === undefined && !share.mayTake(sender.platform, sender.freeSeen >= PATIENT_TRIES)) return;
    const holder = again ? sender.holder : `${this.options.holder}#${++this.takes}`;
    const askedAt = clock();
    const got = deadHere
      ? await this.db.takeOverLease(sender.name, before.holder, holder, SENDER_TTL_MS, this.options.info)
      : (await this.db.acquireLease(sender.name, holder, SENDER_TTL_MS, this.options.info)).ok;
    if (!got) return;
    sender.holder = holder;
    sender.freeSeen = 0;
    if (!again) {
      const { policy } = this.options;
      const recovered = await this.db.data.repos.jobs.recoverInterrupted(policy, Date.now(), sender.platform);
      if (recovered > 0) {
        this.logger.warn(
          policy === 'hold'
            ? 'messages interrupted by the last stop are in doubt and will not be resent (see nashra in-doubt list)'
            : 'messages interrupted by the last stop are queued again (NASHRA_IN_DOUBT_POLICY=resend)',
          { platform: sender.platform, count: recovered },
        );
      }
      if (before !== undefined && !before.holder.startsWith(`${this.options.holder}#`)) {
        this.logger.info('took over a sender from a nashra run that stopped', {
          platform: sender.platform,
          pid: before.pid,
          host: before.host,
        });
      }
    }
    sender.askedAt = askedAt;
    sender.heldUntil = askedAt + SENDER_TTL_MS;
    sender.sendsFrom = deadHere ? askedAt + RATE_WINDOW_MS : 0;
    if (deadHere) setTimeout(() => this.options.onTaken(), RATE_WINDOW_MS).unref();
    else this.options.onTaken();
  }

  /**
   * Over its share (SenderShare): one sender of this run's is marked leaving (no new request for it), and its lease
   * released once its requests on the wire have ended; another run takes it at its next try.
   */
  private async giveBack(share: SenderShare): Promise<void> {
    const leaving = share.leaving;
    if (leaving !== undefined && leaving.heldUntil === 0) {
      // Lost meanwhile (its lease lapsed, or this run stopped): nothing left to give back.
      leaving.leaving = false;
      share.leaving = undefined;
      return;
    }
    if (leaving === undefined) {
      const sender = [...this.senders.values()].find(
        (s) => s.heldUntil !== 0 && !this.pins.has(s.platform) && share.over(s.platform),
      );
      if (sender === undefined) return;
      sender.leaving = true;
      share.leaving = sender;
      return;
    }
    if (!this.senders.has(leaving.platform) || this.senders.get(leaving.platform) !== leaving) return;
    if ((this.options.inFlight?.(leaving.platform) ?? 0) > 0) {
      leaving.quietSince = undefined;
      return;
    }
    // Its last request has ended: the lease goes a rate window later, so the next holder's first second is not this
    // run's last (RATE_WINDOW_MS); owns() stays false meanwhile.
    leaving.quietSince ??= clock();
    if (clock() - leaving.quietSince < RATE_WINDOW_MS) return;
    leaving.quietSince = undefined;
    leaving.heldUntil = 0;
    leaving.leaving = false;
    share.leaving = undefined;
    await this.db.releaseLease(leaving.name, leaving.holder);
    this.logger.info('gave a sender back: the runs alive share the tokens out', { platform: leaving.platform });
  }
}
