"""kill -9 during save: the file is always the old model or the new one, and nothing piles up.

A child process writes a large model in a loop, alternating two models A and B, and is killed
with SIGKILL at a random moment; the file must then load and be exactly A's bytes or B's. A
kill that lands inside the write leaves the child's temporary file behind (nothing can run on
SIGKILL); the next save must sweep it. The child either calls ``save`` (which spends most of its
time checking the document, so few kills land in the write) or ``write_atomic`` with the
model file's bytes (so most do). ``AUTOGRAD_MINI_KILL_TRIES`` sets the number of kills of each
(by default 100 of write_atomic and 20 of save, about 12 s in all).
"""

from __future__ import annotations

import os
import random
import signal
import time
from pathlib import Path

import pytest

from autograd_mini._atomic import write_atomic
from nn import MLP, load, save

TRIES = os.environ.get("AUTOGRAD_MINI_KILL_TRIES")

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork and SIGKILL")


def _write_forever(writer: str, models: list[MLP], files: list[bytes], path: Path) -> None:
    """The child: write A and B in turn until killed; never returns into pytest."""
    try:
        while True:
            for model, data in zip(models, files):
                if writer == "save":
                    save(model, path)
                else:
                    write_atomic(path, data)
    finally:
        os._exit(1)


@pytest.mark.parametrize("writer", ["save", "write_atomic"])
def test_kill_9_during_a_write_leaves_the_old_or_the_new_file_and_no_leftovers(tmp_path, writer):
    a, b = MLP(2, [120, 120, 1], seed=1), MLP(2, [120, 120, 1], seed=2)  # 15k parameters, ~450 KB
    for name, model in (("a.json", a), ("b.json", b)):
        save(model, tmp_path / name)
    files = [(tmp_path / "a.json").read_bytes(), (tmp_path / "b.json").read_bytes()]
    expected = {files[0]: "A", files[1]: "B"}
    path = tmp_path / "m.json"
    save(a, path)
    seconds = 0.0
    for data, model in zip(files * 2, [a, b] * 2):  # the time of a write replacing a file
        start = time.perf_counter()
        if writer == "save":
            save(model, tmp_path / "timing.json")
        else:
            write_atomic(tmp_path / "timing.json", data)
        seconds = max(seconds, time.perf_counter() - start)
    (tmp_path / "timing.json").unlink()
    tries = int(TRIES) if TRIES else {"save": 20, "write_atomic": 100}[writer]
    rng = random.Random(0)
    seen = {"A": 0, "B": 0}
    orphans_after_kill = 0
    for _ in range(tries):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child
            _write_forever(writer, [b, a], files[::-1], path)
        time.sleep(rng.uniform(0.0, 3 * seconds))  # somewhere in the first few writes
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
        data = path.read_bytes()
        assert data in expected, "the file is neither the old model nor the new one"
        seen[expected[data]] += 1
        load(path)
        leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
        assert len(leftovers) <= 1  # each child swept the ones before it
        orphans_after_kill += len(leftovers)
    print(f"\n{writer}: {tries} kills: file was A {seen['A']} times, B {seen['B']} times, intact every time; "
          f"{orphans_after_kill} kills landed inside a write and left a temporary file")
    save(a, path)  # one more save
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "b.json", "m.json"]
    assert path.read_bytes() in expected and load(path).config() == a.config()
