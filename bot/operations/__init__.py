"""The application layer: the operations chat and CLI share, each returning a typed outcome."""
