"""`python -m bot` runs the digestbot command line."""

from bot.cli import main

raise SystemExit(main())
