-- Version 20: outlets (issue 24, section 4). A newsroom is an outlet: its sources, chats, articles, templates,
-- platform editors and jobs are its own database (SQLite: a file beside this one; PostgreSQL: a schema of its own),
-- so no statement can reach another outlet's rows. This database is the first outlet, `main`, and keeps every row it
-- had; it also holds the registry below (the other outlets, and which desk accounts may work in which).

-- An outlet's platforms (its bot token, its WhatsApp session folder, its editors' ids) are never stored here: they
-- are the environment's variables under the outlet's prefix (SY24_TELEGRAM_BOT_TOKEN, SY24_WHATSAPP_SESSION_DIR, …)
-- on every machine that runs `nashra run`, so no token is in the database or its backups. NULL for `main`, which
-- reads the variables without a prefix as before.
CREATE TABLE outlets (
  id         INTEGER PRIMARY KEY,
  slug       TEXT    NOT NULL UNIQUE CHECK (length(slug) BETWEEN 2 AND 32),
  name       TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  env_prefix TEXT    UNIQUE,
  created_at INTEGER NOT NULL
);
INSERT INTO outlets (id, slug, name, created_at) VALUES (1, 'main', 'main', 0);

-- Desk accounts work in the outlets they are members of, each with a role: an admin also manages the outlet's
-- sources, chats and editors; an editor works on its items. Every account there was worked in the one newsroom, as
-- its admin.
CREATE TABLE desk_memberships (
  editor_id  INTEGER NOT NULL REFERENCES desk_editors(id) ON DELETE CASCADE,
  outlet_id  INTEGER NOT NULL REFERENCES outlets(id) ON DELETE CASCADE,
  role       TEXT    NOT NULL CHECK (role IN ('admin', 'editor')),
  created_at INTEGER NOT NULL,
  PRIMARY KEY (editor_id, outlet_id)
);
CREATE INDEX desk_memberships_outlet ON desk_memberships(outlet_id);
INSERT INTO desk_memberships (editor_id, outlet_id, role, created_at) SELECT id, 1, 'admin', created_at FROM desk_editors;
