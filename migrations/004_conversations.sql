-- Conversation safety: addresses we must not mail again, and what the per-address cap on automatic
-- mail (which stops any loop the detector does not recognise) needs to count quickly.

-- Hard-bounced addresses. The outbox row whose bounce put the address here, when we know it.
CREATE TABLE mail_suppressions (
  address    text PRIMARY KEY CHECK (address = lower(address) AND address LIKE '%@%'),
  reason     text NOT NULL,
  outbox_id  bigint REFERENCES outbox (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- The per-address cap counts automatic mail already sent, straight from the outbox.
CREATE INDEX outbox_sent_to ON outbox (lower(to_address), sent_at) WHERE state = 'sent';
