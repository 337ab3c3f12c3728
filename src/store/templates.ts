import { Table } from './table.js';
import type { LinkPreview, MessageTemplate } from '../model/template.js';

/** A chat's own template replaced (the same statement on PostgreSQL, src/store/postgres/chats.ts). */
export const UPSERT_TEMPLATE = `INSERT INTO subscription_templates
      (subscription_id, header_mark, footer, show_hashtags, show_source, show_date, lead_photo, link_preview, full_story, full_story_in_group, updated_at)
    VALUES (@id, @headerMark, @footer, @showHashtags, @showSource, @showDate, @leadPhoto, @linkPreview, @fullStory, @fullStoryInGroup, @now)
    ON CONFLICT (subscription_id) DO UPDATE SET header_mark = excluded.header_mark, footer = excluded.footer,
      show_hashtags = excluded.show_hashtags, show_source = excluded.show_source, show_date = excluded.show_date,
      lead_photo = excluded.lead_photo, link_preview = excluded.link_preview, full_story = excluded.full_story,
      full_story_in_group = excluded.full_story_in_group, updated_at = excluded.updated_at`;

export function templateValues(subscriptionId: number, t: MessageTemplate, now: number): Record<string, unknown> {
  const flag = (b: boolean | undefined) => (b === undefined ? null : b ? 1 : 0);
  return {
    id: subscriptionId,
    headerMark: t.headerMark ?? null,
    footer: t.footer ?? null,
    showHashtags: flag(t.showHashtags),
    showSource: flag(t.showSource),
    showDate: flag(t.showDate),
    leadPhoto: flag(t.leadPhoto),
    linkPreview: t.linkPreview ?? null,
    fullStory: flag(t.fullStory),
    fullStoryInGroup: flag(t.fullStoryInGroup),
    now,
  };
}

/** subscription_templates: a chat's own template; a missing row or a NULL column is the environment's default. */
export class SubscriptionTemplatesTable extends Table {
  private readonly getStmt = this.db.prepare('SELECT * FROM subscription_templates WHERE subscription_id = ?');
  private readonly putStmt = this.db.prepare(UPSERT_TEMPLATE);
  private readonly deleteStmt = this.db.prepare('DELETE FROM subscription_templates WHERE subscription_id = ?');

  /** The chat's own choices ({} when it made none). */
  get(subscriptionId: number): MessageTemplate {
    const row = this.getStmt.get(subscriptionId) as TemplateRow | undefined;
    return row ? templateFromRow(row) : {};
  }

  /** Replaces the chat's choices; an empty template deletes the row. */
  put(subscriptionId: number, t: MessageTemplate, now = Date.now()): void {
    if (Object.values(t).every((v) => v === undefined)) {
      this.deleteStmt.run(subscriptionId);
      return;
    }
    this.putStmt.run(templateValues(subscriptionId, t, now));
  }
}

interface TemplateRow {
  header_mark: string | null;
  footer: string | null;
  show_hashtags: number | null;
  show_source: number | null;
  show_date: number | null;
  lead_photo: number | null;
  link_preview: LinkPreview | null;
  full_story: number | null;
  full_story_in_group: number | null;
}

/** The row's non-NULL columns (also read by the deliveries query, which joins the table). */
export function templateFromRow(r: Partial<TemplateRow>): MessageTemplate {
  const flag = (v: number | null | undefined) => (v === null || v === undefined ? undefined : v === 1);
  const t: MessageTemplate = {
    headerMark: r.header_mark ?? undefined,
    footer: r.footer ?? undefined,
    showHashtags: flag(r.show_hashtags),
    showSource: flag(r.show_source),
    showDate: flag(r.show_date),
    leadPhoto: flag(r.lead_photo),
    linkPreview: r.link_preview ?? undefined,
    fullStory: flag(r.full_story),
    fullStoryInGroup: flag(r.full_story_in_group),
  };
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as MessageTemplate;
}
