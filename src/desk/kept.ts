/**
 * What an editor typed into a form after the session had ended (signed out elsewhere, the password changed, idle too
 * long): carried by the sign-in form, then put back into the same form once signed in again. Nothing is applied: the
 * editor sees the text restored and saves it with a fresh token. Kept in memory for one sign-in; a restart loses it,
 * which is why the session-ended page also shows the text to copy.
 */

export type KeptFields = Record<string, string>;
interface Kept {
  path: string;
  fields: KeptFields;
  at: number;
}

/** Fields a form carries for the desk's own use, not typed by the editor: never kept. */
const NOT_TYPED = new Set(['_csrf', 'token', 'password', 'password2', 'resume']);
/** The longest form (an edited summary) has 3 fields; the subscription settings form has one per source. */
const MAX_FIELDS = 200;
/** A draft waits this long for its editor to sign in and open the page (30 minutes). */
const KEEP_MS = 30 * 60_000;
/** Drafts waiting at once (the oldest goes first): one per editor who signed in again, a newsroom has a few. */
const MAX_DRAFTS = 100;

/** The typed fields of a form body, without tokens and passwords. */
export function typedFields(body: unknown, prefix = ''): KeptFields {
  const out: KeptFields = {};
  if (!body || typeof body !== 'object') return out;
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (!key.startsWith(prefix) || typeof value !== 'string') continue;
    const name = key.slice(prefix.length);
    if (NOT_TYPED.has(name) || !/^[a-z][a-z0-9_]{0,40}$/.test(name)) continue;
    out[name] = value;
    if (Object.keys(out).length >= MAX_FIELDS) break;
  }
  return out;
}

/** The page whose form a state-changing path was posted from, where the kept text goes back. */
export function formPageOf(path: string): string {
  const p = path.split('?')[0]!;
  const owner = /^\/(articles|broadcasts|corrections)\/(\d{1,15})\//.exec(p);
  if (owner) return `/${owner[1] === 'corrections' ? 'corrections' : owner[1]}/${owner[2]}`;
  if (/^\/subscriptions\/\d{1,15}\/settings$/.test(p)) return p;
  for (const page of ['/urgent', '/sources', '/subscriptions', '/queue'])
    if (p === page || p.startsWith(`${page}/`)) return page;
  return '/';
}

export class KeptDrafts {
  private readonly drafts = new Map<string, Kept>();

  /** For the session just signed in: what goes back into the form at `path`. */
  put(sessionHash: string, path: string, fields: KeptFields, now: number): void {
    if (Object.keys(fields).length === 0) return;
    this.drafts.delete(sessionHash);
    this.drafts.set(sessionHash, { path, fields, at: now });
    for (const [key, kept] of this.drafts) {
      if (this.drafts.size <= MAX_DRAFTS && now - kept.at <= KEEP_MS) break;
      this.drafts.delete(key);
    }
  }

  /** The draft for this session's form at `path`, once: opening the page again shows the stored text. */
  take(sessionHash: string, path: string, now: number): KeptFields | undefined {
    const kept = this.drafts.get(sessionHash);
    if (!kept || kept.path !== path) return undefined;
    this.drafts.delete(sessionHash);
    return now - kept.at <= KEEP_MS ? kept.fields : undefined;
  }
}

/** One value per session, read once by the next page: the add-source form's outcome after its redirect. */
export class OncePerSession<T> {
  private readonly values = new Map<string, T>();

  set(sessionHash: string, value: T): void {
    this.values.delete(sessionHash);
    this.values.set(sessionHash, value);
    if (this.values.size > MAX_DRAFTS) this.values.delete(this.values.keys().next().value!);
  }

  take(sessionHash: string): T | undefined {
    const value = this.values.get(sessionHash);
    this.values.delete(sessionHash);
    return value;
  }
}
