import type { ArticleEditInput } from '../newsroom/index.js';

/** What the desk reads from URLs and forms, for its pages and its actions alike. */

type Query = Record<string, string | string[] | undefined>;

/** A row id from the URL; anything else (a forged or malformed id) is a 404. */
export function parseId(raw: unknown): number | undefined {
  return typeof raw === 'string' && /^[1-9]\d{0,14}$/.test(raw) ? Number(raw) : undefined;
}

/** One query-string value, bounded; repeated parameters and overlong values are ignored. */
export function one(q: Query, name: string, max = 200): string | undefined {
  const v = q[name];
  return typeof v === 'string' && v.trim() !== '' && v.length <= max ? v.trim() : undefined;
}

/** The article edit form (and the correction form, which is the same). */
export function editInput(body: Record<string, unknown>): ArticleEditInput {
  const text = (name: string) => (typeof body[name] === 'string' ? (body[name] as string) : '');
  return {
    title: text('title'),
    summary: text('summary').split(/\r?\n/),
    hashtags: text('hashtags').split(/[\s,،]+/),
  };
}
