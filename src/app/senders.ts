/**
 * Several `nashra run` on one database (PostgreSQL, issue 24 §3): each sender (a bot token) is driven by one run at
 * a time, and a platform pinned to this machine (a WhatsApp session's Chromium) by one run only. Both through leases
 * in the database, renewed while held; a run that dies lets its senders go when their leases lapse, and another run
 * takes them over.
 *
 * The numbers: a lease lasts 6 s and its holder renews it every 2 s (two renewals may fail before it lapses); the
 * other runs try every second, so a dead holder's sender is taken over at most 7 s after its last renewal (the issue
 * asks for 10 s). A holder counts its lease from the moment it asked for it, and stops sending 1 s before that runs
 * out: two runs never send as the same sender at once while their clocks agree within a second.
 *
 * What a dead holder left `sending` is in doubt: the run that takes its sender over recovers that platform's jobs
 * then (NASHRA_IN_DOUBT_POLICY), and no one else's. Jobs carry no sender, only their platform: a platform has one
 * sender per newsroom (one TELEGRAM_BOT_TOKEN), so its sender's lease covers all its jobs.
 */
import type { InDoubtPolicy } from '../model/delivery.js';
import type { PlatformAdapter, Transport } from '../delivery/platform.js';
import type { Logger } from '../logger.js';
import type { RunDatabase } from './run-database.js';

export const SENDER_TTL_MS = 6_000;
const RENEW_MS = 2_000;
const TRY_MS = 1_000;
/** A holder stops this long before its lease lapses (a write that marks a job `sending` is committed meanwhile). */
const MARGIN_MS = 1_000;

interface Lease { name: string; heldUntil: number; askedAt: number }
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
      const askedAt = Date.now();
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
      this.pins.set(p.name, { name, adapter: p, heldUntil: askedAt + SENDER_TTL_MS, askedAt });
      kept.push(p);
    }
    return kept;
  }

  /** Tries to take every transport's sender once now, then keeps them (renewed, or taken when they lapse). */
  async claim(transports: readonly Transport[]): Promise<void> {
    for (const t of transports) this.senders.set(t.platform, { name: SenderLeases.leaseName(t), platform: t.platform, heldUntil: 0, askedAt: 0 });
    await this.tick();
    this.timer ??= setInterval(() => void this.tick(), TRY_MS);
  }

  /** Whether this run drives the transport's sender now (and holds its platform's pin, if it has one). */
  owns(transport: Transport): boolean {
    const now = Date.now();
    const sender = this.senders.get(transport.platform);
    const pin = this.pins.get(transport.platform);
    return sender !== undefined && now < sender.heldUntil - MARGIN_MS && (pin === undefined || now < pin.heldUntil - MARGIN_MS);
  }

  /** Stops renewing and lets every lease go (after the worker stopped: what is still `sending` is then in doubt). */
  async release(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    for (const lease of [...this.senders.values(), ...this.pins.values()]) {
      if (lease.heldUntil === 0) continue;
      lease.heldUntil = 0;
      await this.db.releaseLease(lease.name, this.options.holder).catch((err: unknown) => this.logger.debug('lease not released', { lease: lease.name, error: err }));
    }
  }

  private async tick(): Promise<void> {
    if (this.ticking || !this.db.data.isOpen()) return;
    this.ticking = true;
    try {
      for (const pin of this.pins.values()) {
        if (pin.heldUntil !== 0 && Date.now() - pin.askedAt >= RENEW_MS && !(await this.renew(pin))) {
          this.logger.error(`lost ${pin.adapter.name}'s lease to another nashra run; it stops here`, { platform: pin.adapter.name });
          void pin.adapter.stop().catch(() => undefined);
          // Its sender goes too: the run that drives the platform now sends for it.
          const sender = this.senders.get(pin.adapter.name);
          if (sender && sender.heldUntil !== 0) {
            sender.heldUntil = 0;
            await this.db.releaseLease(sender.name, this.options.holder);
          }
        }
      }
      for (const sender of this.senders.values()) {
        if (sender.heldUntil !== 0) {
          if (Date.now() - sender.askedAt < RENEW_MS) continue;
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
    const askedAt = Date.now();
    if (await this.db.renewLease(lease.name, this.options.holder, SENDER_TTL_MS)) {
      lease.askedAt = askedAt;
      lease.heldUntil = askedAt + SENDER_TTL_MS;
      return true;
    }
    lease.heldUntil = 0;
    return false;
  }

  /**
   * Takes a sender that is free or lapsed. From another holder (or none): what it left `sending` is recovered first,
   * that platform's only, before anything is sent. Its own lease again (it lapsed here, no one took it): nothing.
   */
  private async take(sender: Sender): Promise<void> {
    const before = await this.db.leaseHolder(sender.name);
    const askedAt = Date.now();
    if (before !== undefined && before.holder !== this.options.holder && before.expiresAt.getTime() > askedAt) return;
    const got = await this.db.acquireLease(sender.name, this.options.holder, SENDER_TTL_MS, this.options.info);
    if (!got.ok) return;
    if (before?.holder !== this.options.holder) {
      const { policy } = this.options;
      const recovered = await this.db.data.repos.jobs.recoverInterrupted(policy, Date.now(), sender.platform);
      if (recovered > 0) {
        this.logger.warn(policy === 'hold'
          ? 'messages interrupted by the last stop are in doubt and will not be resent (see nashra in-doubt list)'
          : 'messages interrupted by the last stop are queued again (NASHRA_IN_DOUBT_POLICY=resend)', { platform: sender.platform, count: recovered });
      }
      if (before !== undefined) this.logger.info('took over a sender from a nashra run that stopped', { platform: sender.platform, pid: before.pid, host: before.host });
    }
    sender.askedAt = askedAt;
    sender.heldUntil = askedAt + SENDER_TTL_MS;
    this.options.onTaken();
  }
}
