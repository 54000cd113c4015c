-- Computed risk signals, kept with the method, parameters, period and source that produced them, so an assessment
-- or a warning can cite exactly what the detectors said on that day.
CREATE TABLE signal_runs (
    id BIGSERIAL PRIMARY KEY,
    source TEXT NOT NULL,
    method TEXT NOT NULL,
    by_region BOOLEAN NOT NULL,
    period_from TEXT NOT NULL,
    period_to TEXT NOT NULL,
    parameters TEXT NOT NULL,
    signals TEXT NOT NULL,
    signal_count BIGINT NOT NULL,
    user_id BIGINT,
    computed_at TEXT NOT NULL
);
CREATE INDEX signal_runs_recent ON signal_runs(computed_at);
