-- Conversation safety: addresses we must not mail again, and the automatic replies we sent, for the
-- per-address cap that stops any mail loop the detector does not recognise.

-- Hard-bounced addresses. The outbox row whose bounce put the address here, when we know it.
CREATE TABLE mail_suppressions (
  address    text PRIMARY KEY CHECK (address = lower(address) AND address LIKE '%@%'),
  reason     text NOT NULL,
  outbox_id  bigint REFERENCES outbox (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- One row per automatic reply (confirmation, status answer...) sent to an address. Written with the
-- outbox row it counts, so a retried send is counted once.
CREATE TABLE auto_reply_log (
  id        bigserial PRIMARY KEY,
  address   text NOT NULL CHECK (address = lower(address)),
  outbox_id bigint UNIQUE REFERENCES outbox (id) ON DELETE CASCADE,
  sent_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX auto_reply_log_address_sent ON auto_reply_log (address, sent_at);
