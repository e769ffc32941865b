"""The Telegram front end: handlers and jobs that parse updates, call operations, and reply."""
