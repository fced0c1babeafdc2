-- The 311 desk: who works a request, who has it open right now, staff roles, and an audit log of staff actions.

-- The staff member working a request; null while it is unassigned.
ALTER TABLE requests ADD COLUMN assigned_to bigint REFERENCES staff_users (id) ON DELETE SET NULL;
CREATE INDEX requests_assigned_open ON requests (assigned_to) WHERE closed_at IS NULL;

-- What a non-admin account may do: agents work requests, read-only accounts (supervisors, auditors)
-- only look. An admin (is_admin) may do everything whatever this says.
ALTER TABLE staff_users ADD COLUMN role text NOT NULL DEFAULT 'agent' CHECK (role IN ('agent', 'read_only'));

-- Who opened a request's page lately: a second agent sees that someone else is on it.
CREATE TABLE request_viewers (
  request_id bigint NOT NULL REFERENCES requests (id) ON DELETE CASCADE,
  user_id    bigint NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  seen_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (request_id, user_id)
);

-- Every change a staff member makes in the app, searchable by admins. Request changes are also in
-- request_events; this log holds them with account and routing changes in one place.
CREATE TABLE staff_audit (
  id         bigserial PRIMARY KEY,
  at         timestamptz NOT NULL DEFAULT now(),
  actor      text NOT NULL,
  action     text NOT NULL,
  target     text,
  details    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX staff_audit_at ON staff_audit (at DESC);
