"""digestbot: news feeds in, condensed digests out, pushed to Telegram subscribers."""

__version__ = "0.1.0"
