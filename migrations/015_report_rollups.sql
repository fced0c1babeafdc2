-- Reports over years of a large city's requests read these daily rollups instead of every request:
-- counts per day, category, department and channel, and durations as log-spaced histograms (each
-- bucket 10% wider than the last) from which medians and 90th percentiles are read. Days whose requests
-- changed since the last refresh are recomputed whole (see src/reports/rollup.ts).

CREATE TABLE request_day_stats (
  day             date NOT NULL,
  category        text NOT NULL,
  -- '' for requests not routed to a department.
  department_code text NOT NULL,
  channel         text NOT NULL,
  opened          integer NOT NULL,
  resolved        integer NOT NULL,
  still_open      integer NOT NULL,
  with_target     integer NOT NULL,
  on_time         integer NOT NULL,
  sent_to_review  integer NOT NULL,
  decisions       integer NOT NULL,
  corrected       integer NOT NULL,
  PRIMARY KEY (day, category, department_code, channel)
);

CREATE TABLE request_day_durations (
  day             date NOT NULL,
  category        text NOT NULL,
  department_code text NOT NULL,
  -- 'route': arrival to routing; 'resolve': arrival to resolution.
  kind            text NOT NULL CHECK (kind IN ('route', 'resolve')),
  bucket          smallint NOT NULL,
  n               integer NOT NULL,
  PRIMARY KEY (day, category, department_code, kind, bucket)
);

CREATE TABLE report_rollup_state (
  id            smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
  time_zone     text,
  -- Requests updated at or after this are re-read at the next refresh.
  refreshed_at  timestamptz
);
INSERT INTO report_rollup_state DEFAULT VALUES;

CREATE INDEX requests_updated ON requests (updated_at);
