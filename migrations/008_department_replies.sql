-- Issue 11, after 008_conversations_answers. Builds of this branch briefly had this table in that file;
-- IF NOT EXISTS lets a database made by one of them upgrade.
-- A department's reply with no status line ("we'll get to it next week"): staff decide whether the
-- resident should have it, unless the department's replies are forwarded automatically.
CREATE TABLE IF NOT EXISTS department_replies (
  inbound_message_id bigint PRIMARY KEY REFERENCES inbound_messages (id),
  request_id         bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  state              text NOT NULL DEFAULT 'needs_attention' CHECK (state IN ('needs_attention', 'forwarded', 'dismissed')),
  outbox_id          bigint REFERENCES outbox (id),
  decided_by         text,
  decided_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS department_replies_attention ON department_replies (created_at) WHERE state = 'needs_attention';
