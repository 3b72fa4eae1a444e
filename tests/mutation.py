"""`make mutate`'s two helpers around mutmut (not a test module; the Makefile runs it).

``config MODULE... -- TEST...`` prints the ``[mutmut]`` section for setup.cfg: mutate only the
listed modules, and run only the listed tests (with the modules' doctests) against each mutant.
``scores MODULE...`` reads mutmut's results (``mutants/*.meta``, in the mutation copy) and prints
killed/total per module, then the survivors, each to be read with ``mutmut show NAME``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# mutmut 3's exit codes, as its ``stats.status_by_exit_code`` has them; a timeout counts as a kill.
KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def config(modules: list[str], tests: list[str]) -> str:
    # pytest's addopts (the whole suite, with doctests of every module) is replaced by these tests.
    lines = [
        "", "[mutmut]",
        "source_paths =", *(f"    {p}" for p in sorted({m.split('/')[0] for m in modules})),
        "only_mutate =", *(f"    {m}" for m in modules),
        "use_git_change_detection = false",
        "pytest_add_cli_args =", "    -o", "    addopts=--import-mode=importlib",
        "    -p", "    no:cacheprovider", "    --doctest-modules",
        "pytest_add_cli_args_test_selection =", *(f"    {t}" for t in [*tests, *modules]),
    ]
    return "\n".join(lines) + "\n"


def scores(modules: list[str]) -> int:
    rows, survivors = [], []
    for module in modules:
        meta = Path("mutants", module + ".meta")
        if not meta.exists():
            rows.append((module, "no mutants (missing, or nothing to mutate)"))
            continue
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts = Counter("killed" if c in KILLED else "survived" if c in SURVIVED
                         else "no tests" if c in NO_TESTS else "not run" if c is None else "other"
                         for c in codes.values())
        total = len(codes)
        score = f"{100 * counts['killed'] / total:.1f}%" if total else "-"
        extra = ", ".join(f"{n} {k}" for k, n in counts.items() if k not in ("killed", "survived"))
        rows.append((module, f"{counts['killed']}/{total} killed ({score}), {counts['survived']} survived"
                             + (f", {extra}" if extra else "")))
        survivors += [name for name, c in codes.items() if c not in KILLED]
    width = max(len(m) for m, _ in rows)
    print("\nmutation score per module (killed/total)")
    for module, text in rows:
        print(f"  {module:<{width}}  {text}")
    print(f"\n{len(survivors)} not killed (read one with: cd MUTATE_DIR && mutmut show NAME):")
    for name in survivors:
        print("  " + name)
    return 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["config"]:
        args = argv[1:]
        split = args.index("--") if "--" in args else len(args)
        sys.stdout.write(config(args[:split], args[split + 1:]))
        return 0
    if argv[:1] == ["scores"]:
        return scores(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
