import { Table } from './table.js';
import type { WebSubState, WebSubSubscription } from '../model/source.js';

export type { WebSubState, WebSubSubscription } from '../model/source.js';

/** Push ingest's rows: each source's hook secret, its WebSub subscription, and the replay window. */
export class PushTable extends Table {
  private readonly secretGet = this.db.prepare('SELECT hook_secret FROM sources WHERE id = ?').pluck();
  private readonly secretSet = this.db.prepare('UPDATE sources SET hook_secret = ? WHERE id = ?');
  private readonly seenInsert = this.db.prepare(
    'INSERT INTO push_seen (source_id, nonce, seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
  );
  private readonly seenPrune = this.db.prepare('DELETE FROM push_seen WHERE seen_at < ?');
  private readonly subGet = this.db.prepare('SELECT * FROM websub WHERE source_id = ?');
  // A hub or topic that changed starts over (a new secret, a new subscription).
  private readonly subInsert =
    this.db.prepare(`INSERT INTO websub (source_id, hub, topic, secret, state, updated_at) VALUES (@sourceId, @hub, @topic, @secret, 'subscribe', @now)
    ON CONFLICT (source_id) DO UPDATE SET hub = excluded.hub, topic = excluded.topic, secret = excluded.secret, state = 'subscribe',
      lease_seconds = NULL, expires_at = NULL, last_error = NULL, updated_at = excluded.updated_at
    WHERE websub.hub <> excluded.hub OR websub.topic <> excluded.topic`);
  private readonly subState = this.db.prepare(
    'UPDATE websub SET state = @state, requested_at = COALESCE(@requestedAt, requested_at), last_error = @error, updated_at = @now WHERE source_id = @sourceId',
  );
  // The hub verified a request Nashra made and has not seen verified (requested_at set: a first subscription,
  // pending, or a renewal, active): requested_at is cleared, so a renewal is asked for when the lease reaches its
  // last tenth, and a second verification of the same request (a replay) changes nothing.
  private readonly subActive =
    this.db.prepare(`UPDATE websub SET state = 'active', lease_seconds = @leaseSeconds, expires_at = @expiresAt, last_error = NULL, requested_at = NULL, updated_at = @now
    WHERE source_id = @sourceId AND state IN ('pending', 'active') AND requested_at IS NOT NULL`);
  private readonly subVerified = this.db.prepare(`DELETE FROM websub WHERE source_id = ? AND state = 'unsubscribing'`);
  // A denial answers the request too: pending with no request outstanding, asked again after a while (subDue).
  private readonly subDenied =
    this.db.prepare(`UPDATE websub SET state = 'pending', requested_at = NULL, last_error = @error, updated_at = @now
    WHERE source_id = @sourceId AND state IN ('pending', 'active') AND requested_at IS NOT NULL`);
  private readonly subFailed = this.db.prepare('UPDATE websub SET last_error = ?, updated_at = ? WHERE source_id = ?');
  // To (re)subscribe: new ones, requests the hub never confirmed (after retryMs), denied ones (after deniedMs),
  // and leases in their last tenth (at least the last minute), asked again at most every retryMs until the hub
  // confirms. A lease with no end, or ending later than any lease Nashra accepts (written before leases were
  // bounded), is renewed at once.
  private readonly subDue = this.db.prepare(`SELECT * FROM websub WHERE state IN ('subscribe', 'unsubscribe')
      OR (state IN ('pending', 'unsubscribing') AND requested_at < @retryBefore)
      OR (state = 'pending' AND requested_at IS NULL AND updated_at < @deniedBefore)
      OR (state = 'active' AND (expires_at IS NULL OR expires_at > @latestEnd OR expires_at - MAX(60000, COALESCE(lease_seconds, 0) * 100) < @now)
          AND (requested_at IS NULL OR requested_at < @retryBefore))
    ORDER BY source_id`);
  private readonly subOrphans = this.db.prepare(`UPDATE websub SET state = 'unsubscribe', updated_at = ?
    WHERE state NOT IN ('unsubscribe', 'unsubscribing') AND source_id NOT IN (SELECT id FROM sources WHERE active = 1)`);
  private readonly subActiveFor = this.db
    .prepare(`SELECT 1 FROM websub WHERE source_id = ? AND state = 'active' AND (expires_at IS NULL OR expires_at > ?)`)
    .pluck();

