"""Pure code: no I/O, no clocks, no environment. Time and randomness are passed in."""
