"""Open a file only if it is a regular file, without ever blocking on it.

A path a user (or a committed manifest) names can be a FIFO, a device, a
socket or a folder. ``open()`` on a FIFO blocks until a writer comes, and
reading ``/dev/zero`` never ends; so files are opened with ``O_NONBLOCK``,
checked with ``fstat`` and read with a limit. A leaf module: it imports
nothing of cfgen, so ``spec`` and ``write`` may both use it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["NotRegular", "open_regular", "read_limited"]

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)


class NotRegular(OSError):
    """The path exists but is a folder, FIFO, device or socket; ``kind`` says which."""

    def __init__(self, path: Path, kind: str) -> None:
        self.kind = kind
        super().__init__(f"{path} is {kind}, not a regular file")


def open_regular(path: Path) -> int:
    """A read-only descriptor of ``path``; raises NotRegular, or OSError (ValueError for a NUL byte)."""
    fd = os.open(path, _FLAGS)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegular(path, _kind(mode))
        os.set_blocking(fd, True)  # a regular file never blocks; reads must not fail with EAGAIN
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_limited(path: Path, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the regular file ``path``: one more than allowed tells "too big"."""
    fd = open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"
