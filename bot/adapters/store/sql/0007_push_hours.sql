-- Pushes per UTC hour and topic of outbox rows that were deleted: the /stats chart's history,
-- kept after the rows themselves go. A row's counts are added in the transaction that deletes
-- it, so nothing is counted twice or lost.
CREATE TABLE push_hours (
    hour TEXT NOT NULL,  -- "2025-01-31T08": the first 13 characters of a stored time
    topic_id INTEGER NOT NULL,  -- no foreign key: a removed topic's pushes stay in the totals
    sent INTEGER NOT NULL DEFAULT 0,  -- sent, or maybe sent (unconfirmed)
    failed INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (hour, topic_id)
) WITHOUT ROWID;
