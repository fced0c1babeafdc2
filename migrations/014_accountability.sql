-- Accountability: when each request is due (its service target in business time), how it reached us,
-- and when the daily digests to departments go out.

ALTER TABLE requests ADD COLUMN due_at timestamptz;
ALTER TABLE requests ADD COLUMN channel text NOT NULL DEFAULT 'email'
  CHECK (channel IN ('email', 'web', 'chat', 'phone', 'walk_in', 'letter', 'open311'));

-- Only the HTTP intake writes this header on mail it composes itself; on mail from outside it means nothing.
UPDATE requests r
   SET channel = CASE WHEN i.headers->>'x-cityline-channel' = 'chat' THEN 'chat' ELSE 'web' END
  FROM inbound_messages i
 WHERE i.id = r.source_message_id AND i.source = 'http';

-- Reports read requests by the day they opened; BRIN fits rows that arrive in time order and stays tiny
-- at millions of rows.
CREATE INDEX requests_created_brin ON requests USING brin (created_at);
CREATE INDEX requests_open_due ON requests (due_at) WHERE closed_at IS NULL AND due_at IS NOT NULL;
CREATE INDEX request_events_reclassified ON request_events (request_id) WHERE kind = 'reclassified';

-- One row: when digests go out (local time of the city, on which weekdays), and where escalations go.
CREATE TABLE digest_schedule (
  id                 smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  enabled            boolean NOT NULL DEFAULT true,
  send_at            time NOT NULL DEFAULT '07:00',
  -- ISO weekdays, 1 = Monday.
  weekdays           smallint[] NOT NULL DEFAULT '{1,2,3,4,5}',
  escalation_enabled boolean NOT NULL DEFAULT true,
  supervisor_email   text,
  updated_by         text,
  updated_at         timestamptz NOT NULL DEFAULT now()
);
INSERT INTO digest_schedule DEFAULT VALUES;
