import { PermissionError } from '../errors.js';
import type { AuditAction } from '../model/audit.js';
import type { Repositories } from '../ports/index.js';
import type { Store } from '../store/index.js';

/**
 * Who asks for a newsroom action, as each front door knows them: a platform user (`telegram`/user id,
 * `whatsapp`/phone number), the operator at the server's shell (`cli`), or an editor signed in to the desk (`desk`).
 */
export interface Actor {
  platform: string;
  id: string;
}

/** The operator at the server: whoever can run `nashra` can already read the database. */
export const CLI_OPERATOR: Actor = { platform: 'cli', id: 'cli' };

/** Nashra itself, for what happens without anyone asking (the bot was removed from a group). */
export const SYSTEM: Actor = { platform: 'system', id: 'nashra' };

/** Front doors that authenticate editors themselves: a shell on the server, a desk session. */
const TRUSTED_FRONT_DOORS = new Set(['cli', 'desk']);

/**
 * The one editor list: per platform, the ids the configuration names (TELEGRAM_EDITOR_IDS, …) and those added to
 * the store. Every front door asks here, again at every button press.
 */
export class EditorDirectory {
  constructor(private readonly store: Store, private readonly configured: ReadonlyMap<string, readonly string[]>) {}

  isEditor(actor: Actor): boolean {
    if (TRUSTED_FRONT_DOORS.has(actor.platform)) return true;
    return (this.configured.get(actor.platform)?.includes(actor.id) ?? false) || this.store.editors.isEditor(actor.platform, actor.id);
  }

  /** The editors one platform can reach (to tell them something). */
  on(platform: string): string[] {
    const stored = this.store.editors.list().filter((e) => e.platform === platform).map((e) => e.userId);
    return [...new Set([...(this.configured.get(platform) ?? []), ...stored])];
  }
}

export function audit(store: Store, actor: Actor, action: AuditAction, detail: Record<string, unknown> = {}, now = Date.now()): void {
  store.audit.record(actor.platform, actor.id, action, detail, now);
}

/** The action's audit entry through the ports, in the action's unit of work (`tx`). */
export function recordAudit(tx: Pick<Repositories, 'audit'>, actor: Actor, action: AuditAction, detail: Record<string, unknown> = {}, now = Date.now()): Promise<void> {
  return tx.audit.record(actor.platform, actor.id, action, detail, now);
}

/** Editors only: anyone else is refused (and the refusal audited), with nothing changed. */
export function requireEditor(deps: { store: Store; editors: EditorDirectory }, actor: Actor, action: string): void {
  if (deps.editors.isEditor(actor)) return;
  audit(deps.store, actor, 'refused', { action });
  throw new PermissionError(`${action} is for editors only`);
}
