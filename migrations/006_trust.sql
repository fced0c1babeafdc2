-- Trust (issue 9): who proved what, status changes staff must confirm, mail held by the cap, and
-- attachments that are safe to forward.

-- The sender of this message proved its From: the city's receiving server authenticated it (DMARC, or
-- an aligned DKIM pass), or it came through a reply address or Message-ID we gave that sender.
ALTER TABLE inbound_messages ADD COLUMN sender_verified boolean NOT NULL DEFAULT false;
CREATE INDEX inbound_messages_verified_sender ON inbound_messages (lower(from_address)) WHERE sender_verified;

-- The resident's address has proved itself (see sender_verified): what they wrote may be echoed to it,
-- and answers to their own messages do not count against the cap on automatic mail.
ALTER TABLE requests ADD COLUMN resident_verified boolean NOT NULL DEFAULT false;

-- cap_exempt: mail answering a verified resident's own message (counts only against the hard ceiling).
-- cap_released: staff released it after the cap held it; it is sent whatever the count.
ALTER TABLE outbox ADD COLUMN cap_exempt boolean NOT NULL DEFAULT false;
ALTER TABLE outbox ADD COLUMN cap_released boolean NOT NULL DEFAULT false;
-- 'held': stopped by the per-address cap, waiting for staff to release it (suppressed stays for hard bounces).
ALTER TABLE outbox DROP CONSTRAINT outbox_state_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_state_check CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'suppressed', 'held'));
CREATE INDEX outbox_held ON outbox (created_at) WHERE state = 'held';

-- A status command (or a resident's reopening reply) that could not be trusted: staff accept or reject it.
CREATE TABLE status_proposals (
  id                 bigserial PRIMARY KEY,
  request_id         bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  inbound_message_id bigint NOT NULL UNIQUE REFERENCES inbound_messages (id),
  to_status          text NOT NULL,
  note               text,
  -- Who the message claims to be, e.g. 'department:highway@danbury.example'.
  claimed_actor      text NOT NULL,
  -- Why it was not applied at once, shown to staff.
  reason             text NOT NULL,
  state              text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'accepted', 'rejected')),
  decided_by         text,
  decided_at         timestamptz,
  created_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX status_proposals_pending ON status_proposals (created_at) WHERE state = 'pending';

-- Resident attachments forwarded to departments from the city's address must be what they claim:
-- true only for raster images whose bytes were checked (PNG, JPEG, GIF, WebP).
ALTER TABLE attachments ADD COLUMN forwardable boolean NOT NULL DEFAULT false;
