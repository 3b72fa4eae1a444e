"""Atomic file writes, shared by rendering, model saving and plots."""

from __future__ import annotations

import os
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    The rename is atomic on POSIX and Windows, so a reader (or a crash) sees the old file or the
    new one, never part of one; the temporary file is removed if anything fails.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_atomic(Path(tmp) / "a.txt", b"hello")
    ...     sorted(p.name for p in Path(tmp).iterdir()), (Path(tmp) / "a.txt").read_bytes()
    (['a.txt'], b'hello')
    """
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: directory {path.parent} does not exist")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{os.urandom(4).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # as open(): umask applies
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
