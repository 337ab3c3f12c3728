import { UserError } from '../errors.js';
import type { DeliveryRecord } from '../model/delivery.js';
import { audit, requireEditor, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';

/**
 * An editor's verdict on a delivery left in doubt by a crash (its request may or may not have reached the chat):
 * `mark-sent` (the chat shows it) closes it; `send-again` queues it once more.
 */
export function resolveInDoubt(deps: NewsroomDeps, actor: Actor, deliveryId: number, verdict: 'mark-sent' | 'send-again'): DeliveryRecord {
  requireEditor(deps, actor, 'in-doubt');
  const { store } = deps;
  const resolved = store.transaction(() => {
    const to = verdict === 'mark-sent' ? 'sent' : 'queued';
    const note = verdict === 'mark-sent' ? `marked as sent by ${actor.platform}:${actor.id}` : `sent again by ${actor.platform}:${actor.id}`;
    if (!store.deliveries.resolveInDoubt(deliveryId, to, note)) {
      const d = store.deliveries.get(deliveryId);
      throw new UserError(d ? `delivery ${deliveryId} is ${d.state}, not in doubt` : `no delivery ${deliveryId}`);
    }
    audit(store, actor, verdict === 'mark-sent' ? 'delivery.mark_sent' : 'delivery.send_again', { delivery: deliveryId });
    return store.deliveries.get(deliveryId)!;
  });
  if (verdict === 'send-again') deps.onQueued();
  return resolved;
}
