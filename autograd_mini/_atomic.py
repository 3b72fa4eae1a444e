"""Atomic file writes, shared by rendering, model saving and plots, and a write probe for folders.

``write_atomic`` writes a file so that a reader, a crash or a ``kill -9`` sees the old file or
the new one, never part of one. What it promises about the path it replaces:

- **Permissions are kept.** An existing regular file's permission bits (0600, 0640, ...) carry
  over to the new file; a new file gets ``0666`` minus the umask, as ``open()`` would give it.
- **A symlink is replaced, not followed.** If ``path`` is a symbolic link, the link itself is
  replaced by a regular file holding ``data``; the file it pointed to is left untouched. Writing
  through a link would let whoever can plant a link in the folder choose which file we
  overwrite; replacing it cannot reach outside the folder. (Hard links are split likewise: the
  other names keep the old content.)
- **Temporary files are created exclusively and never through a link**
  (``O_CREAT | O_EXCL | O_NOFOLLOW``), under an unpredictable name
  ``.<name>.<pid>.<16 hex digits>.tmp`` in the target's folder (a name too long for that to fit
  in 255 bytes is shortened, so any name the OS accepts can be written).
- **Nothing is left behind by a failed or interrupted write.** An ``OSError``, Ctrl-C
  (``KeyboardInterrupt``) or ``SystemExit`` during the write removes the temporary file and
  leaves the old file as it was; an error names the target, not the temporary file.
- **A killed writer's leftovers are swept.** ``kill -9`` during a write cannot run any cleanup,
  so its temporary file stays behind; the next ``write_atomic`` to the same target removes the
  temporary files of that target whose writer is no longer running, or which are older than
  ``STALE_SECONDS`` (a process id can be reused). A live writer's temporary file is never
  touched, so two processes may save the same target at once: the last rename wins.

``check_writable(folder)`` is the probe to call before long work whose result goes to
``folder``: it fails in a millisecond rather than after an hour of training.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import stat
import time
from pathlib import Path

__all__ = ["STALE_SECONDS", "check_writable", "write_atomic"]

#: A temporary file of ours this old is stale even if a process with its pid is running
#: (pids are reused). Far longer than any write takes: the file's mtime moves while it is written.
STALE_SECONDS = 15 * 60

# O_NOFOLLOW is POSIX; where it is missing, O_EXCL alone still refuses an existing link.
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _as_path(path: object, what: str) -> Path:
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"{what} must be a str or os.PathLike, not {type(path).__name__}")
    return Path(path)


def _open_new(path: Path, mode: int) -> int:
    """A write-only descriptor of a file created at ``path`` by this call, never through a link.

    ``FileExistsError`` if anything, a symlink included, already has that name; the thing named
    is left untouched.
    """
    return os.open(path, _NEW_FILE, mode)


#: The longest file name (in bytes) most filesystems take (POSIX NAME_MAX on Linux, macOS, Windows).
NAME_MAX = 255
#: What a temporary name adds to the target's: ``.`` ``.<pid, up to 10 digits>`` ``.<16 hex>`` ``.tmp``.
_TEMP_EXTRA = 1 + 11 + 17 + 4


def _temp_stem(name: str) -> str:
    """The part of a temporary name that names its target: the target's name if the temporary
    name then fits in ``NAME_MAX`` bytes, else its first characters, ``~`` and 8 hex digits of a
    hash of the whole name (so any name the OS accepts can be written, and the sweep still
    tells one long target's files from another's).

    >>> _temp_stem("model.json")
    'model.json'
    >>> stem = _temp_stem("é" * 200)
    >>> len(stem.encode()) + _TEMP_EXTRA <= NAME_MAX, stem[-9:-8]
    (True, '~')
    """
    budget = NAME_MAX - _TEMP_EXTRA
    if len(os.fsencode(name)) <= budget:
        return name
    head = ""
    for c in name:  # whole characters: a cut inside a UTF-8 sequence would not decode
        if len(os.fsencode(head + c)) > budget - 9:
            break
        head += c
    return head + "~" + hashlib.sha256(os.fsencode(name)).hexdigest()[:8]


def _temp_name(path: Path) -> Path:
    """A fresh temporary name beside ``path``: ``.<name>.<pid>.<16 hex digits>.tmp``, at most
    ``NAME_MAX`` bytes (``_temp_stem`` shortens a long name)."""
    return path.with_name(f".{_temp_stem(path.name)}.{os.getpid()}.{secrets.token_hex(8)}.tmp")


def _pid_running(pid: int) -> bool:
    """Whether a process ``pid`` exists on this machine; True where that cannot be checked."""
    if os.name != "posix":  # on Windows os.kill(pid, 0) would terminate the process
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except (OverflowError, ValueError):  # no process can have that id
        return False
    return True


def _sweep(path: Path) -> list[Path]:
    """Remove the stale temporary files of ``path`` left by writers that were killed; return them.

    Only regular files named as ``write_atomic`` names this target's temporary files are
    considered, and only if their writer's pid is not running or they are older than
    ``STALE_SECONDS``. Best effort: a file that cannot be removed is left for next time.
    """
    pattern = re.compile(rf"\.{re.escape(_temp_stem(path.name))}\.([0-9]{{1,10}})\.[0-9a-f]{{8,32}}\.tmp")
    now = time.time()
    removed: list[Path] = []
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return removed
    for entry in entries:
        match = pattern.fullmatch(entry.name)
        if match is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:
            continue
        if not stat.S_ISREG(info.st_mode):
            continue
        pid = int(match.group(1))
        if pid > 0 and _pid_running(pid) and now - info.st_mtime < STALE_SECONDS:
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue
        removed.append(Path(entry.path))
    return removed


def write_atomic(path: str | os.PathLike[str], data: bytes | bytearray | memoryview) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and ``os.replace``.

    The rename is atomic on POSIX and Windows, so a reader (or a crash) sees the old file or the
    new one, never part of one; the temporary file is removed if anything fails. See the module
    docstring for permissions, symlinks and leftovers of killed writers.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_atomic(Path(tmp) / "a.txt", b"hello")
    ...     sorted(p.name for p in Path(tmp).iterdir()), (Path(tmp) / "a.txt").read_bytes()
    (['a.txt'], b'hello')
    """
    path = _as_path(path, "path")
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: directory {path.parent} does not exist")
    _sweep(path)
    try:
        old = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        old = None
    keep = stat.S_IMODE(old.st_mode) if old is not None and stat.S_ISREG(old.st_mode) else None
    tmp = _temp_name(path)
    ours = True  # whether tmp is a file this call may remove: not if its name was taken already
    try:
        # An existing file's mode is set before any byte is written, and the file starts at 0600
        # so that nobody can open it in between (an open descriptor keeps its access after a chmod).
        try:
            fd = _open_new(tmp, 0o600 if keep is not None else 0o666)  # 0o666: as open(), umask applies
        except OSError:
            ours = False
            raise
        with os.fdopen(fd, "wb") as f:
            if keep is not None and hasattr(os, "fchmod"):
                try:
                    os.fchmod(f.fileno(), keep)
                except OSError:  # a filesystem without modes (FAT): keep what it gives
                    pass
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            os.replace(tmp, path)
        except OSError as e:  # name the target, not our temporary file
            if e.errno is None:  # no errno to name it with: keep what was said, and add the target
                raise OSError(f"{e}: {path}") from None
            raise OSError(e.errno, e.strerror, str(path)) from None
    # BaseException, not OSError: Ctrl-C (KeyboardInterrupt) or a sys.exit() from a signal
    # handler in the middle of a write must not leave the temporary file behind either.
    except BaseException:
        if ours:
            tmp.unlink(missing_ok=True)
        raise


