import type { DeskRole, Membership, NewOutlet, Outlet } from '../model/outlet.js';

/**
 * The registry of outlets and of the desk accounts' memberships, kept in the first outlet's database (`main`); every
 * other outlet's rows are in a database of its own (src/app/outlets.ts).
 */
export interface OutletRepository {
  list(): Promise<Outlet[]>;
  find(slug: string): Promise<Outlet | undefined>;
  /** Undefined when the slug is taken. */
  add(outlet: NewOutlet, now: number): Promise<Outlet | undefined>;
  /** Its memberships go with it. False when there was no such outlet. */
  remove(slug: string): Promise<boolean>;
  /** A desk account's outlets and its role in each, in slug order. */
  membershipsOf(editorId: number): Promise<Membership[]>;
  /** Adds the membership, or changes its role. */
  setMembership(editorId: number, outletId: number, role: DeskRole, now: number): Promise<void>;
  /** False when the account was not a member. */
  removeMembership(editorId: number, outletId: number): Promise<boolean>;
}
