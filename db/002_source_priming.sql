-- A source's first successful poll marks its backlog as seen (except the newest `backfill` items).
-- primed_at is when that happened; NULL means the next successful poll is a first one (new, or just re-enabled).
ALTER TABLE sources ADD COLUMN backfill INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sources ADD COLUMN primed_at INTEGER;
