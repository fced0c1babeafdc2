-- Whether each way we reach the mailbox (IMAP in, SMTP or Graph out) can sign in, written by the
-- process that uses it and read by every process that serves /healthz and the dashboard.
CREATE TABLE sign_in_status (
  channel     text PRIMARY KEY CHECK (channel IN ('imap', 'smtp', 'graph')),
  ok          boolean NOT NULL,
  -- 'sign-in' (credentials, token, consent, mailbox permission) or 'connection' (server unreachable).
  problem     text CHECK (problem IN ('sign-in', 'connection')),
  reason      text,
  -- When the current state (ok, or this failure) began.
  since       timestamptz NOT NULL DEFAULT now(),
  -- Last time a process confirmed the state: a row nobody refreshes is stale and not believed.
  checked_at  timestamptz NOT NULL DEFAULT now(),
  CHECK (ok = (problem IS NULL))
);

-- The last time an admin was emailed about a failing sign-in: at most one such email an hour, however
-- many processes see the failure.
CREATE TABLE admin_alerts (
  kind     text PRIMARY KEY,
  sent_at  timestamptz NOT NULL
);
