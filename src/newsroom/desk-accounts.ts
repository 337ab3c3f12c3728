import { createHash, randomBytes } from 'node:crypto';
import { PermissionError } from '../errors.js';
import { MAIN_OUTLET, type DeskRole, type Membership, type Outlet } from '../model/outlet.js';
import type { Repositories } from '../ports/index.js';
import { RefusedError } from '../refusal.js';
import { CLI_OPERATOR, recordAudit, requireEditor, requireOutletAdmin, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';
import type { OutletNewsrooms } from './outlets.js';
import { checkNewUsername, checkUsername, hashPassword, normalUsername, verifyPassword } from './password.js';

/**
 * The web desk's accounts and sessions, as newsroom actions: `nashra editors …` and the desk (first-run setup,
 * sign-in, sign-out, every request's session) call these, so an account, a session and its audit entry are written
 * in one place, each in one unit of work with its audit entry. The password's scrypt (100 ms) runs before the unit,
 * never inside it, and what it checked is read again in the unit.
 */

/** A desk account as the front doors show it: never its password hash. */
export interface DeskAccount {
  id: number;
  username: string;
  createdAt: Date;
  passwordChangedAt: Date;
}

/**
 * A signed-in desk editor: `sessionHash` (the SHA-256 of the cookie) binds the forms' CSRF tokens to the session;
 * `outletId` is the outlet the session last showed (deskOutlet checks the membership again).
 */
export interface SignedInEditor {
  editorId: number;
  username: string;
  sessionHash: string;
  outletId: number;
}

/** A desk account with the outlets it works in and its role in each (`nashra editors list`). */
export interface DeskAccountWithOutlets extends DeskAccount {
  memberships: Membership[];
}

/** A new session: `token` goes to the browser (the cookie) and is stored nowhere; only its hash is. */
export interface OpenedSession {
  token: string;
  session: SignedInEditor;
}

export type SignInResult = { kind: 'signed-in'; opened: OpenedSession } | { kind: 'refused' };

/** A session cookie as the desk reads it: one that signs in, or one that no longer does (ended, idle, forged). */
export type SessionLookup = { kind: 'active'; session: SignedInEditor } | { kind: 'ended'; sessionHash: string };

/** `editors add` of a name that is taken (compared without case). */
export class DeskAccountExistsError extends RefusedError {
  constructor(readonly username: string) {
    super({ kind: 'editor-exists', username });
  }
}

type Deps = Pick<NewsroomDeps, 'data' | 'editors'>;
type SessionDeps = Pick<NewsroomDeps, 'data' | 'config'>;

/** A new account's password, or how to ask for it once the name is known to be free (a terminal's prompt). */
type PasswordSource = string | (() => Promise<string>);

/** The SHA-256 a session is stored under: a copy of the database signs nobody in. */
const sessionHashOf = (token: string): string => createHash('sha256').update(token).digest('hex');

const accountOf = (e: DeskAccount): DeskAccount => ({
  id: e.id,
  username: e.username,
  createdAt: e.createdAt,
  passwordChangedAt: e.passwordChangedAt,
});

const noSuchEditor = (username: string) => new RefusedError({ kind: 'no-editor', username });

/**
 * Desk accounts are managed by the operator (`nashra editors`) or a desk editor: an editor on a chat platform is
 * not trusted with passwords typed into a chat.
 */
async function requireAccountManager(deps: Deps, actor: Actor): Promise<void> {
  await requireEditor(deps, actor, 'desk accounts');
  // On the desk, accounts are an admin's to manage.
  await requireOutletAdmin(deps, actor, 'desk accounts');
  if (actor.platform === CLI_OPERATOR.platform || actor.platform === 'desk') return;
  await deps.editors.refused(actor, 'desk accounts');
  throw new PermissionError('desk accounts are managed with nashra editors or on the desk');
}

export async function listDeskEditors(deps: Deps, actor: Actor): Promise<DeskAccountWithOutlets[]> {
  await requireAccountManager(deps, actor);
  const accounts = await deps.data.repos.deskAccounts.list();
  return Promise.all(
    accounts.map(async (e) => ({ ...accountOf(e), memberships: await deps.data.repos.outlets.membershipsOf(e.id) })),
  );
}

/** Whether any desk account exists (the desk offers its one-time setup link while none does). */
export async function hasDeskEditors(deps: Pick<NewsroomDeps, 'data'>): Promise<boolean> {
  return (await deps.data.repos.deskAccounts.count()) > 0;
}

/** Where a new account works: an outlet (its slug) and its role there. */
export interface NewMembership {
  outlet: string;
  role: DeskRole;
}

/**
 * A new account, a member of one outlet (default: an editor of `main`); the password is asked for (when a
 * function) only once the name is known to be free and the outlet to exist.
 */
export async function addDeskEditor(
  deps: Deps,
  actor: Actor,
  name: string,
  password: PasswordSource,
  membership: NewMembership = { outlet: MAIN_OUTLET, role: 'editor' },
  now = Date.now(),
): Promise<DeskAccount> {
  await requireAccountManager(deps, actor);
  const username = checkNewUsername(name);
  const role = checkRole(membership.role);
  if (await deps.data.repos.deskAccounts.find(username)) throw new DeskAccountExistsError(username);
  await outletNamed(deps.data.repos, membership.outlet);
  const hash = await hashPassword(typeof password === 'string' ? password : await password());
  return deps.data.uow.run(async (tx) => {
    // Checked again after the hashing (100 ms): another process may have taken the name (or removed the outlet) meanwhile.
    const outlet = await outletNamed(tx, membership.outlet);
    const added = await tx.deskAccounts.add(username, hash, now);
    if (!added) throw new DeskAccountExistsError(username);
    await tx.outlets.setMembership(added.id, outlet.id, role, now);
    await recordAudit(tx, actor, 'editor.add', { username: added.username, outlet: outlet.slug, role }, now);
    return accountOf(added);
  });
}

/**
 * `nashra editors grant`: the account works in the outlet with this role (a member already: its role changes). Its
 * sessions see the change at their next request.
 */
export async function setDeskMembership(
  deps: Deps,
  actor: Actor,
  name: string,
  slug: string,
  role: DeskRole,
  now = Date.now(),
): Promise<{ account: DeskAccount; outlet: Outlet; role: DeskRole }> {
  await requireAccountManager(deps, actor);
  const username = checkUsername(name);
  checkRole(role);
  return deps.data.uow.run(async (tx) => {
    const account = await tx.deskAccounts.find(username);
    if (!account) throw noSuchEditor(username);
    const outlet = await outletNamed(tx, slug);
    await tx.outlets.setMembership(account.id, outlet.id, role, now);
    await recordAudit(tx, actor, 'membership.set', { username: account.username, outlet: outlet.slug, role }, now);
    return { account: accountOf(account), outlet, role };
  });
}

/**
 * `nashra editors revoke`: the account no longer works in the outlet. A session showing it moves to another of the
 * account's outlets at its next request, or ends when none is left (deskOutlet).
 */
export async function removeDeskMembership(
  deps: Deps,
  actor: Actor,
  name: string,
  slug: string,
  now = Date.now(),
): Promise<{ account: DeskAccount; outlet: Outlet }> {
  await requireAccountManager(deps, actor);
  const username = checkUsername(name);
  return deps.data.uow.run(async (tx) => {
    const account = await tx.deskAccounts.find(username);
    if (!account) throw noSuchEditor(username);
    const outlet = await outletNamed(tx, slug);
    if (!(await tx.outlets.removeMembership(account.id, outlet.id)))
      throw new RefusedError({ kind: 'not-member', username: account.username, outlet: outlet.slug });
    await recordAudit(tx, actor, 'membership.remove', { username: account.username, outlet: outlet.slug }, now);
    return { account: accountOf(account), outlet };
  });
}

function checkRole(role: string): DeskRole {
  if (role !== 'admin' && role !== 'editor') throw new RefusedError({ kind: 'role', role: String(role).slice(0, 20) });
  return role;
}

async function outletNamed(repos: Pick<Repositories, 'outlets'>, slug: string): Promise<Outlet> {
  const outlet = await repos.outlets.find(slug);
  if (!outlet) throw new RefusedError({ kind: 'no-outlet', slug: slug.slice(0, 40) });
  return outlet;
}

/**
 * The first account, from the desk's one-time setup link, signed in at once. Undefined when an account exists
 * already (two tabs racing on the same link create one account): checked in the unit of work that creates it.
 */
export async function addFirstDeskEditor(
  deps: SessionDeps,
  name: string,
  password: string,
  now = Date.now(),
): Promise<OpenedSession | undefined> {
  const username = checkNewUsername(name);
  if (await hasDeskEditors(deps)) return undefined;
  const hash = await hashPassword(password);
  return deps.data.uow.run(async (tx) => {
    if ((await tx.deskAccounts.count()) > 0) return undefined;
    const added = await tx.deskAccounts.add(username, hash, now);
    if (!added) return undefined;
    // The installation's first account runs it: admin of the first outlet (it adds the others' accounts).
    const main = await outletNamed(tx, MAIN_OUTLET);
    await tx.outlets.setMembership(added.id, main.id, 'admin', now);
    await recordAudit(
      tx,
      { platform: 'desk', id: added.username },
      'editor.add',
      { username: added.username, via: 'first-run setup', outlet: main.slug, role: 'admin' },
      now,
    );
    return openSession(tx, added, now);
  });
}

/** A new password; every session of that editor ends (a stolen cookie dies with the old password). */
export async function changeDeskPassword(
  deps: Deps,
  actor: Actor,
  name: string,
  password: PasswordSource,
  now = Date.now(),
): Promise<{ account: DeskAccount; signedOut: number }> {
  await requireAccountManager(deps, actor);
  const username = checkUsername(name);
  if (!(await deps.data.repos.deskAccounts.find(username))) throw noSuchEditor(username);
  const hash = await hashPassword(typeof password === 'string' ? password : await password());
  return deps.data.uow.run(async (tx) => {
    const existing = await tx.deskAccounts.find(username);
    if (!existing || !(await tx.deskAccounts.setPassword(existing.username, hash, now))) throw noSuchEditor(username);
    const signedOut = await tx.sessions.removeAllFor(existing.id);
    await recordAudit(tx, actor, 'editor.passwd', { username: existing.username, signedOut }, now);
    return { account: accountOf((await tx.deskAccounts.get(existing.id))!), signedOut };
  });
}

/** The account is deleted and its sessions with it: its next request, and any sign-in under its name, is refused. */
export async function removeDeskEditor(deps: Deps, actor: Actor, name: string, now = Date.now()): Promise<DeskAccount> {
  await requireAccountManager(deps, actor);
  const username = checkUsername(name);
  return deps.data.uow.run(async (tx) => {
    const existing = await tx.deskAccounts.find(username);
    if (!existing || !(await tx.deskAccounts.remove(existing.username))) throw noSuchEditor(username);
    await recordAudit(tx, actor, 'editor.remove', { username: existing.username }, now);
    return accountOf(existing);
  });
}

/**
 * Signing in to the desk: the password checked with the same scrypt work whether or not the account exists (the
 * answer's timing does not tell), then a new session, idle ones swept, and the audit entry, in one unit of work.
 * A refusal is audited under the name as typed (at most 60 characters). The per-address and per-username limits
 * are the desk's (HTTP) own, before this runs.
 */
export async function deskSignIn(
  deps: SessionDeps,
  attempt: { username: unknown; password: unknown; address: string },
  now = Date.now(),
): Promise<SignInResult> {
  const username = normalUsername(attempt.username);
  const password = typeof attempt.password === 'string' ? attempt.password : '';
  const editor = username ? await deps.data.repos.deskAccounts.find(username) : undefined;
  const ok = await verifyPassword(password, editor?.passwordHash);
  return deps.data.uow.run(async (tx): Promise<SignInResult> => {
    // Read again after the 100 ms check: an account removed (or a password changed) meanwhile does not sign in.
    const current = editor && (await tx.deskAccounts.get(editor.id));
    if (!ok || !current || current.passwordHash !== editor.passwordHash) {
      await recordAudit(
        tx,
        { platform: 'desk', id: username.slice(0, 60) || '?' },
        'session.refused',
        { address: attempt.address },
        now,
      );
      return { kind: 'refused' };
    }
    await tx.sessions.expire(deps.config.web.sessionIdleMs, now);
    const opened = await openSession(tx, current, now);
    await recordAudit(
      tx,
      { platform: 'desk', id: current.username },
      'session.login',
      { address: attempt.address },
      now,
    );
    return { kind: 'signed-in', opened };
  });
}

async function openSession(
  tx: Pick<Repositories, 'sessions'>,
  editor: { id: number; username: string },
  now: number,
): Promise<OpenedSession> {
  const token = randomBytes(32).toString('base64url');
  const sessionHash = sessionHashOf(token);
  await tx.sessions.create(sessionHash, editor.id, now);
  // Created showing `main` (the column's default); its first request moves it to one of the editor's outlets.
  return { token, session: { editorId: editor.id, username: editor.username, sessionHash, outletId: 1 } };
}

/** Signing out: the session ends here, whatever the browser keeps. */
export async function deskSignOut(
  deps: Pick<NewsroomDeps, 'data'>,
  session: SignedInEditor,
  now = Date.now(),
): Promise<void> {
  await deps.data.uow.run(async (tx) => {
    await tx.sessions.remove(session.sessionHash);
    await recordAudit(tx, { platform: 'desk', id: session.username }, 'session.logout', {}, now);
  });
}

/**
 * The session a cookie names, if it was used within NASHRA_WEB_SESSION_IDLE_HOURS (its last use moves to now);
 * anything else (idle, signed out, its editor removed or its password changed, forged) has ended.
 */
export async function deskSession(deps: SessionDeps, token: string, now = Date.now()): Promise<SessionLookup> {
  const sessionHash = sessionHashOf(token);
  const s = await deps.data.repos.sessions.use(sessionHash, deps.config.web.sessionIdleMs, now);
  return s
    ? { kind: 'active', session: { editorId: s.editorId, username: s.username, sessionHash, outletId: s.outletId } }
    : { kind: 'ended', sessionHash };
}

/** The outlet a desk request works in: the editor's membership there (read now), all of them, and its newsroom. */
export interface DeskOutlet {
  membership: Membership;
  memberships: Membership[];
  newsroom: NewsroomDeps;
}

/**
 * The outlet a session shows at this request, its membership read again now (never trusted from the session): the
 * session's own outlet while its editor is still a member there, else another of its memberships (the first by slug),
 * which the session shows from now on. Undefined when the editor is a member of no outlet left (revoked, or the
 * outlets removed): the desk then signs the session out. One indexed read on `main` per request.
 */
export async function deskOutlet(outlets: OutletNewsrooms, session: SignedInEditor): Promise<DeskOutlet | undefined> {
  const memberships = await outlets.main.data.repos.outlets.membershipsOf(session.editorId);
  const ordered = [
    ...memberships.filter((m) => m.outletId === session.outletId),
    ...memberships.filter((m) => m.outletId !== session.outletId),
  ];
  for (const membership of ordered) {
    const newsroom = await outlets.of(membership.slug);
    if (!newsroom) continue;
    if (membership.outletId !== session.outletId)
      await outlets.main.data.repos.sessions.setOutlet(session.sessionHash, membership.outletId);
    return { membership, memberships, newsroom };
  }
  return undefined;
}

/**
 * The desk's outlet switcher: the session shows `slug` from its next request on, when its editor is a member there.
 * Anything else (a forged or stale form) is refused, audited in `main`, and the session keeps its outlet.
 */
export async function switchDeskOutlet(
  outlets: OutletNewsrooms,
  session: SignedInEditor,
  slug: string,
  now = Date.now(),
): Promise<Membership> {
  const repos = outlets.main.data.repos;
  const membership = (await repos.outlets.membershipsOf(session.editorId)).find((m) => m.slug === slug);
  if (!membership) {
    await recordAudit(
      repos,
      { platform: 'desk', id: session.username },
      'refused',
      { action: 'outlet.switch', outlet: slug.slice(0, 40) },
      now,
    );
    throw new PermissionError(`${session.username} is not a member of that outlet`);
  }
  await repos.sessions.setOutlet(session.sessionHash, membership.outletId);
  return membership;
}
