-- How many sends of a row timed out without an answer: Telegram may have posted each. A row
-- with one is sent at most once more, then recorded as 'unconfirmed' rather than failed.
ALTER TABLE deliveries ADD COLUMN timeouts INTEGER NOT NULL DEFAULT 0;
