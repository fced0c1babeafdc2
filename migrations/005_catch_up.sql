-- Brings a database migrated before migrations were checksummed to the schema a fresh one has. Three
-- applied migrations were edited after they were committed (history we cannot rewrite now); a database
-- migrated before an edit lacks it. Each step is a no-op where the edit was already there.

-- 003_staff.sql gained must_change_password (0816cdf).
ALTER TABLE staff_users ADD COLUMN IF NOT EXISTS must_change_password boolean NOT NULL DEFAULT false;

-- 004_conversations.sql replaced the auto_reply_log table by an index on sent outbox rows (bdedc45).
DROP TABLE IF EXISTS auto_reply_log;
CREATE INDEX IF NOT EXISTS outbox_sent_to ON outbox (lower(to_address), sent_at) WHERE state = 'sent';

-- 001_core.sql lost inbound_messages.auth_results (b8c2a7a): the verdicts are read from the stored headers.
ALTER TABLE inbound_messages DROP COLUMN IF EXISTS auth_results;
