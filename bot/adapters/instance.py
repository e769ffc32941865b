"""One running bot per database: an exclusive lock on `<database>.lock`, held while it runs.

The operating system releases the lock when the process ends, however it ends (`kill -9`
included), so a stale lock file never blocks a restart.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from bot.errors import StoreError


class AlreadyRunningError(StoreError):
    """Another digestbot holds the database's lock."""


class InstanceLock:
    """`with InstanceLock(database):` runs the block as the database's only bot."""

    def __init__(self, database: Path) -> None:
        """The lock of `database` (not taken yet)."""
        self.database = database
        self.path = database.with_name(database.name + ".lock")
        self._fd: int | None = None

    def __enter__(self) -> InstanceLock:
        folder = self.path.parent
        if folder.exists() and not folder.is_dir():
            raise StoreError(f"cannot open the database {self.database}: {folder} is a file")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise StoreError(
                f"cannot open the database {self.database}: cannot create {self.path} "
                f"({error.strerror}): its directory must be writable by this user"
            ) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunningError(
                f"another digestbot (pid {holder}) is running on the database {self.database}; "
                "stop it first, or give this one another DIGESTBOT_DATABASE"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None
