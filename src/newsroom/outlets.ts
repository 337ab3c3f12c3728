import { PermissionError } from '../errors.js';
import { MAIN_OUTLET, type NewOutlet, type Outlet } from '../model/outlet.js';
import { RefusedError } from '../refusal.js';
import { CLI_OPERATOR, recordAudit, type Actor } from './actor.js';
import type { NewsroomDeps } from './deps.js';

/**
 * The outlets an installation serves (issue 24 §4), as newsroom actions on the registry in the first outlet's
 * database (`deps` are `main`'s). Adding and removing an outlet is the operator's (the CLI): it decides where a
 * newsroom's rows, bot and number live, which no editor of one outlet may decide for the others.
 */

/** 2–32 characters: lower-case Latin letters, digits and inner hyphens (used as a file name and a schema name as is). */
const SLUG = /^[a-z0-9][a-z0-9-]{0,30}[a-z0-9]$/;
/** A prefix of environment variables' names, as a shell writes them, ending in `_`. */
const ENV_PREFIX = /^[A-Z][A-Z0-9_]{0,30}_$/;
const NAME_MAX = 200;

export class OutletExistsError extends RefusedError {
  constructor(readonly slug: string) {
    super({ kind: 'outlet-exists', slug });
  }
}

/** The prefix an outlet's variables get unless the operator names another: `sy-24` → `SY_24_`. */
export function defaultEnvPrefix(slug: string): string {
  return `${slug.toUpperCase().replaceAll('-', '_')}_`;
}

export function checkSlug(slug: string): string {
  if (!SLUG.test(slug)) {
    throw new RefusedError({ kind: 'outlet-slug', slug: slug.slice(0, 40) });
  }
  return slug;
}

type Deps = Pick<NewsroomDeps, 'data' | 'editors'>;

async function requireOperator(deps: Deps, actor: Actor, action: string): Promise<void> {
  if (actor.platform === CLI_OPERATOR.platform) return;
  await deps.editors.refused(actor, action);
  throw new PermissionError('outlets are managed by the operator, with nashra outlets');
}

export async function listOutlets(deps: Deps, actor: Actor): Promise<Outlet[]> {
  await requireOperator(deps, actor, 'outlet.list');
  return deps.data.repos.outlets.list();
}

/**
 * A new outlet: its slug, a name, and the prefix of its platforms' variables (default: the slug in capitals,
 * `SY24_`). Its database (a file, or a schema) is made when it is first opened. Two outlets never share a prefix.
 */
export async function addOutlet(deps: Deps, actor: Actor, input: NewOutlet, now = Date.now()): Promise<Outlet> {
  await requireOperator(deps, actor, 'outlet.add');
  const outlet = cleanOutlet(input);
  return deps.data.uow.run(async (tx) => {
    const existing = await tx.outlets.list();
    if (existing.some((o) => o.slug === outlet.slug)) throw new OutletExistsError(outlet.slug);
    const prefix = existing.find((o) => o.envPrefix === outlet.envPrefix);
    if (prefix) throw new RefusedError({ kind: 'env-prefix-taken', slug: prefix.slug, prefix: outlet.envPrefix });
    const added = await tx.outlets.add(outlet, now);
    if (!added) throw new OutletExistsError(outlet.slug);
    await recordAudit(tx, actor, 'outlet.add', { slug: added.slug }, now);
    return added;
  });
}

/**
 * Takes the outlet out of the registry (its desk memberships go with it); its database is left where it is, so
 * adding the same slug again brings it back. `main` cannot be removed: it holds the registry.
 */
export async function removeOutlet(deps: Deps, actor: Actor, slug: string, now = Date.now()): Promise<Outlet> {
  await requireOperator(deps, actor, 'outlet.remove');
  if (slug === MAIN_OUTLET) throw new RefusedError({ kind: 'main-outlet' });
  return deps.data.uow.run(async (tx) => {
    const outlet = await tx.outlets.find(slug);
    if (!outlet || !(await tx.outlets.remove(slug)))
      throw new RefusedError({ kind: 'no-outlet', slug: slug.slice(0, 40) });
    await recordAudit(tx, actor, 'outlet.remove', { slug }, now);
    return outlet;
  });
}

function cleanOutlet(input: NewOutlet): NewOutlet {
  const slug = checkSlug(input.slug);
  const name = input.name.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (
    name.length === 0 ||
    name.length > NAME_MAX ||
    /[\p{Cc}\u202a-\u202e\u2066-\u2069]/u.test(input.name.replace(/[\t\n\r]/g, ''))
  ) {
    throw new RefusedError({ kind: 'outlet-name', max: NAME_MAX });
  }
  if (!ENV_PREFIX.test(input.envPrefix)) {
    throw new RefusedError({ kind: 'env-prefix', value: input.envPrefix.slice(0, 40) });
  }
  return { slug, name, envPrefix: input.envPrefix };
}

/**
 * Every outlet's newsroom in one process (`nashra run`: the desk serves them all): `main`'s holds the registry and
 * the desk's accounts; `of` opens another's on first use, undefined when there is no such outlet.
 */
export interface OutletNewsrooms {
  readonly main: NewsroomDeps;
  of(slug: string): Promise<NewsroomDeps | undefined>;
}

/**
 * OutletNewsrooms over `main`'s newsroom and a way to open another outlet's (src/app/context.ts newsroom(slug)): an
 * outlet is looked up in the registry at every `of`, so a removed one answers undefined at once, and opened once.
 */
export function outletNewsrooms(main: NewsroomDeps, open: (slug: string) => Promise<NewsroomDeps>): OutletNewsrooms {
  const opened = new Map<string, Promise<NewsroomDeps>>();
  return {
    main,
    of: async (slug) => {
      if (slug === MAIN_OUTLET) return main;
      if (!(await main.data.repos.outlets.find(slug))) return undefined;
      let newsroom = opened.get(slug);
      if (!newsroom) {
        newsroom = open(slug);
        opened.set(slug, newsroom);
        // A failed open (a file that cannot be created) is tried again next time, not remembered.
        newsroom.catch(() => opened.delete(slug));
      }
      return newsroom;
    },
  };
}
