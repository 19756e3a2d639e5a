"""State files, opened so that a hostile directory cannot turn them against us.

Every file tmux-sensei keeps (the unanswered log, the index cache, lessons.json, the installed
tmux's facts) goes through here:

- never followed: opened with O_NOFOLLOW, temp files created with O_CREAT|O_EXCL under a
  random name (a planted symlink or file at that name makes the create fail, not overwrite);
- never blocking: opened with O_NONBLOCK and checked to be a regular file (a FIFO or a device
  at the path is refused, not waited on);
- never read without bound: a read takes at most `limit` bytes (the head, or the tail);
- replaced whole: writes go to a temp file in the same directory, then os.replace, which swaps
  the name itself (a symlink at the final name is replaced, its target untouched).

Only `os` and `stat` here: this module is imported on the way to writing, never on a warm `ask`.
"""

from __future__ import annotations

import os
import stat

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
TEMP_SUFFIX = ".tmp"
STALE_TEMP_SECONDS = 60.0  # a temp file older than this was left by a killed writer


class NotRegularFile(OSError):
    """The path is a FIFO, a device, a directory or a socket: not a state file."""


def open_regular(path: str, flags: int, mode: int = 0o600) -> int:
    """os.open without following a symlink or blocking on a FIFO; the fd of a regular file."""
    fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC, mode)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegularFile(f"{path}: not a regular file")
        if _NONBLOCK:
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: str, limit: int) -> tuple[bytes, bool]:
    """The first `limit` bytes of a regular file, and whether there was more."""
    fd = open_regular(path, os.O_RDONLY)
    try:
        data = _read_upto(fd, limit + 1)
    finally:
        os.close(fd)
    return data[:limit], len(data) > limit


def read_tail(path: str, limit: int) -> tuple[bytes, int]:
    """The last `limit` bytes of a regular file (starting at a line), and the file's size."""
    fd = open_regular(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        start = max(0, size - limit)
        os.lseek(fd, start, os.SEEK_SET)
        data = _read_upto(fd, limit)
    finally:
        os.close(fd)
    if start > 0:  # the first line is cut: drop it
        cut = data.find(b"\n")
        data = data[cut + 1 :] if cut >= 0 else b""
    return data, size


def _read_upto(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    left = limit
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def temp_name(path: str) -> str:
    return f"{path}.{os.getpid()}-{os.urandom(4).hex()}{TEMP_SUFFIX}"


def create_temp(path: str, mode: int = 0o600) -> tuple[int, str]:
    """A new temp file beside `path`: O_EXCL, so nothing planted there is opened."""
    for _ in range(10):
        tmp = temp_name(path)
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC, mode)
        except FileExistsError:
            continue
        return fd, tmp
    raise FileExistsError(path)


def write_atomic(path: str, data: bytes, mode: int = 0o600) -> None:
    """Replace `path` with `data`: temp file, then rename. Raises OSError."""
    fd, tmp = create_temp(path, mode)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def remove_stale_temps(directory: str, prefix: str = "", now: float | None = None) -> None:
    """Remove temp files that a killed writer left behind (older than a minute)."""
    import time

    now = time.time() if now is None else now
    try:
        names = os.listdir(directory)
    except OSError:
        return
    for name in names:
        if not (name.startswith(prefix) and name.endswith(TEMP_SUFFIX)):
            continue
        full = os.path.join(directory, name)
        try:
            st = os.lstat(full)
            if now - st.st_mtime > STALE_TEMP_SECONDS or stat.S_ISLNK(st.st_mode):
                os.unlink(full)
        except OSError:
            pass
