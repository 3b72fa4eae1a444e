"""write_atomic and check_writable: permissions kept, links never followed, killed writers swept."""

from __future__ import annotations

import io
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from autograd_mini import _atomic
from autograd_mini._atomic import STALE_SECONDS, check_writable, write_atomic

posix = pytest.mark.skipif(os.name != "posix", reason="file modes, symlinks and fork are POSIX")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- permissions -------------------------------------------------------------------------------------
@posix
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o400, 0o755, 0o666], ids=oct)
def test_an_existing_files_permission_bits_are_kept(tmp_path, mode):
    path = tmp_path / "m.json"
    path.write_bytes(b"old")
    path.chmod(mode)
    write_atomic(path, b"new")
    assert path.read_bytes() == b"new"
    assert _mode(path) == mode


@posix
def test_a_new_file_gets_0666_minus_the_umask_as_open_gives(tmp_path):
    old = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a", b"x")
        with open(tmp_path / "b", "wb"):
            pass
    finally:
        os.umask(old)
    assert _mode(tmp_path / "a") == _mode(tmp_path / "b") == 0o640


# -- symlinks ------------------------------------------------------------------------------------------
@posix
def test_a_symlink_is_replaced_by_a_regular_file_and_its_target_is_untouched(tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    target = elsewhere / "precious.txt"
    target.write_bytes(b"precious")
    target.chmod(0o600)
    link = tmp_path / "m.json"
    link.symlink_to(target)
    write_atomic(link, b"new")
    assert not link.is_symlink() and link.read_bytes() == b"new"
    assert target.read_bytes() == b"precious" and _mode(target) == 0o600
    dangling = tmp_path / "d.json"
    dangling.symlink_to(elsewhere / "not-there")
    write_atomic(dangling, b"new")
    assert not dangling.is_symlink() and not (elsewhere / "not-there").exists()


@posix
def test_a_file_is_never_created_through_a_planted_link(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_bytes(b"precious")
    link = tmp_path / ".m.json.123.0123456789abcdef.tmp"
    link.symlink_to(target)
    with pytest.raises(FileExistsError):
        _atomic._open_new(link, 0o600)
    assert target.read_bytes() == b"precious" and link.is_symlink()


def test_temporary_names_are_unpredictable(tmp_path):
    names = {_atomic._temp_name(tmp_path / "m.json").name for _ in range(1000)}
    assert len(names) == 1000
    prefix = f".m.json.{os.getpid()}."
    assert all(n.startswith(prefix) and len(n) == len(prefix) + 16 + 4 for n in names)


# -- leftovers of killed writers ------------------------------------------------------------------------
def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


@posix
def test_the_next_write_sweeps_temporary_files_of_dead_writers_only(tmp_path):
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead, live, me = _dead_pid(), sleeper.pid, os.getpid()
        target = tmp_path / "precious.txt"
        target.write_bytes(b"precious")
        files = {
            f".m.json.{dead}.0123456789abcdef.tmp": True,   # its writer was killed: swept
            f".m.json.{dead}.01234567.tmp": True,           # the older 8-digit names too
            f".m.json.{live}.0123456789abcdef.tmp": False,  # a live writer's: kept
            f".m.json.{me}.0123456789abcdef.tmp": False,    # another thread of ours may be writing
            f".other.json.{dead}.0123456789abcdef.tmp": False,  # another target's: not ours to judge
            f"m.json.{dead}.0123456789abcdef.tmp": False,   # not a name write_atomic makes
            f".m.json.{dead}.0123456789abcdef.tmp.keep": False,
        }
        for name in files:
            (tmp_path / name).write_bytes(b"partial")
        link = tmp_path / f".m.json.{dead}.fedcba9876543210.tmp"
        link.symlink_to(target)  # not a regular file: left alone, and never followed
        write_atomic(tmp_path / "m.json", b"new")
        assert _names(tmp_path) == sorted(
            [*(n for n, swept in files.items() if not swept), link.name, "m.json", "precious.txt"])
        assert target.read_bytes() == b"precious"
        # a file this old is stale even if its pid runs (pids are reused)
        old = time.time() - STALE_SECONDS - 60
        os.utime(tmp_path / f".m.json.{live}.0123456789abcdef.tmp", (old, old))
        write_atomic(tmp_path / "m.json", b"newer")
        assert f".m.json.{live}.0123456789abcdef.tmp" not in _names(tmp_path)
        assert f".m.json.{me}.0123456789abcdef.tmp" in _names(tmp_path)
    finally:
        sleeper.kill()
        sleeper.wait()


@posix
@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_two_processes_writing_one_target_never_delete_each_others_file(tmp_path):
    path = tmp_path / "m.json"
    payloads = [bytes([65 + i]) * 300_000 for i in range(2)]
    pids = []
    for payload in payloads:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            code = 1
            try:
                for _ in range(150):
                    write_atomic(path, payload)
                code = 0
            finally:
                os._exit(code)
        pids.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    assert codes == [0, 0]  # a swept live temporary file would have failed that writer's rename
    assert path.read_bytes() in payloads
    assert _names(tmp_path) == ["m.json"]


# -- failures and wrong types ----------------------------------------------------------------------------
def test_a_failed_write_leaves_no_temporary_file(tmp_path):
    (tmp_path / "m.json").mkdir()
    with pytest.raises(IsADirectoryError):
        write_atomic(tmp_path / "m.json", b"x")
    assert _names(tmp_path) == ["m.json"]


@pytest.mark.parametrize("interrupt", [KeyboardInterrupt, SystemExit])
@pytest.mark.parametrize("where", ["write", "fsync", "replace"])
def test_an_interrupted_write_leaves_the_old_file_and_no_temporary_file(tmp_path, monkeypatch, interrupt,
                                                                       where):
    """Ctrl-C or sys.exit() inside the write: not an OSError, and still cleaned up (issue 27)."""
    target = tmp_path / "m.json"
    target.write_bytes(b"old")

    def stop(*args, **kwargs):
        raise interrupt()

    data = b"new"
    if where == "write":  # half the bytes are out when the interrupt comes
        real = os.fdopen
        monkeypatch.setattr(_atomic.os, "fdopen", lambda fd, mode: _Interrupting(real(fd, mode), interrupt))
    else:
        monkeypatch.setattr(_atomic.os, where, stop)
    with pytest.raises(interrupt):
        write_atomic(target, data)
    monkeypatch.undo()
    assert _names(tmp_path) == ["m.json"] and target.read_bytes() == b"old"


class _Interrupting:
    """A file whose write puts out one byte, then is interrupted."""

    def __init__(self, f: io.BufferedWriter, interrupt: type[BaseException]) -> None:
        self.f, self.interrupt = f, interrupt

    def __enter__(self) -> _Interrupting:
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()

    def fileno(self) -> int:
        return self.f.fileno()

    def write(self, data: bytes) -> None:
        self.f.write(data[:1])
        self.f.flush()
        raise self.interrupt()


def test_a_failed_replace_names_the_target_not_the_temporary_file(tmp_path):
    (tmp_path / "m.json").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        write_atomic(tmp_path / "m.json", b"x")
    assert caught.value.filename == str(tmp_path / "m.json") and ".tmp" not in str(caught.value)


@pytest.mark.parametrize("name", ["a" * 244 + ".json", "é" * 122 + ".json", "b" * 255])
def test_any_name_the_os_accepts_can_be_written_and_swept(tmp_path, name):
    """The temporary name adds about 40 bytes; a long target's is shortened to fit NAME_MAX."""
    target = tmp_path / name
    target.write_bytes(b"old")  # the OS takes the name
    dead = tmp_path / f".{_atomic._temp_stem(name)}.{_dead_pid()}.0123456789abcdef.tmp"
    dead.write_bytes(b"partial")  # a killed writer's leftover, named as write_atomic names them
    write_atomic(target, b"new")
    assert _names(tmp_path) == [name] and target.read_bytes() == b"new"
    other = _atomic._temp_stem(name[:-1] + "z")
    assert other != _atomic._temp_stem(name) or len(name.encode()) <= 222  # long names differ by their hash


def test_wrong_types_are_named(tmp_path):
    with pytest.raises(TypeError, match="data must be bytes, not str"):
        write_atomic(tmp_path / "a", "text")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"path must be a str or os\.PathLike, not int"):
        write_atomic(3, b"x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"folder must be a str or os\.PathLike, not NoneType"):
        check_writable(None)  # type: ignore[arg-type]
    assert _names(tmp_path) == []


# -- the write probe ---------------------------------------------------------------------------------------
def test_check_writable_leaves_nothing_behind(tmp_path):
    check_writable(tmp_path)
    check_writable(str(tmp_path))
    assert _names(tmp_path) == []


def test_check_writable_says_why_it_cannot(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"cannot write to .*missing: No such file"):
        check_writable(tmp_path / "missing")
    (tmp_path / "file").write_bytes(b"")
    with pytest.raises(NotADirectoryError, match=r"cannot write to .*file: Not a directory"):
        check_writable(tmp_path / "file")


def _as_nobody(check: Callable[[], None]) -> str:
    """Run ``check`` in a forked child without root's powers (root writes into any folder);
    return the name of the exception it raised, or "" if none."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: drop to nobody, run, report, and leave without pytest's cleanup
        outcome = b""
        try:
            os.setgid(65534)
            os.setuid(65534)
            check()
        except BaseException as e:  # reported to the parent, which asserts on it
            outcome = f"{type(e).__name__}: {e}".encode()
        finally:
            os.write(write, outcome)
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        outcome = pipe.read().decode()
    os.waitpid(pid, 0)
    return outcome


@posix
def test_check_writable_refuses_a_read_only_folder(tmp_path):
    # A folder nobody can pass through to reach (pytest's are 0700): made world-readable.
    base = Path(tempfile.mkdtemp(prefix="ro-test-"))
    try:
        base.chmod(0o755)
        folder = base / "ro"
        folder.mkdir()
        folder.chmod(0o555)
        if os.geteuid() == 0:
            outcome = _as_nobody(lambda: check_writable(folder))
            assert outcome.startswith("PermissionError: ") and "cannot write to" in outcome, outcome
            assert outcome.endswith("ro: Permission denied"), outcome
        else:
            with pytest.raises(PermissionError, match=r"cannot write to .*ro: Permission denied"):
                check_writable(folder)
        assert list(folder.iterdir()) == []
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)


@posix
def test_check_writable_never_follows_a_planted_symlink(tmp_path):
    # The command line's old probe was OUT/.nn-write-test-<pid>: a link planted there had its
    # target truncated to 0 bytes. Plant links at every name a pid or a counter could give.
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "precious.txt"
    target.write_bytes(b"precious")
    planted = [f".nn-write-test-{n}" for n in (os.getpid(), *range(300))]
    planted += [f".write-probe-{n}.tmp" for n in range(300)]
    planted += [".write-probe-" + "0" * 32 + ".tmp", ".write-probe.tmp", ".write-test"]
    for name in planted:
        (out / name).symlink_to(target)
    for _ in range(200):
        check_writable(out)
    assert target.read_bytes() == b"precious"
    assert _names(out) == sorted(planted) and all((out / n).is_symlink() for n in planted)
