-- Version 21: the outlet a desk session shows (issue 24, section 4). An editor who is a member of several outlets
-- works in one at a time, chosen with the desk's switcher; every request reads the membership again, so this is a
-- preference, never a permission. Every session there was showed the one newsroom: `main` (id 1, db/020_outlets.sql).
-- No foreign key: SQLite adds a referencing column only with a NULL default, and a session whose outlet was removed
-- falls back to another of its editor's memberships at its next request (src/newsroom/desk-accounts.ts deskOutlet).
ALTER TABLE desk_sessions ADD COLUMN outlet_id INTEGER NOT NULL DEFAULT 1;
