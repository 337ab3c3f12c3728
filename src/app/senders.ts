/**
 * Several `nashra run` on one database (PostgreSQL, issue 24 §3): each sender (a bot token) is driven by one run at
 * a time, and a platform pinned to this machine (a WhatsApp session's Chromium) by one run only. Both through leases
 * in the database, renewed while held; a run that dies lets its senders go when their leases lapse, and another run
 * takes them over.
 *
 * The numbers: a lease lasts 6 s and its holder renews it every 2 s (two renewals may fail before it lapses); the
 * other runs try every second, so a dead holder's sender is taken over at most 7 s after its last renewal (the issue
 * asks for 10 s). A holder counts its lease from the moment it asked for it, on the monotonic clock (a wall-clock
 * step does not stretch it), and stops sending 1 s before that runs out: two runs never send as the same sender at
 * once while their clocks agree within a second.
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
 * load, bench/kill-pg.ts `freeze`; every time in tests/postgres/sender-fence.test.ts). After the mark the worker asks
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

export const SENDER_TTL_MS = 6_000;
const RENEW_MS = 2_000;
const TRY_MS = 1_000;
/** A holder stops this long before its lease lapses (a write that marks a job `sending` is committed meanwhile). */
const MARGIN_MS = 1_000;

/** Milliseconds on the monotonic clock, for the lease's own timing (the row's expiry is in wall-clock ms). */
const clock = () => performance.now();

/** `heldUntil`, `askedAt`: on the monotonic clock; `holder`: what this run wrote in the row ('' before any take). */
interface Lease { name: string; holder: string; heldUntil: number; askedAt: number }
interface Sender extends Lease { platform: string }
interface Pin extends Lease { adapter: PlatformAdapter }

export interface SenderLeaseOptions {
  holder: string;
  info: { pid: number; host: string };
  policy: InDoubtPolicy;
  /** A sender was taken: the worker looks at its queue now. */
  onTaken(): void;
  /** Whether a process with this pid runs on this machine (a pinned platform's holder that crashed here). */
  processExists(pid: number): boolean;
  host: string;
}

export class SenderLeases {
  private readonly senders = new Map<string, Sender>();
  private readonly pins = new Map<string, Pin>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** Takes of a sender so far: each writes a holder of its own, `<run>#<n>`, which fences the jobs' writes. */
  private takes = 0;

  constructor(private readonly db: RunDatabase, private readonly logger: Logger, private readonly options: SenderLeaseOptions) {}

