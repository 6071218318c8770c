-- Beltwatch ledger, schema version 1.
-- {{ID}} is an auto-incrementing integer key and {{BLOB}} a byte string:
-- the ledger substitutes SQLite's or PostgreSQL's spelling.

CREATE TABLE conveyors (
  id            TEXT PRIMARY KEY,
  name          TEXT NOT NULL,
  first_seen_us BIGINT NOT NULL
);

CREATE TABLE stops (
  id                    {{ID}},
  conveyor              TEXT NOT NULL,
  start_us              BIGINT NOT NULL,
  end_us                BIGINT,
  trigger               TEXT NOT NULL,
  micro                 INTEGER NOT NULL DEFAULT 0,
  suggested_cause       TEXT,
  suggested_probability DOUBLE PRECISION,
  suggested_model       TEXT,
  cause                 TEXT,
  comment               TEXT,
  classified_by         TEXT,
  classified_us         BIGINT,
  md_peak               DOUBLE PRECISION,
  md_background         DOUBLE PRECISION,
  load_before           DOUBLE PRECISION,
  alarm_id              BIGINT,
  UNIQUE (conveyor, start_us)
);
CREATE INDEX stops_start ON stops (start_us);
CREATE INDEX stops_end ON stops (end_us);

-- The raw signal window of a stop: per tag, float32 little-endian values on
-- a regular grid (t0_us + i * period_us), zlib-compressed.
CREATE TABLE stop_windows (
  stop_id   BIGINT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
  tag       TEXT NOT NULL,
  stop_us   BIGINT NOT NULL,
  t0_us     BIGINT NOT NULL,
  period_us BIGINT NOT NULL,
  n         INTEGER NOT NULL,
  data      {{BLOB}} NOT NULL,
  PRIMARY KEY (stop_id, tag)
);

-- Audit trail: every classification and correction, who, when, old → new
CREATE TABLE classifications (
  id          {{ID}},
  stop_id     BIGINT NOT NULL REFERENCES stops (id) ON DELETE CASCADE,
  time_us     BIGINT NOT NULL,
  operator    TEXT NOT NULL,
  old_cause   TEXT,
  new_cause   TEXT NOT NULL,
  old_comment TEXT,
  new_comment TEXT
);
CREATE INDEX classifications_stop ON classifications (stop_id);

CREATE TABLE alarms (
  id          {{ID}},
  conveyor    TEXT NOT NULL,
  kind        TEXT NOT NULL,
  priority    INTEGER NOT NULL,
  stop_id     BIGINT,
  state       TEXT NOT NULL,
  message     TEXT,
  raised_us   BIGINT NOT NULL,
  returned_us BIGINT,
  acked_us    BIGINT,
  acked_by    TEXT,
  cleared_us  BIGINT
);
CREATE INDEX alarms_state ON alarms (state);
CREATE INDEX alarms_raised ON alarms (raised_us);

-- The event log: what clients that reconnect are sent again
CREATE TABLE events (
  seq      {{ID}},
  time_us  BIGINT NOT NULL,
  type     TEXT NOT NULL,
  conveyor TEXT,
  body     TEXT NOT NULL
);
CREATE INDEX events_time ON events (time_us);

-- Per-second min/mean/max history, one row a tag and minute:
-- 60 × (min, mean, max) float32 little-endian, NaN for seconds without data
CREATE TABLE history (
  conveyor  TEXT NOT NULL,
  tag       TEXT NOT NULL,
  minute_us BIGINT NOT NULL,
  data      {{BLOB}} NOT NULL,
  PRIMARY KEY (conveyor, tag, minute_us)
);
CREATE INDEX history_minute ON history (minute_us);

-- Where a source (a Kafka topic partition) is read up to, stored in the same
-- transaction as what its samples caused
CREATE TABLE source_offsets (
  source      TEXT NOT NULL,
  part        INTEGER NOT NULL,
  next_offset BIGINT NOT NULL,
  PRIMARY KEY (source, part)
);
