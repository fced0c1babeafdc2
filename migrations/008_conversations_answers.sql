-- Every message answered (issue 11): questions wait for a person, staff keep saved answers.

-- Since when the resident has been waiting for a person's answer (a question, or their reply to one);
-- NULL when nobody owes them one. The questions queue is the requests where this is set, oldest first.
ALTER TABLE requests ADD COLUMN awaiting_answer_since timestamptz;
CREATE INDEX requests_awaiting_answer ON requests (awaiting_answer_since) WHERE awaiting_answer_since IS NOT NULL;

-- Answers staff write once and reuse, per topic and language; inserted into a reply and edited before sending.
CREATE TABLE saved_answers (
  id         bigserial PRIMARY KEY,
  topic      text NOT NULL CHECK (btrim(topic) <> ''),
  language   text NOT NULL CHECK (language IN ('en', 'es', 'pt')),
  body       text NOT NULL CHECK (btrim(body) <> ''),
  updated_by text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (topic, language)
);

-- A department's reply with no status line ("we'll get to it next week"): staff decide whether the
-- resident should have it, unless the department's replies are forwarded automatically.
CREATE TABLE department_replies (
  inbound_message_id bigint PRIMARY KEY REFERENCES inbound_messages (id),
  request_id         bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  state              text NOT NULL DEFAULT 'needs_attention' CHECK (state IN ('needs_attention', 'forwarded', 'dismissed')),
  outbox_id          bigint REFERENCES outbox (id),
  decided_by         text,
  decided_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX department_replies_attention ON department_replies (created_at) WHERE state = 'needs_attention';
