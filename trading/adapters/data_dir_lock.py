"""One process per data directory: a second one is refused instead of corrupting shared state."""
from __future__ import annotations

import fcntl
import os
from pathlib import Path

from trading.domain.errors import AlreadyRunning


class DataDirLock:
    """An exclusive, advisory lock on DATA_DIR/.lock, released by the OS if the process dies."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / ".lock"
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning naming the holder's pid."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise AlreadyRunning(f"Another trading-assistant (pid {holder}) is already using "
                                 f"{self.path.parent}; stop it first or set DATA_DIR to another folder.") from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd

    def release(self) -> None:
        """Drop the lock."""
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
