"""The main job: ``python -m nn`` trains a classifier and writes what it learned.

With no arguments it runs micrograd's demo: an MLP 2→16→16→1 (ReLU) on 100 two-moons points,
hinge loss + 1e-4 L2, full-batch SGD with the learning rate falling linearly from 1.0 to 0.1
over 100 steps. It prints progress and the final train accuracy, and writes to ``--out``
(default ``out/``): ``model.json``, ``decision_boundary.png`` and ``.svg`` (if matplotlib is
installed) and ``graph.svg``, the computation graph of the model's output for one sample (if
``autograd_mini.render`` draws it). ``python -m nn predict out/model.json 0.5 -0.3`` runs a
saved model on one input.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from autograd_mini import RendererNotFoundError, render

from .data import DATASETS
from .modules import ACTIVATIONS, MLP
from .optim import SGD, Adam, LinearDecay
from .serialize import read
from .train import LOSSES, DivergenceError, decide, evaluate, fit

__all__ = ["main"]

DEFAULT_LR = {"sgd": 1.0, "adam": 0.05}


def _positive_int(text: str) -> int:
    n = int(text)
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {n}")
    return n


def _rate(text: str) -> float:
    x = float(text)
    if not 0.0 <= x < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a finite number of at least 0, got {text}")
    return x


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(s) for s in text.split(",")] if text else []
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected sizes like 16,16, got {text!r}") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"layer sizes must be at least 1, got {text!r}")
    return sizes


def train_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nn", description="Train an MLP classifier built from autograd_mini Values.",
        epilog="Use a saved model: python -m nn predict MODEL.json X1 X2 ...")
    p.add_argument("--dataset", choices=sorted(DATASETS), default="moons")
    p.add_argument("--samples", type=_positive_int, default=None,
                   help="number of points (default 100; spirals 150; xor is always 4)")
    p.add_argument("--noise", type=_rate, default=None, help="noise of the generated data")
    p.add_argument("--classes", type=_positive_int, default=3, help="spiral arms (spirals only)")
    p.add_argument("--hidden", type=_sizes, default=[16, 16], help="hidden layer sizes (default 16,16)")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="of the hidden layers")
    p.add_argument("--loss", choices=LOSSES, default=None,
                   help="default: hinge for 2 classes, cross_entropy for more")
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd")
    p.add_argument("--lr", type=_rate, default=None, help="initial learning rate (sgd 1.0, adam 0.05)")
    p.add_argument("--schedule", choices=("linear", "constant"), default="linear",
                   help="linear: decay to lr/10 over the run, as micrograd's demo")
    p.add_argument("--momentum", type=_rate, default=0.0, help="SGD momentum")
    p.add_argument("--l2", type=_rate, default=1e-4, help="weight of the L2 penalty")
    p.add_argument("--steps", type=_positive_int, default=100)
    p.add_argument("--batch-size", type=_positive_int, default=None, help="default: the full batch")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and of the initial weights")
    p.add_argument("--out", default="out", help="output folder (default out/)")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def predict_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m nn predict", description="Run a saved model on one input.")
    p.add_argument("model", help="a model.json written by python -m nn")
    p.add_argument("x", type=float, nargs="+", help="the input's numbers")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for bad options, 1 for other errors)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["predict"]:
        return _predict(predict_parser().parse_args(args[1:]))
    if args[:1] == ["train"]:
        args = args[1:]
    parser = train_parser()
    opts = parser.parse_args(args)
    try:
        return _train(parser, opts)
    except DivergenceError as e:
        print(f"python -m nn: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        print(f"python -m nn: error: {_os_message(e)}", file=sys.stderr)
        return 1


def _os_message(e: OSError) -> str:
    name = e.filename if e.filename is not None else ""
    return f"cannot write {name}: {e.strerror or e}" if name else str(e)


def _load_data(parser: argparse.ArgumentParser, opts: argparse.Namespace) -> tuple[list[Any], list[int]]:
    make = DATASETS[opts.dataset]
    if opts.dataset == "xor":
        if opts.samples is not None or opts.noise is not None:
            parser.error("--samples and --noise do not apply to xor (its 4 points are fixed)")
        return make()
    kwargs: dict[str, Any] = {"seed": opts.seed}
    if opts.samples is not None:
        kwargs["n"] = opts.samples
    if opts.noise is not None:
        kwargs["noise"] = opts.noise
    if opts.dataset == "spirals":
        if opts.classes < 2:
            parser.error("--classes must be at least 2")
        kwargs["classes"] = opts.classes
    try:
        return make(**kwargs)
    except ValueError as e:
        parser.error(str(e))  # exits


def _train(parser: argparse.ArgumentParser, opts: argparse.Namespace) -> int:
    xs, y = _load_data(parser, opts)
    k = max(y) + 1
    loss = opts.loss or ("hinge" if k == 2 else "cross_entropy")
    if loss in ("hinge", "bce") and k > 2:
        parser.error(f"--loss {loss} is for 2 classes, but {opts.dataset} has {k}; use cross_entropy")
    if opts.batch_size is not None and opts.batch_size > len(xs):
        parser.error(f"--batch-size {opts.batch_size} is larger than the {len(xs)} points")
    if opts.momentum and opts.optimizer != "sgd":
        parser.error("--momentum applies to --optimizer sgd only")
    out_dir = Path(opts.out)
    out_dir.mkdir(parents=True, exist_ok=True)  # before training: fail in a second, not a minute
    probe = out_dir / f".nn-write-test-{os.getpid()}"
    probe.write_bytes(b"")
    probe.unlink()

    nout = 1 if loss != "cross_entropy" and k == 2 else k
    model = MLP(2, [*opts.hidden, nout], activation=opts.activation, seed=opts.seed)
    lr = DEFAULT_LR[opts.optimizer] if opts.lr is None else opts.lr
    params = model.parameters()
    optimizer = (SGD(params, lr, momentum=opts.momentum) if opts.optimizer == "sgd" else Adam(params, lr))
    schedule = LinearDecay(lr, lr / 10, opts.steps) if opts.schedule == "linear" else None
    say = (lambda *a: None) if opts.quiet else print
    say(f"training {model!r} on {opts.dataset} ({len(xs)} points, {k} classes): {loss} loss"
        f"{f' + L2 {opts.l2:g}' if opts.l2 else ''}, {opts.optimizer} lr {lr:g}"
        f"{f' decaying linearly to {lr / 10:g}' if schedule else ''}, {opts.steps} steps, "
        f"batch {opts.batch_size or 'full'}")
    tty = sys.stderr.isatty() and not opts.quiet
    every = max(1, opts.steps // 10)

    def report(step: int, loss_value: float, acc: float) -> None:
        if not tty and (step % every == 0 or step == opts.steps - 1):
            say(f"step {step:4d}  loss {loss_value:.4f}  accuracy {acc:.1%}")

    start = time.perf_counter()
    fit(model, xs, y, loss=loss, optimizer=optimizer, schedule=schedule, steps=opts.steps,
        batch_size=opts.batch_size, l2=opts.l2, seed=opts.seed, progress=tty,
        callback=None if opts.quiet else report)
    seconds = time.perf_counter() - start
    acc = evaluate(model, xs, y, loss)
    say(f"final train accuracy {acc:.1%} ({round(acc * len(xs))}/{len(xs)}) in {seconds:.1f} s "
        f"({opts.steps / seconds:.1f} steps/s)")

    metadata = {"loss": loss, "dataset": opts.dataset, "classes": k, "train_accuracy": acc}
    model.save(out_dir / "model.json", metadata)
    say(f"wrote {out_dir / 'model.json'}")
    _write_plots(model, xs, y, loss, out_dir, f"{opts.dataset}: train accuracy {acc:.1%}", say)
    _write_graph(model, xs[0], out_dir, say)
    return 0


def _write_plots(model: MLP, xs: Any, y: Any, loss: str, out_dir: Path, title: str, say: Any) -> None:
    try:
        from .plot import decision_boundary

        paths = decision_boundary(model, xs, y, [out_dir / "decision_boundary.png",
                                                out_dir / "decision_boundary.svg"], loss=loss, title=title)
    except ImportError as e:
        say(f"decision boundary plot skipped: {e.name or 'matplotlib'} is not installed "
            "(pip install 'autograd_mini[plot]')")
        return
    for path in paths:
        say(f"wrote {path}")


def _write_graph(model: MLP, x: Any, out_dir: Path, say: Any) -> None:
    out = model(x)
    model.zero_grad()
    out.backward()  # so the picture shows d(output)/d(node) in each node
    try:
        path = render(out, out_dir / "graph.svg", params=model.parameters())
    except (RendererNotFoundError, TimeoutError, ValueError) as e:
        # no renderer, a layout too slow, too many nodes: the graph is optional. Anything else
        # (an unwritable folder, a bug) is an error, as for the other outputs.
        say(f"graph.svg skipped: {e}".splitlines()[0])
        return
    say(f"wrote {path}")


def _predict(opts: argparse.Namespace) -> int:
    try:
        model, metadata = read(opts.model)
        out = model(opts.x)
    except (OSError, ValueError) as e:
        message = _os_message(e).replace("cannot write", "cannot read") if isinstance(e, OSError) else str(e)
        print(f"python -m nn predict: error: {message}", file=sys.stderr)
        return 1
    outputs = out if isinstance(out, list) else [out]
    print("output", " ".join(f"{o.data:.6g}" for o in outputs))
    loss = metadata.get("loss")
    if loss in LOSSES:
        print("class", decide(out, loss))
    return 0
