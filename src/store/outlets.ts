import { Table } from './table.js';
import type { DeskRole, Membership, NewOutlet, Outlet } from '../model/outlet.js';

/** The outlets' registry and the desk accounts' memberships (db/020_outlets.sql), in the first outlet's database. */
export class OutletsTable extends Table {
  private readonly listStmt = this.db.prepare('SELECT * FROM outlets ORDER BY slug');
  private readonly findStmt = this.db.prepare('SELECT * FROM outlets WHERE slug = ?');
  private readonly addStmt = this.db.prepare(`INSERT INTO outlets (slug, name, env_prefix, created_at)
    VALUES (@slug, @name, @envPrefix, @now) ON CONFLICT DO NOTHING RETURNING *`);
  private readonly removeStmt = this.db.prepare('DELETE FROM outlets WHERE slug = ?');
  private readonly membershipsStmt =
    this.db.prepare(`SELECT m.editor_id, m.outlet_id, m.role, o.slug FROM desk_memberships m
    JOIN outlets o ON o.id = m.outlet_id WHERE m.editor_id = ? ORDER BY o.slug`);
  private readonly setMembershipStmt =
    this.db.prepare(`INSERT INTO desk_memberships (editor_id, outlet_id, role, created_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (editor_id, outlet_id) DO UPDATE SET role = excluded.role`);
  private readonly removeMembershipStmt = this.db.prepare(
    'DELETE FROM desk_memberships WHERE editor_id = ? AND outlet_id = ?',
  );

  list(): Outlet[] {
    return (this.listStmt.all() as OutletRow[]).map((r) => outletFromRow(r)!);
  }

  find(slug: string): Outlet | undefined {
    return outletFromRow(this.findStmt.get(slug) as OutletRow | undefined);
  }

  add(outlet: NewOutlet, now: number): Outlet | undefined {
    return outletFromRow(this.addStmt.get(outletValues(outlet, now)) as OutletRow | undefined);
  }

  remove(slug: string): boolean {
    return this.removeStmt.run(slug).changes > 0;
  }

  membershipsOf(editorId: number): Membership[] {
    return (this.membershipsStmt.all(editorId) as MembershipRow[]).map(membershipFromRow);
  }

  setMembership(editorId: number, outletId: number, role: DeskRole, now: number): void {
    this.setMembershipStmt.run(editorId, outletId, role, now);
  }

  removeMembership(editorId: number, outletId: number): boolean {
    return this.removeMembershipStmt.run(editorId, outletId).changes > 0;
  }
}

interface OutletRow {
  id: number;
  slug: string;
  name: string;
  env_prefix: string | null;
  created_at: number;
}
interface MembershipRow {
  editor_id: number;
  outlet_id: number;
  role: DeskRole;
  slug: string;
}

/** An outlet's insert values (both adapters' statements name the same ones). */
export function outletValues(outlet: NewOutlet, now: number): Record<string, unknown> {
  return { slug: outlet.slug, name: outlet.name, envPrefix: outlet.envPrefix, now };
}

export function outletFromRow(r: OutletRow | undefined): Outlet | undefined {
  return (
    r && {
      id: r.id,
      slug: r.slug,
      name: r.name,
      envPrefix: r.env_prefix ?? undefined,
      createdAt: new Date(r.created_at),
    }
  );
}

export function membershipFromRow(r: MembershipRow): Membership {
  return { editorId: r.editor_id, outletId: r.outlet_id, slug: r.slug, role: r.role };
}