  /** The lease of a transport's sender: `send:<platform>:<sender>`, or `send:<platform>` when it names none. */
  static leaseName(transport: Pick<Transport, 'platform' | 'sender'>): string {
    return transport.sender ? `send:${transport.platform}:${transport.sender}` : `send:${transport.platform}`;
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
        ok = c.host === this.options.host && c.pid !== undefined && !this.options.processExists(c.pid)
          && await this.db.takeOverLease(name, c.holder, this.options.holder, SENDER_TTL_MS, this.options.info);
        if (!ok) {
          this.logger.info(`${p.name} is left out: another nashra run drives it`, { platform: p.name, pid: c.pid, host: c.host });
          continue;
        }
      }
      this.pins.set(p.name, { name, holder: this.options.holder, adapter: p, heldUntil: askedAt + SENDER_TTL_MS, askedAt });
      kept.push(p);
    }
    return kept;
  }

  /** Tries to take every transport's sender once now, then keeps them (renewed, or taken when they lapse). */
  async claim(transports: readonly Transport[]): Promise<void> {
    for (const t of transports) this.senders.set(t.platform, { name: SenderLeases.leaseName(t), holder: '', platform: t.platform, heldUntil: 0, askedAt: 0 });
    await this.tick();
    this.timer ??= setInterval(() => void this.tick(), TRY_MS);
  }

  /** Whether this run drives the transport's sender now (and holds its platform's pin, if it has one). */
  owns(transport: Transport): boolean {
    const now = clock();
    const sender = this.senders.get(transport.platform);
    const pin = this.pins.get(transport.platform);
    return sender !== undefined && now < sender.heldUntil - MARGIN_MS && (pin === undefined || now < pin.heldUntil - MARGIN_MS);
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
    clearInterval(this.timer);
    this.timer = undefined;
    for (const lease of [...this.senders.values(), ...this.pins.values()]) {
      if (lease.heldUntil === 0) continue;
      lease.heldUntil = 0;
      await this.db.releaseLease(lease.name, lease.holder).catch((err: unknown) => this.logger.debug('lease not released', { lease: lease.name, error: err }));
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.db.data.isOpen()) return;
    this.ticking = true;
    try {
      for (const pin of this.pins.values()) {
        if (pin.heldUntil !== 0 && clock() - pin.askedAt >= RENEW_MS && !(await this.renew(pin))) {
          this.logger.error(`lost ${pin.adapter.name}'s lease to another nashra run; it stops here`, { platform: pin.adapter.name });
          void pin.adapter.stop().catch(() => undefined);
          // Its sender goes too: the run that drives the platform now sends for it.
          const sender = this.senders.get(pin.adapter.name);
          if (sender && sender.heldUntil !== 0) {
            sender.heldUntil = 0;
            await this.db.releaseLease(sender.name, sender.holder);
          }
        }
      }
      for (const sender of this.senders.values()) {
        if (sender.heldUntil !== 0) {
          if (clock() - sender.askedAt < RENEW_MS) continue;
          if (!(await this.renew(sender))) this.logger.error('lost a sender\'s lease to another nashra run; its sending stops here', { platform: sender.platform });
        } else if (!this.pins.has(sender.platform) || this.pins.get(sender.platform)!.heldUntil !== 0) {
          await this.take(sender);
        }
      }
    } catch (err) {
      // The database did not answer (restarting, unreachable): a lease not renewed lapses here by itself.
      this.logger.warn('could not renew or take a sender\'s lease; trying again', { error: err });
    } finally {
      this.ticking = false;
    }
  }

  /** False when the lease was lost (another run took it after it lapsed). */
  private async renew(lease: Lease): Promise<boolean> {
    const askedAt = clock();
    if (await this.db.renewLease(lease.name, lease.holder, SENDER_TTL_MS)) {
      lease.askedAt = askedAt;
      lease.heldUntil = askedAt + SENDER_TTL_MS;
      return true;
    }
    lease.heldUntil = 0;
    return false;
  }

  /**
   * Takes a sender that is free or lapsed. From another holder (or none): a new take (`<run>#<n>`), and what was
   * left `sending` is recovered first, that platform's only, before anything is sent. This take's lease again (it
   * lapsed here, no one took it): the same holder, nothing to recover.
   */
  private async take(sender: Sender): Promise<void> {
    const before = await this.db.leaseHolder(sender.name);
    const again = before !== undefined && before.holder === sender.holder;
    if (before !== undefined && !again && before.expiresAt.getTime() > Date.now()) return;
    const holder = again ? sender.holder : `${this.options.holder}#${++this.takes}`;
    const askedAt = clock();
    const got = await this.db.acquireLease(sender.name, holder, SENDER_TTL_MS, this.options.info);
    if (!got.ok) return;
    sender.holder = holder;
    if (!again) {
      const { policy } = this.options;
      const recovered = await this.db.data.repos.jobs.recoverInterrupted(policy, Date.now(), sender.platform);
      if (recovered > 0) {
        this.logger.warn(policy === 'hold'
          ? 'messages interrupted by the last stop are in doubt and will not be resent (see nashra in-doubt list)'
          : 'messages interrupted by the last stop are queued again (NASHRA_IN_DOUBT_POLICY=resend)', { platform: sender.platform, count: recovered });
      }
      if (before !== undefined && !before.holder.startsWith(`${this.options.holder}#`)) {
        this.logger.info('took over a sender from a nashra run that stopped', { platform: sender.platform, pid: before.pid, host: before.host });
      }
    }
    sender.askedAt = askedAt;
    sender.heldUntil = askedAt + SENDER_TTL_MS;
    this.options.onTaken();
  }
}
