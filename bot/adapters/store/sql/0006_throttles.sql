-- Telegram's 429 answers (Too Many Requests) per UTC hour and the seconds they asked to wait,
-- for the /stats chart. Hourly, so that the chart can sort them into each reader's local days.
-- Deleted with the finished outbox rows they went with.
CREATE TABLE throttles (
    hour TEXT PRIMARY KEY,  -- "2025-01-31T08": the first 13 characters of a stored time
    waits INTEGER NOT NULL DEFAULT 0,
    seconds REAL NOT NULL DEFAULT 0
) WITHOUT ROWID;
