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
