"""The main job: ``python -m nn`` trains a classifier and writes what it learned.

With no arguments it runs micrograd's demo: an MLP 2→16→16→1 (ReLU) on 100 two-moons points,
hinge loss + 1e-4 L2, full-batch SGD with the learning rate falling linearly from 1.0 to 0.1
over 100 steps. It prints progress and the final train accuracy, and writes to ``--out``
(default ``out/``): ``model.json``, ``decision_boundary.png`` and ``.svg`` (if matplotlib is
installed) and ``graph.svg``, the graph of the model's output for one sample, one box per
neuron (``--graph full`` draws every op; ``--graph none`` skips it), and ``explorer.html``: the
loss and accuracy curves, the decision boundary and the network at recorded steps, and that
sample's graph to step through backprop in a browser (``--no-explorer`` skips it; see
``nn.explorer``). Nothing optional can fail
the job: a plot or graph that cannot be drawn is a one-line "skipped" message. Ctrl-C stops
it with one line saying what was and was not written (exit 130).

``python -m nn predict out/model.json 0.5 -0.3`` runs a saved model on one input.
"""

from __future__ import annotations

import argparse
import functools
import math
import sys
import time
from pathlib import Path
from typing import Any

from autograd_mini import Value, render
from autograd_mini._atomic import check_writable
from autograd_mini._messages import shorten

from .data import DATASETS
from .explorer import Recorder, neuron_name, write_explorer
from .modules import ACTIVATIONS, MLP
from .objectives import DEFAULTS, LOSSES, OBJECTIVES, defaults, objective
from .optim import SGD, Adam, LinearDecay
from .serialize import read
from .train import DivergenceError, evaluate, fit

__all__ = ["main"]

USAGE = """python -m nn [train] [options]          train a classifier (the default command)
       python -m nn predict MODEL X1 X2 ...    run a saved model on one input"""
GRAPHS = ("neurons", "full", "none")
USELESS = 3  # the exit status of a run whose model is no better than guessing the most common class


def _lr_help() -> str:
    """The default learning rates, from ``nn.objectives.DEFAULTS`` (one table for fit and the CLI)."""
    rows = "; ".join(f"{loss}{f' on {data}' if data else ''} sgd {d.sgd_lr:g}"
                     f"{f' momentum {d.momentum:g}' if d.momentum else ''}"
                     for (loss, data), d in DEFAULTS.items())
    adam = sorted({d.adam_lr for d in DEFAULTS.values()})
    return f"initial learning rate (default: by loss and dataset: {rows}; adam {'/'.join(map(str, adam))})"


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


