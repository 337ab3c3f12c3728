import { PermissionError } from '../errors.js';
import type { AuditAction } from '../model/audit.js';
import type { DeskRole } from '../model/outlet.js';
import type { Repositories } from '../ports/index.js';

/**
 * Who asks for a newsroom action, as each front door knows them: a platform user (`telegram`/user id,
 * `whatsapp`/phone number), the operator at the server's shell (`cli`), or an editor signed in to the desk (`desk`).
 */
export interface Actor {
  platform: string;
  id: string;
  /**
   * A desk editor's role in the outlet the desk shows (its membership, read again at every request): an `editor`
   * works on items, only an `admin` manages the outlet (requireOutletAdmin). Absent for every other front door.
   */
  role?: DeskRole;
}

/** The operator at the server: whoever can run `nashra` can already read the database. */
export const CLI_OPERATOR: Actor = { platform: 'cli', id: 'cli' };

/** Nashra itself, for what happens without anyone asking (the bot was removed from a group). */
export const SYSTEM: Actor = { platform: 'system', id: 'nashra' };

/** Front doors that authenticate editors themselves: a shell on the server, a desk session. */
const TRUSTED_FRONT_DOORS = new Set(['cli', 'desk']);

/**
 * The one editor list: per platform, the ids the configuration names (TELEGRAM_EDITOR_IDS, …) and those added to
 * the store. Every front door asks here, again at every button press. It holds the audit log too, to record a
 * refusal (requireEditor) wherever it is asked.
 */
export class EditorDirectory {
  constructor(
    private readonly repos: Pick<Repositories, 'editors' | 'audit'>,
    private readonly configured: ReadonlyMap<string, readonly string[]>,
  ) {}

  async isEditor(actor: Actor): Promise<boolean> {
    if (TRUSTED_FRONT_DOORS.has(actor.platform)) return true;
    return (
      (this.configured.get(actor.platform)?.includes(actor.id) ?? false) ||
      (await this.repos.editors.isEditor(actor.platform, actor.id))
    );
  }

  /** The editors one platform can reach (to tell them something). */
  async on(platform: string): Promise<string[]> {
    const stored = await this.repos.editors.onPlatform(platform);
    return [...new Set([...(this.configured.get(platform) ?? []), ...stored])];
  }

  /** Someone was refused `action`: the audit entry, in its own transaction (nothing else is written). */
  refused(actor: Actor, action: string, now = Date.now()): Promise<void> {
    return recordAudit(this.repos, actor, 'refused', { action }, now);
  }
}

/** The action's audit entry through the ports, in the action's unit of work (`tx`). */
export function recordAudit(
  tx: Pick<Repositories, 'audit'>,
  actor: Actor,
  action: AuditAction,
  detail: Record<string, unknown> = {},
  now = Date.now(),
): Promise<void> {
  return tx.audit.record(actor.platform, actor.id, action, detail, now);
}

/**
 * Editors only: anyone else is refused (and the refusal audited), with nothing changed. Asked before the action's
 * unit of work, never inside it (it reads and writes outside the unit): `await requireEditor(…)` first.
 */
export async function requireEditor(deps: { editors: EditorDirectory }, actor: Actor, action: string): Promise<void> {
  if (await deps.editors.isEditor(actor)) return;
  await deps.editors.refused(actor, action);
  throw new PermissionError(`${action} is for editors only`);
}

/** An action that manages the outlet, asked of a desk editor whose role there is `editor`: refused (403), audited. */
export class OutletAdminError extends PermissionError {
  constructor(readonly action: string) {
    super(`${action} is for the outlet's admins`);
  }
}

/**
 * Managing an outlet (its sources, chats and their settings, its accounts) is for its admins: a desk editor whose
 * role there is `editor` is refused, the refusal audited in that outlet, nothing changed. The other front doors are
 * trusted as before (the operator's shell; a platform's editors, checked by requireEditor). Asked before the action's
 * unit of work, like requireEditor.
 */
export async function requireOutletAdmin(
  deps: { editors: EditorDirectory },
  actor: Actor,
  action: string,
): Promise<void> {
  if (actor.platform !== 'desk' || actor.role === 'admin') return;
  await deps.editors.refused(actor, action);
  throw new OutletAdminError(action);
}
