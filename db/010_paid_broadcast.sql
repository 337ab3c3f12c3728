-- Version 10: a broadcast an editor marked paid. Its deliveries go out above the platform's free rate where the
-- platform offers it (Telegram's allow_paid_broadcast, charged per message from the bot's Stars balance).
ALTER TABLE broadcasts ADD COLUMN paid INTEGER NOT NULL DEFAULT 0;