  hookSecret(sourceId: number): string | undefined {
    return (this.secretGet.get(sourceId) as string | null | undefined) ?? undefined;
  }

  setHookSecret(sourceId: number, secret: string | undefined): boolean {
    return this.secretSet.run(secret ?? null, sourceId).changes > 0;
  }

  /** True the first time a nonce is seen for a source within `windowMs`; older nonces are forgotten. */
  firstSeen(sourceId: number, nonce: string, windowMs: number, now = Date.now()): boolean {
    this.seenPrune.run(now - windowMs);
    return this.seenInsert.run(sourceId, nonce, now).changes > 0;
  }

  websub(sourceId: number): WebSubSubscription | undefined {
    const r = this.subGet.get(sourceId) as WebSubRow | undefined;
    return r && webSubFromRow(r);
  }

  /** A hub found in the source's feed: a subscription to make (kept as it is when the hub and topic are the same). */
  discovered(sourceId: number, hub: string, topic: string, secret: string, now = Date.now()): void {
    this.subInsert.run({ sourceId, hub, topic, secret, now });
  }

  setWebSubState(
    sourceId: number,
    state: WebSubState,
    opts: { requestedAt?: number; error?: string } = {},
    now = Date.now(),
  ): void {
    this.subState.run({ sourceId, state, requestedAt: opts.requestedAt ?? null, error: opts.error ?? null, now });
  }

  /**
   * The hub verified the subscription or renewal Nashra asked for: active until `expiresAt`. False, and nothing
   * changed, when no request is outstanding.
   */
  webSubActive(sourceId: number, leaseSeconds: number, expiresAt: number, now = Date.now()): boolean {
    return this.subActive.run({ sourceId, leaseSeconds, expiresAt, now }).changes > 0;
  }

  /** The hub verified an unsubscription Nashra asked for: the row goes. */
  webSubGone(sourceId: number): boolean {
    return this.subVerified.run(sourceId).changes > 0;
  }

  /** The hub denied the subscription or renewal Nashra asked for. False (nothing changed) when none is outstanding. */
  webSubDenied(sourceId: number, error: string, now = Date.now()): boolean {
    return this.subDenied.run({ sourceId, error, now }).changes > 0;
  }

  /** The request to the hub failed: said on the row, which stays as it was (asked again after the retry delay). */
  webSubFailed(sourceId: number, error: string, now = Date.now()): void {
    this.subFailed.run(error, now, sourceId);
  }

  /**
   * Subscriptions of sources removed or paused are marked for unsubscribing; then those with something to do.
   * `retryAfterMs`: a request the hub has not confirmed is made again; `deniedRetryAfterMs`: a denied one;
   * `maxLeaseMs`: the longest lease Nashra accepts.
   */
  webSubDue(
    now: number,
    opts: { retryAfterMs: number; deniedRetryAfterMs: number; maxLeaseMs: number },
  ): WebSubSubscription[] {
    this.subOrphans.run(now);
    return (
      this.subDue.all({
        now,
        retryBefore: now - opts.retryAfterMs,
        deniedBefore: now - opts.deniedRetryAfterMs,
        latestEnd: now + opts.maxLeaseMs,
      }) as WebSubRow[]
    ).map(webSubFromRow);
  }

  /** Polling slows down for a source whose hub pushes its items (a lease that has not ended). */
  webSubIsActive(sourceId: number, now = Date.now()): boolean {
    return this.subActiveFor.get(sourceId, now) === 1;
  }
}

interface WebSubRow {
  source_id: number;
  hub: string;
  topic: string;
  secret: string;
  state: WebSubState;
  lease_seconds: number | null;
  expires_at: number | null;
  requested_at: number | null;
  last_error: string | null;
}

export const webSubFromRow = (r: WebSubRow): WebSubSubscription => ({
  sourceId: r.source_id,
  hub: r.hub,
  topic: r.topic,
  secret: r.secret,
  state: r.state,
  leaseSeconds: r.lease_seconds ?? undefined,
  expiresAt: r.expires_at ?? undefined,
  requestedAt: r.requested_at ?? undefined,
  lastError: r.last_error ?? undefined,
});
