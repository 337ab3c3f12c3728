/**
 * Where each outlet's rows live (issue 24 §4). An outlet is a newsroom: its sources, chats, articles, templates,
 * platform editors and jobs are a database of their own, so no statement of one outlet can read or change another's
 * (the isolation is the database's, not a WHERE clause each statement must remember):
 *
 * - SQLite: `main` is the file it always was (DATABASE_PATH); another outlet is a file in a folder beside it,
 *   `data/nashra.outlets/<slug>.db`.
 * - PostgreSQL: `main` is the `public` schema; another outlet is the schema `outlet_<slug>` (hyphens as underscores)
 *   of the same database, and its connections see that schema alone. Writers take turns per outlet (each schema has
 *   its own write lock, src/store/postgres/ports.ts), so ten outlets write side by side.
 *
 * The registry (which outlets there are, and which desk accounts work in which) is in `main`'s database.
 */
import { basename, dirname, extname, join } from 'node:path';
import type { Catalogue } from '../i18n/index.js';
import { UserError } from '../errors.js';
import { MAIN_OUTLET, type Outlet } from '../model/outlet.js';
import { checkSlug } from '../newsroom/outlets.js';

/** The SQLite file of an outlet's rows. */
export function outletFile(databasePath: string, slug: string): string {
  if (slug === MAIN_OUTLET) return databasePath;
  return join(
    dirname(databasePath),
    `${basename(databasePath, extname(databasePath))}.outlets`,
    `${checkSlug(slug)}.db`,
  );
}

/** The PostgreSQL schema of an outlet's rows. */
export function outletSchema(slug: string): string {
  return slug === MAIN_OUTLET ? 'public' : `outlet_${checkSlug(slug).replaceAll('-', '_')}`;
}

/**
 * The outlet a command acts on: the one named (`--outlet`), else the only one there is. Several and none named is a
 * mistake to say, never a guess: a broadcast sent from the wrong newsroom cannot be taken back.
 */
export function chooseOutlet(
  outlets: readonly Outlet[],
  named: string | undefined,
  words: Catalogue['cli']['outlet'],
): Outlet {
  if (named !== undefined) {
    const found = outlets.find((o) => o.slug === named);
    if (!found)
      throw new UserError(words.unknown(JSON.stringify(named.slice(0, 40)), outlets.map((o) => o.slug).join(', ')));
    return found;
  }
  if (outlets.length === 1) return outlets[0]!;
  throw new UserError(words.several(outlets.length, outlets.map((o) => o.slug).join(', ')));
}
