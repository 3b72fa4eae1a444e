"""Running ``python -m nn`` in-process, as the command-line tests do."""

from __future__ import annotations

import contextlib
import io

from nn.cli import main


def run_cli(argv: list[str]) -> tuple[object, str, str]:
    """``main(argv)``'s exit status (argparse's too), and what it printed to stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status: object = main(argv)
        except SystemExit as e:
            status = e.code
    return status, out.getvalue(), err.getvalue()
