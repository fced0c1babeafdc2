-- The core pipeline: raw mail in, requests and their threads, status history, outbound mail, routing.

-- Every message that reaches us, stored raw before anything else is done with it.
CREATE TABLE inbound_messages (
  id            bigserial PRIMARY KEY,
  source        text NOT NULL CHECK (source IN ('imap', 'drop', 'pipe', 'http', 'bench')),
  -- Where it came from at the source, e.g. 'imap:INBOX:<uidvalidity>:<uid>' or the drop file's name.
  source_ref    text,
  -- The Message-ID when there is one, else 'sha256:<hash of raw>': the same message is stored once.
  dedupe_key    text NOT NULL UNIQUE,
  raw           bytea NOT NULL,
  raw_size      integer NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  -- stored -> parsed -> done; or ignored (auto-reply, bounce, our own mail) or failed (see error).
  state         text NOT NULL DEFAULT 'stored'
                CHECK (state IN ('stored', 'parsed', 'done', 'ignored', 'failed')),
  -- What the parse stage decided this message is (new_request, reply, department_reply, auto_reply, bounce, ...).
  kind          text,
  error         text,
  message_id    text,
  from_address  text,
  from_name     text,
  reply_to      text,
  to_addresses  text[] NOT NULL DEFAULT '{}',
  subject       text,
  sent_at       timestamptz,
  in_reply_to   text,
  references_ids text[] NOT NULL DEFAULT '{}',
  text_body     text,
  html_body     text,
  -- The part the sender actually wrote: quotes, forwarded headers and signatures removed.
  authored_text text,
  headers       jsonb,
  parse_notes   text[] NOT NULL DEFAULT '{}',
  parsed_at     timestamptz,
  request_id    bigint
);
CREATE UNIQUE INDEX inbound_messages_source_ref ON inbound_messages (source, source_ref) WHERE source_ref IS NOT NULL;
CREATE INDEX inbound_messages_pending ON inbound_messages (state, received_at) WHERE state IN ('stored', 'parsed');
CREATE INDEX inbound_messages_message_id ON inbound_messages (message_id);

CREATE TABLE attachments (
  id                 bigserial PRIMARY KEY,
  inbound_message_id bigint NOT NULL REFERENCES inbound_messages (id) ON DELETE CASCADE,
  part_index         integer NOT NULL,
  filename           text,
  content_type       text NOT NULL,
  size               integer NOT NULL,
  content_id         text,
  disposition        text,
  sha256             text,
  -- NULL when the part was over the size cap; the raw message still holds it.
  content            bytea,
  dropped_reason     text,
  UNIQUE (inbound_message_id, part_index)
);

CREATE TABLE departments (
  code   text PRIMARY KEY,
  name   text NOT NULL,
  emails text[] NOT NULL DEFAULT '{}'
);

CREATE TABLE category_routes (
  category        text PRIMARY KEY,
  department_code text NOT NULL REFERENCES departments (code)
);

-- Tracking numbers are drawn from here, so they are unique and never reused even when a transaction rolls back.
CREATE SEQUENCE tracking_number_seq START WITH 1024;

CREATE TABLE requests (
  id                bigserial PRIMARY KEY,
  tracking_number   text NOT NULL UNIQUE,
  -- One inbound message opens at most one request, however often it is retried or redelivered.
  source_message_id bigint UNIQUE REFERENCES inbound_messages (id),
  status            text NOT NULL CHECK (status IN
                      ('received', 'needs_review', 'routed', 'in_progress', 'resolved', 'closed', 'duplicate', 'not_city')),
  resident_email    text,
  resident_name     text,
  language          text NOT NULL DEFAULT 'en',
  subject           text,
  category          text NOT NULL,
  confidence        real NOT NULL,
  alternatives      jsonb NOT NULL DEFAULT '[]',
  model_version     text,
  street            text,
  house_number      text,
  cross_street      text,
  outside_town      text,
  lat               double precision,
  lon               double precision,
  review_reasons    text[] NOT NULL DEFAULT '{}',
  department_code   text REFERENCES departments (code),
  duplicate_of      bigint REFERENCES requests (id),
  created_at        timestamptz NOT NULL DEFAULT now(),
  updated_at        timestamptz NOT NULL DEFAULT now(),
  confirmed_at      timestamptz,
  routed_at         timestamptz,
  closed_at         timestamptz
);
CREATE INDEX requests_status ON requests (status, created_at);
CREATE INDEX requests_resident ON requests (lower(resident_email));
CREATE INDEX requests_street ON requests (street, category) WHERE street IS NOT NULL;

ALTER TABLE inbound_messages
  ADD CONSTRAINT inbound_messages_request FOREIGN KEY (request_id) REFERENCES requests (id);

-- Everything that happened to a request: status changes (the status history), classification, routing, links.
CREATE TABLE request_events (
  id          bigserial PRIMARY KEY,
  request_id  bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  kind        text NOT NULL,
  from_status text,
  to_status   text,
  actor       text NOT NULL,
  note        text,
  details     jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX request_events_request ON request_events (request_id, id);

-- Outbound mail. A row is written in the same transaction as the change that causes it, and sent once.
CREATE TABLE outbox (
  id              bigserial PRIMARY KEY,
  -- What makes this email unique, e.g. 'confirmation:<request id>': a retry cannot queue it twice.
  dedupe_key      text NOT NULL UNIQUE,
  request_id      bigint REFERENCES requests (id),
  kind            text NOT NULL,
  -- Lower is sent first: confirmations to residents before copies to departments.
  priority        smallint NOT NULL DEFAULT 5,
  to_address      text NOT NULL,
  reply_to        text,
  subject         text NOT NULL,
  message_id      text NOT NULL UNIQUE,
  in_reply_to     text,
  references_ids  text[] NOT NULL DEFAULT '{}',
  language        text NOT NULL DEFAULT 'en',
  text_body       text NOT NULL,
  html_body       text,
  attachment_ids  bigint[] NOT NULL DEFAULT '{}',
  headers         jsonb NOT NULL DEFAULT '{}',
  state           text NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'suppressed')),
  attempts        integer NOT NULL DEFAULT 0,
  last_error      text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  sent_at         timestamptz
);
CREATE INDEX outbox_pending ON outbox (state, priority, id) WHERE state IN ('pending', 'sending');
CREATE INDEX outbox_request ON outbox (request_id);

-- A request's conversation: inbound and outbound mail in order. The content lives in the rows referenced.
CREATE TABLE thread_messages (
  id                 bigserial PRIMARY KEY,
  request_id         bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  direction          text NOT NULL CHECK (direction IN ('in', 'out')),
  author             text NOT NULL CHECK (author IN ('resident', 'department', 'staff', 'system', 'other')),
  inbound_message_id bigint UNIQUE REFERENCES inbound_messages (id),
  outbox_id          bigint UNIQUE REFERENCES outbox (id),
  created_at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((inbound_message_id IS NULL) <> (outbox_id IS NULL))
);
CREATE INDEX thread_messages_request ON thread_messages (request_id, id);

-- Where the IMAP watcher got to: UIDs are only meaningful with the UIDVALIDITY they were issued under.
CREATE TABLE mailbox_checkpoints (
  mailbox      text PRIMARY KEY,
  uid_validity bigint NOT NULL,
  last_uid     bigint NOT NULL DEFAULT 0,
  updated_at   timestamptz NOT NULL DEFAULT now()
);
