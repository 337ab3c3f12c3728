export interface Editor {
  platform: string;
  userId: string;
  name?: string;
  addedBy?: string;
  createdAt: Date;
}
export interface AuditEntry {
  id: number;
  at: Date;
  platform: string;
  actor: string;
  action: AuditAction;
  detail: Record<string, unknown>;
}

/**
 * Everything the audit log records, one naming style (`object.verb`), the same from every front door: the entry's
 * platform and actor say where and who (`cli`/`cli`, `telegram`/<user id>, `whatsapp`/<number>, `desk`/<username>).
 */
export type AuditAction =
  | 'broadcast.preview'
  | 'broadcast.confirm'
  | 'broadcast.cancel'
  | 'broadcast.stop'
  | 'broadcast.paid'
  | 'broadcast.schedule'
  | 'broadcast.reschedule'
  | 'broadcast.unschedule'
  | 'urgent.compose'
  | 'subscription.add'
  | 'subscription.update'
  | 'subscription.remove'
  | 'subscription.lost'
  | 'subscription.migrate'
  | 'source.add'
  | 'source.remove'
  | 'source.pause'
  | 'source.resume'
  | 'source.list'
  | 'source.poll'
  | 'source.import'
  | 'source.export'
  | 'source.hook'
  | 'stats.view'
  | 'delivery.mark_sent'
  | 'delivery.send_again'
  | 'delivery.resend_failed'
  | 'article.edit'
  | 'article.ingest'
  | 'article.revise'
  | 'correction.preview'
  | 'correction.confirm'
  | 'correction.cancel'
  | 'correction.mark_sent'
  | 'correction.send_again'
  | 'retraction.preview'
  | 'article.retract'
  | 'editor.add'
  | 'editor.remove'
  | 'editor.passwd'
  | 'session.login'
  | 'session.refused'
  | 'session.logout'
  | 'review.publish'
  | 'review.dismiss'
  | 'review.list'
  | 'demo.end'
  | 'outlet.add'
  | 'outlet.remove'
  | 'membership.set'
  | 'membership.remove'
  | 'refused';
