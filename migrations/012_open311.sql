-- Open311 GeoReport v2, write side: the API keys civic apps file with, what each submission carried
-- beyond its text, and the note staff publish (kept apart from the note the resident is emailed).

-- Keys are shown once when an admin creates them; only their SHA-256 is kept, so a dump files nothing.
CREATE TABLE open311_api_keys (
  id           bigserial PRIMARY KEY,
  name         text NOT NULL CHECK (name <> ''),
  key_hash     text NOT NULL UNIQUE,
  -- The first characters, so staff can tell keys apart without the whole secret.
  key_prefix   text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  revoked_by   text,
  last_used_at timestamptz
);

-- One row per POST requests: the stored message it became (which the pipeline opens a request from),
-- the token the client may poll, and the fields that are facts given by the client, not guesses.
CREATE TABLE open311_submissions (
  token              text PRIMARY KEY,
  api_key_id         bigint NOT NULL REFERENCES open311_api_keys (id),
  inbound_message_id bigint NOT NULL UNIQUE REFERENCES inbound_messages (id),
  service_code       text NOT NULL,
  lat                double precision,
  lon                double precision,
  address_string     text,
  address_id         text,
  attributes         jsonb NOT NULL DEFAULT '{}',
  media_url          text,
  phone              text,
  created_at         timestamptz NOT NULL DEFAULT now()
);

-- The note published in Open311 (status_notes, an update's description): written on purpose for the
-- public, never the note meant for the resident.
ALTER TABLE request_events ADD COLUMN public_note text;

-- Clients poll by event time (servicerequestupdates); by last update (requests) uses requests_updated,
-- which 015_report_rollups.sql creates.
CREATE INDEX request_events_public ON request_events (created_at) WHERE kind IN ('status', 'public_comment');
