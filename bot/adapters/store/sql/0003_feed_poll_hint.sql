-- Until when a server hint (ttl, Cache-Control max-age, Retry-After) or failure backoff keeps a
-- feed from being polled, when that is later than the poll interval alone would: a changed
-- DIGESTBOT_POLL_INTERVAL is applied at start-up without cutting these short.
ALTER TABLE feeds ADD COLUMN poll_hint_until TEXT;
