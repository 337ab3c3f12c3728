/** The outlets' registry and desk memberships on PostgreSQL (src/store/outlets.ts is SQLite's). */
import type { OutletRepository } from '../../ports/index.js';
import { membershipFromRow, outletFromRow, outletValues } from '../outlets.js';
import { statement, type Sql } from './sql.js';

type OutletRow = NonNullable<Parameters<typeof outletFromRow>[0]>;
type MembershipRow = Parameters<typeof membershipFromRow>[0];

const LIST = statement('SELECT * FROM outlets ORDER BY slug COLLATE "C"');
const FIND = statement('SELECT * FROM outlets WHERE slug = ?');
const ADD = statement(`INSERT INTO outlets (slug, name, env_prefix, created_at)
  VALUES (@slug, @name, @envPrefix, @now) ON CONFLICT DO NOTHING RETURNING *`);
const REMOVE = statement('DELETE FROM outlets WHERE slug = ?');
const MEMBERSHIPS = statement(`SELECT m.editor_id, m.outlet_id, m.role, o.slug FROM desk_memberships m
  JOIN outlets o ON o.id = m.outlet_id WHERE m.editor_id = ? ORDER BY o.slug COLLATE "C"`);
const SET_MEMBERSHIP =
  statement(`INSERT INTO desk_memberships (editor_id, outlet_id, role, created_at) VALUES (?, ?, ?, ?)
  ON CONFLICT (editor_id, outlet_id) DO UPDATE SET role = excluded.role`);
const REMOVE_MEMBERSHIP = statement('DELETE FROM desk_memberships WHERE editor_id = ? AND outlet_id = ?');

export function outletRepository(sql: Sql): OutletRepository {
  return {
    list: async () => (await sql.all<OutletRow>(LIST)).map((r) => outletFromRow(r)!),
    find: async (slug) => outletFromRow(await sql.get<OutletRow>(FIND, [slug])),
    add: async (outlet, now) => outletFromRow((await sql.run<OutletRow>(ADD, outletValues(outlet, now))).rows[0]),
    remove: async (slug) => (await sql.run(REMOVE, [slug])).changes > 0,
    membershipsOf: async (editorId) => (await sql.all<MembershipRow>(MEMBERSHIPS, [editorId])).map(membershipFromRow),
    setMembership: async (editorId, outletId, role, now) => {
      await sql.run(SET_MEMBERSHIP, [editorId, outletId, role, now]);
    },
    removeMembership: async (editorId, outletId) =>
      (await sql.run(REMOVE_MEMBERSHIP, [editorId, outletId])).changes > 0,
  };
}