def _number(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {shorten(text, 100)!r}") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"inputs must be finite numbers, got {text}")
    return x


def _losses_help() -> str:
    rows = "; ".join(f"{o.name}: targets {o.targets}" for o in OBJECTIVES)
    return f"default: hinge for 2 classes, cross_entropy for more ({rows}; bce is also binary_cross_entropy)"


class _Defaults(argparse.HelpFormatter):
    """Help that ends each option with its default, unless the help already explains it."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        shown = default is not None and default is not False and default != argparse.SUPPRESS
        if shown and "default" not in text:
            text += " (default: %(default)s)"
        return text


def train_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m nn", usage=USAGE, formatter_class=_Defaults,
        description="Train an MLP classifier built from autograd_mini Values (the default command), "
                    "or run a saved one: python -m nn predict out/model.json 0.5 -0.3 (see "
                    "python -m nn predict --help).",
        epilog="Writes OUT/model.json, OUT/decision_boundary.png and .svg (needs matplotlib) and "
               "OUT/graph.svg and OUT/explorer.html (need a Graphviz renderer); Ctrl-C stops with exit "
               "status 130. A run whose loss diverges (nan, inf, or 1000 times its start) exits 1, and "
               f"one whose model is no better than always guessing the most common class exits {USELESS}; "
               "both write nothing.")
    p.add_argument("--dataset", choices=sorted(DATASETS), default="moons", help="the generated data")
    p.add_argument("--samples", type=_positive_int, default=None,
                   help="number of points (default: 100; spirals 150; xor is always 4)")
    p.add_argument("--noise", type=_rate, default=None,
                   help="noise of the generated data (default: the dataset's own, moons 0.1)")
    p.add_argument("--classes", type=_positive_int, default=3, help="spiral arms (spirals only)")
    p.add_argument("--hidden", type=_sizes, default="16,16", help="hidden layer sizes")
    p.add_argument("--activation", choices=ACTIVATIONS, default="relu", help="of the hidden layers")
    p.add_argument("--loss", choices=sorted({*LOSSES, "binary_cross_entropy"}), default=None,
                   metavar="{" + ",".join(LOSSES) + "}", help=_losses_help())
    p.add_argument("--optimizer", choices=("sgd", "adam"), default="sgd", help="the update rule")
    p.add_argument("--lr", type=_rate, default=None, help=_lr_help())
    p.add_argument("--schedule", choices=("linear", "constant"), default="linear",
                   help="linear: decay to lr/10 over the run, as micrograd's demo")
    p.add_argument("--momentum", type=_rate, default=None,
                   help="SGD momentum (default: by loss and dataset, as --lr: 0 unless named there)")
    p.add_argument("--l2", type=_rate, default=1e-4, help="weight of the L2 penalty")
    p.add_argument("--steps", type=_positive_int, default=100, help="training steps")
    p.add_argument("--batch-size", type=_positive_int, default=None,
                   help="examples per step (default: the full batch)")
    p.add_argument("--seed", type=int, default=0, help="seed of the data and of the initial weights")
    p.add_argument("--compile", action="store_true",
                   help="trace the loss once and replay it each step (autograd_mini.compile)")
    p.add_argument("--graph", choices=GRAPHS, default="neurons",
                   help="graph.svg of one sample: one box per neuron, every op, or none")
    p.add_argument("--no-explorer", action="store_true",
                   help="do not write explorer.html (the training view and one sample's backprop, "
                        "in a browser)")
    p.add_argument("--out", default="out", help="output folder")
    p.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return p


def predict_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m nn predict", usage="python -m nn predict MODEL X1 X2 ...",
                                description="Run a saved model on one input: print its outputs and, "
                                            "if the file names its loss, the predicted class.")
    p.add_argument("model", help="a model.json written by python -m nn")
    p.add_argument("x", type=_number, nargs="+", help="the input's numbers (negative ones too: -0.3, -1e-3)")
    return p


def _predict_args(args: list[str]) -> list[str]:
    """The arguments with ``--`` after the model's path, so that argparse reads ``-1e-3``,
    ``-inf`` and ``-nan`` as numbers rather than unknown options."""
    if not args or args[0].startswith("-") or any(a in ("-h", "--help") for a in args[1:]):
        return args
    return [args[0], "--", *(a for a in args[1:] if a != "--")]


class _Progress:
    """How far a run got, for the line Ctrl-C prints."""

    def __init__(self, steps: int, model_path: Path) -> None:
        self.steps, self.model_path = steps, model_path
        self.step: int | None = None  # the last step completed
        self.written: list[Path] = []
        self.training = False

    def interrupted(self) -> str:
        if self.training:
            reached = ("before the first step" if self.step is None
                       else f"after step {self.step + 1} of {self.steps}")
            kept = (f"{self.model_path} from before is unchanged" if self.model_path.exists()
                    else "no model was saved")
            return f"interrupted {reached}: nothing written ({kept})"
        if self.written:
            wrote = ", ".join(map(str, self.written))
            return f"interrupted while writing: wrote {wrote}; the rest was not written"
        return "interrupted before training: nothing written"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the exit status (2 for bad options, 1 for other errors,
    3 for a useless model, 130 after Ctrl-C)."""
    args = sys.argv[1:] if argv is None else list(argv)
    if args[:1] == ["predict"]:
        return _predict(predict_parser().parse_args(_predict_args(args[1:])))
    if args[:1] == ["train"]:
        args = args[1:]
    parser = train_parser()
    opts = parser.parse_args(args)
    progress = _Progress(opts.steps, Path(opts.out) / "model.json")
    try:
        return _train(parser, opts, progress)
    except KeyboardInterrupt:
        print(f"python -m nn: {progress.interrupted()}", file=sys.stderr)
        return 130
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


def _train(parser: argparse.ArgumentParser, opts: argparse.Namespace, progress: _Progress) -> int:
    xs, y = _load_data(parser, opts)
    k = max(y) + 1
    goal = objective(opts.loss or ("hinge" if k == 2 else "cross_entropy"))
    loss = goal.name
    try:
        nout = goal.outputs_for(k)
    except ValueError as e:
        parser.error(f"--loss {opts.loss}: {e} ({opts.dataset} has {k} classes)")
    if opts.batch_size is not None and opts.batch_size > len(xs):
        parser.error(f"--batch-size {opts.batch_size} is larger than the {len(xs)} points")
    if opts.momentum and opts.optimizer != "sgd":
        parser.error("--momentum applies to --optimizer sgd only")
    out_dir = Path(opts.out)
    out_dir.mkdir(parents=True, exist_ok=True)  # before training: fail in a second, not a minute
    check_writable(out_dir)  # its probe file has an unpredictable name and follows no symlink

    hidden = _sizes(opts.hidden) if isinstance(opts.hidden, str) else opts.hidden  # a str if defaulted
    model = MLP(2, [*hidden, nout], activation=opts.activation, seed=opts.seed)
    chosen = defaults(goal, opts.dataset)
    if opts.lr is not None:
        lr = opts.lr
    else:
        lr = chosen.sgd_lr if opts.optimizer == "sgd" else chosen.adam_lr
    momentum = chosen.momentum if opts.momentum is None else opts.momentum
    params = model.parameters()
    optimizer = SGD(params, lr, momentum=momentum) if opts.optimizer == "sgd" else Adam(params, lr)
    schedule = LinearDecay(lr, lr / 10, opts.steps) if opts.schedule == "linear" else None
    # flush: progress must show as it happens when the output is a pipe (tee, a CI log)
    say = (lambda *a: None) if opts.quiet else functools.partial(print, flush=True)
    say(f"training {model!r} on {opts.dataset} ({len(xs)} points, {k} classes): {loss} loss"
        f"{f' + L2 {opts.l2:g}' if opts.l2 else ''}, {opts.optimizer} lr {lr:g}"
        f"{f' momentum {momentum:g}' if opts.optimizer == 'sgd' and momentum else ''}"
        f"{f' decaying linearly to {lr / 10:g}' if schedule else ''}, {opts.steps} steps, "
        f"batch {opts.batch_size or 'full'}{', compiled' if opts.compile else ''}")
    tty = sys.stderr.isatty() and not opts.quiet
    every = max(1, opts.steps // 10)

    def report(step: int, loss_value: float, acc: float) -> None:
        progress.step = step
        if not opts.quiet and not tty and (step % every == 0 or step == opts.steps - 1):
            say(f"step {step:4d}  loss {loss_value:.4f}  accuracy {acc:.1%}")

    recorder = None if opts.no_explorer else Recorder(model, opts.steps)  # for explorer.html

    def callback(step: int, loss_value: float, acc: float) -> None:
        report(step, loss_value, acc)
        if recorder is not None:
            recorder(step, loss_value, acc)

    start = time.perf_counter()
    progress.training = True
    fit(model, xs, y, loss=loss, optimizer=optimizer, schedule=schedule, steps=opts.steps,
        batch_size=opts.batch_size, l2=opts.l2, seed=opts.seed, progress=tty, callback=callback,
        compile=opts.compile)
    progress.training = False
    seconds = time.perf_counter() - start
    acc = evaluate(model, xs, y, loss)
    say(f"final train accuracy {acc:.1%} ({round(acc * len(xs))}/{len(xs)}) in {seconds:.1f} s "
        f"({opts.steps / seconds:.1f} steps/s)")
    guess = max(y.count(c) for c in range(k)) / len(y)  # the accuracy of always the most common class
    if acc <= guess:  # a useless model is a failure, not a result to save and plot
        print(f"python -m nn: error: the model is useless: train accuracy {acc:.1%} is no better than "
              f"always guessing the most common class ({guess:.1%}); nothing written (try another --lr, "
              "--optimizer or more --steps)", file=sys.stderr)
        return USELESS

    metadata = {"loss": loss, "dataset": opts.dataset, "classes": k, "train_accuracy": acc}
    model.save(out_dir / "model.json", metadata)
    progress.written.append(out_dir / "model.json")
    say(f"wrote {out_dir / 'model.json'}")
    for path in _write_plots(model, xs, y, loss, out_dir, f"{opts.dataset}: train accuracy {acc:.1%}", say):
        progress.written.append(path)
    sample: tuple[Value, list[Value]] | None = None  # one sample's graph, drawn in both files
    if opts.graph != "none" or recorder is not None:
        try:
            sample = neuron_graph(model, xs[0])
        except Exception as e:  # optional outputs: a skip, not a crash
            say(_skipped("graph.svg and explorer.html", e))
    if sample is not None and opts.graph != "none":
        for path in _write_graph(model, sample, out_dir, opts.graph == "full", say):
            progress.written.append(path)
    if sample is not None and recorder is not None:
        for path in _write_explorer(recorder, sample, xs, y, loss, out_dir, say):
            progress.written.append(path)
    return 0


def _skipped(what: str, e: BaseException) -> str:
    """One line saying why an optional output was not written."""
    lines = str(e).strip().splitlines()
    reason = lines[0] if lines else type(e).__name__
    return f"{what} skipped: {shorten(reason, 300)}"


def _write_plots(model: MLP, xs: Any, y: Any, loss: str, out_dir: Path, title: str, say: Any) -> list[Path]:
    try:
        from .plot import decision_boundary

        paths = decision_boundary(model, xs, y, [out_dir / "decision_boundary.png",
                                                out_dir / "decision_boundary.svg"], loss=loss, title=title)
    except ImportError as e:
        say(f"decision boundary plot skipped: {e.name or 'matplotlib'} is not installed "
            "(pip install 'autograd_mini[plot]')")
        return []
    except Exception as e:  # the plot is optional: any failure is a skip, not a crash
        say(_skipped("decision boundary plot", e))
        return []
    for path in paths:
        say(f"wrote {path}")
    return paths


def neuron_graph(model: MLP, x: Any) -> tuple[Value, list[Value]]:
    """The model's output for input ``x`` after backward, and every neuron's output, labelled.

    The inputs are Values labelled ``x1, x2, ...``; each neuron's output is labelled
    ``L<layer>.<neuron>`` (``out`` for a single output), so a drawing can show one box per neuron.
    """
    h: list[Any] = [Value(xi, label=f"x{i + 1}") for i, xi in enumerate(x)]
    neurons: list[Value] = []
    for li, layer in enumerate(model.layers):
        h = [n(h) for n in layer.neurons]
        for j, v in enumerate(h):
            v.label = neuron_name(model, li, j)
        neurons += h
    root = h[0] if len(h) == 1 else _sum_for_drawing(h)
    model.zero_grad()
    root.backward()  # so the picture shows d(output)/d(node) in each node
    return root, neurons


def _sum_for_drawing(outputs: list[Value]) -> Value:
    from autograd_mini import sum as vsum

    return vsum(outputs, label="Σ outputs")


def _write_graph(model: MLP, sample: tuple[Value, list[Value]], out_dir: Path, full: bool,
                 say: Any) -> list[Path]:
    root, neurons = sample
    try:
        options: dict[str, Any] = {} if full else {"collapse": neurons}
        path = render(root, out_dir / "graph.svg", params=model.parameters(), **options)
    except Exception as e:  # the graph is optional: no renderer, a layout too slow,
        # too many nodes, a dot that fails, a missing package: one line, and the job goes on
        say(_skipped("graph.svg", e))
        return []
    say(f"wrote {path}")
    return [Path(path)]


def _write_explorer(recorder: Recorder, sample: tuple[Value, list[Value]], xs: Any, y: Any, loss: str,
                    out_dir: Path, say: Any) -> list[Path]:
    root, neurons = sample
    try:
        path = write_explorer(out_dir / "explorer.html", recorder, xs, y, loss, root, neurons)
    except Exception as e:  # optional, as the graph: no renderer, a missing package, ...
        say(_skipped("explorer.html", e))
        return []
    say(f"wrote {path} (open it in a browser: step through backprop of one sample)")
    return [path]


def _predict(opts: argparse.Namespace) -> int:
    try:
        model, metadata = read(opts.model)
        loss = metadata.get("loss")
        goal = None
        if loss is not None:
            try:
                goal = objective(loss)
                goal.check_outputs(model.nout)
            except (TypeError, ValueError) as e:
                raise ValueError(f"{opts.model}: its metadata's loss does not fit the model: {e}") from None
        out = model(opts.x)
    except (OSError, ValueError) as e:
        message = _os_message(e).replace("cannot write", "cannot read") if isinstance(e, OSError) else str(e)
        print(f"python -m nn predict: error: {shorten(message.splitlines()[0] if message else '')}",
              file=sys.stderr)
        return 1
    outputs = out if isinstance(out, list) else [out]
    print("output", " ".join(f"{o.data:.6g}" for o in outputs))
    if goal is not None:
        print("class", goal.decide(out))
    return 0
