from __future__ import annotations

from tests.adapters.conftest import db_path, store

__all__ = ["db_path", "store"]