def check_writable(folder: str | os.PathLike[str]) -> None:
    """Return if a file can be created in ``folder``; else raise an ``OSError`` saying why.

    Creates a probe file ``.write-probe-<32 hex digits>.tmp`` exclusively and without following
    links (a planted symlink cannot be truncated through it: its name is unpredictable, and a
    name that exists is never opened), writes one byte, and removes it.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     check_writable(tmp)
    ...     list(Path(tmp).iterdir())
    []
    >>> check_writable("/no/such/folder")
    Traceback (most recent call last):
    FileNotFoundError: [Errno 2] cannot write to /no/such/folder: No such file or directory
    """
    folder = _as_path(folder, "folder")
    for _ in range(100):  # a clash with 128 random bits means something plants names: retry
        probe = folder / f".write-probe-{secrets.token_hex(16)}.tmp"
        try:
            fd = _open_new(probe, 0o600)
        except FileExistsError:
            continue
        except OSError as e:
            raise OSError(e.errno, f"cannot write to {folder}: {e.strerror}") from None
        try:
            try:
                os.write(fd, b"\n")
            finally:
                os.close(fd)
        except OSError as e:
            raise OSError(e.errno, f"cannot write to {folder}: {e.strerror}") from None
        finally:
            probe.unlink(missing_ok=True)
        return
    raise OSError(errno.EEXIST, f"cannot write to {folder}: every probe name tried was taken")
