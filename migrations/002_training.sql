-- Staff corrections: each reviewed request becomes a labelled example for `cityline train`.
CREATE TABLE training_examples (
  id          bigserial PRIMARY KEY,
  request_id  bigint REFERENCES requests (id) ON DELETE SET NULL,
  subject     text NOT NULL DEFAULT '',
  body        text NOT NULL,
  category    text NOT NULL,
  street      text,
  source      text NOT NULL DEFAULT 'staff',
  created_by  text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (request_id)
);
