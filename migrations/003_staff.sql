-- Staff accounts for the web app, their sessions, and the sign-in attempts that drive the lockout.
CREATE TABLE staff_users (
  id            bigserial PRIMARY KEY,
  email         text NOT NULL,
  -- argon2id, in its self-describing PHC string form (parameters and salt included).
  password_hash text NOT NULL,
  is_admin      boolean NOT NULL DEFAULT false,
  -- Set when the password was generated and printed by `cityline user add`: it works for one sign-in,
  -- which must choose a new one before anything else.
  must_change_password boolean NOT NULL DEFAULT false,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  last_sign_in  timestamptz
);
CREATE UNIQUE INDEX staff_users_email ON staff_users (lower(email));

-- The cookie carries a random token; only its SHA-256 is stored, so a database dump signs no one in.
CREATE TABLE staff_sessions (
  token_hash  text PRIMARY KEY,
  user_id     bigint NOT NULL REFERENCES staff_users (id) ON DELETE CASCADE,
  created_at  timestamptz NOT NULL DEFAULT now(),
  last_seen   timestamptz NOT NULL DEFAULT now(),
  expires_at  timestamptz NOT NULL
);
CREATE INDEX staff_sessions_user ON staff_sessions (user_id);

CREATE TABLE sign_in_attempts (
  id         bigserial PRIMARY KEY,
  email      text NOT NULL,
  ip         text NOT NULL,
  succeeded  boolean NOT NULL,
  at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sign_in_attempts_email ON sign_in_attempts (lower(email), at);
CREATE INDEX sign_in_attempts_ip ON sign_in_attempts (ip, at);
