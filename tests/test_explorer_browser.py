"""The explorer page in a real browser: Chromium driven by Playwright, one browser for the module.

Each test loads a page written by ``explore`` (or by ``python -m nn``) from file://, steps
through it with the keyboard and the buttons' ``data-testid`` hooks, and checks what it shows
against the engine; every page must log no console error. Screenshots go to
``out/screenshots/`` (CI keeps them as artifacts). Skips where Playwright or Chromium is
missing; in CI, tests/conftest.py fails the session instead.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from autograd_mini import Value
from autograd_mini.explorer import explore

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="the browser tests drive Chromium with playwright (the test extra)")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None:
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)

SHOTS = Path(__file__).resolve().parent.parent / "out" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def browser():
    with playwright_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Page:
    """A page and the console errors it logged."""

    def __init__(self, browser, path: Path, width: int = 1400, height: int = 900) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_selector(".ag-explorer[data-ready]")

    def text(self, testid: str) -> str:
        return self.page.inner_text(f'[data-testid="{testid}"]')

    def shown(self, kind: str) -> dict[str, str]:
        """node id -> the text of its ``data`` or ``grad`` element, for every node drawn."""
        return self.page.eval_on_selector_all(
            f'.ag-graph [data-node] [data-testid="{kind}"]',
            "els => Object.fromEntries(els.map(e => [e.closest('[data-node]').dataset.node, e.textContent]))")

    def close(self) -> None:
        assert self.errors == []
        self.page.close()


def neuron():
    """micrograd's neuron, with a node used twice and a constant: o = tanh(x1 w1 + x2 w2 + b) * 2 + o'."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    y = o * 2 + o * o
    y.label = "y"
    return y, [w1, w2, b]


def uses(root: Value) -> dict[Value, list[tuple[Value, float]]]:
    """Each Value's uses: (the result, the local derivative), one per edge, from the engine."""
    from autograd_mini._grouping import topological

    found: dict[Value, list[tuple[Value, float]]] = {}
    for c in topological([root]):
        for p, d in zip(c.parents, c.local_grads):
            found.setdefault(p, []).append((c, d))
    return found


def test_stepping_through_a_small_graph_shows_the_engines_numbers(browser, tmp_path):
    root, params = neuron()
    page_file = explore(root, tmp_path / "small.html", params=params)
    root.backward()
    by_id = {i: v for v, i in page_file.ids.items()}
    edges = uses(root)
    p = Page(browser, tmp_path / "small.html")
    assert set(p.shown("grad").values()) == {"?"}
    forward_steps = sum(1 for v in by_id.values() if v.parents)
    for _ in range(forward_steps):
        p.page.keyboard.press("ArrowRight")
    data = p.shown("data")
    assert all(data[i] == f"{by_id[i].data:.4f}" for i in data)
    assert p.page.is_disabled('[data-testid="step-forward"]')
    seen = []
    for _ in range(len(by_id)):
        p.page.click('[data-testid="step-backward"]')
        current = p.page.get_attribute(".ag-graph g.node.ag-cur", "data-node")
        v = by_id[current]
        seen.append(v)
        equation = p.text("equation")
        if v is root:
            assert f"{v.label}.grad = 1" in equation
        else:
            for c, d in edges[v]:  # every term of the chain rule, with the engine's numbers
                assert f"= {d:.4f} × {c.grad:.4f}" in equation, (v, equation)
            assert equation.rstrip().endswith(f"= {v.grad:.4f}"), equation
        assert p.shown("grad")[current] == f"{v.grad:.4f}"
    assert len(set(seen)) == len(by_id)
    grads = p.shown("grad")
    assert set(grads) == set(by_id)
    for i, text in grads.items():
        assert abs(float(text) - by_id[i].grad) <= 0.5e-4 + 1e-12, (i, text)
    assert p.text("status").startswith("done")
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.page.click('[data-node="' + page_file.ids[params[0]] + '"]')  # the details of w1
    details = p.text("details")
    assert "w1" in details and f"{params[0].grad:.4f}" in details
    p.page.screenshot(path=str(SHOTS / "explorer_small.png"))
    p.page.keyboard.press("ArrowLeft")  # undo the last step: one grad is unknown again
    assert list(p.shown("grad").values()).count("?") == 1
    p.page.click('[data-testid="reset"]')
    assert set(p.shown("grad").values()) == {"?"}
    p.close()


def test_the_quiz_accepts_the_right_grad_and_rejects_a_wrong_one(browser, tmp_path):
    root, params = neuron()
    explore(root, tmp_path / "quiz.html", params=params)
    root.backward()
    p = Page(browser, tmp_path / "quiz.html")
    p.page.click('[data-testid="quiz-toggle"]')
    p.page.click('[data-testid="play"]')  # the forward pass plays, and stops before the backward pass
    p.page.wait_for_function("document.querySelector('[data-testid=step-forward]').disabled")
    p.page.click('[data-testid="play"]')
    p.page.click('[data-testid="step-backward"]')  # the output: its grad is given
    assert "y.grad = 1" in p.text("equation")
    p.page.click('[data-testid="step-backward"]')  # the next node: asked
    asked = p.page.get_attribute(".ag-graph g.node.ag-cur", "data-node")
    assert p.shown("grad")[asked] == "?"
    assert "What is" in p.text("equation")
    p.page.fill('[data-testid="quiz-answer"]', "12345")
    p.page.click('[data-testid="quiz-submit"]')
    feedback = p.text("quiz-feedback")
    assert feedback.startswith("Not quite") and " × y.grad = " in feedback
    assert p.shown("grad")[asked] == "?"
    local, upstream = re.search(r"= (-?\d+\.\d+) × (-?\d+\.\d+)", feedback).groups()
    grad = float(local) * float(upstream)
    p.page.fill('[data-testid="quiz-answer"]', f"{grad:.6f}")
    p.page.click('[data-testid="quiz-submit"]')
    assert p.text("quiz-feedback").startswith("Right")
    assert p.shown("grad")[asked] == f"{grad:.4f}"
    p.close()


def test_labels_are_shown_as_text_never_run(browser, tmp_path):
    evil = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">&amp; "q" \'s\''
    x = Value(1.5, label=evil)
    y = (x * 2).exp()
    y.label = "<b>y</b>"
    page_file = explore(y, tmp_path / "evil.html", title=evil)
    p = Page(browser, tmp_path / "evil.html")
    assert p.page.evaluate("window.pwned") is None
    assert p.page.query_selector(".ag-explorer img, .ag-explorer b img") is None
    assert p.page.inner_text(".ag-explorer h1") == evil
    p.page.hover(f'[data-node="{page_file.ids[x]}"]')
    assert evil in p.text("details")
    assert p.page.title() == evil
    p.close()


def test_one_box_per_neuron_steps_through_the_mlp_and_opens_a_box(browser, tmp_path):
    from nn import MLP
    from nn.cli import neuron_graph

    model = MLP(2, [16, 16, 1], seed=0)
    root, neurons = neuron_graph(model, [0.5, -0.3])
    page_file = explore(root, tmp_path / "mlp.html", params=model.parameters(), collapse=neurons)
    by_id = {i: v for v, i in page_file.ids.items()}
    p = Page(browser, tmp_path / "mlp.html")
    drawn = p.shown("grad")
    assert len(drawn) == 2 + len(neurons)  # the inputs and one box per neuron
    for _ in range(len(neurons) + len(drawn)):
        p.page.keyboard.press("ArrowRight")
    assert p.text("status").startswith("done")
    for i, text in p.shown("grad").items():
        assert abs(float(text) - by_id[i].grad) <= 0.5e-4 + 1e-12, (i, text)
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.page.screenshot(path=str(SHOTS / "explorer_mlp_neurons.png"))
    box = page_file.ids[neurons[20]]  # a neuron of the second layer: its 16 weights and products
    p.page.click(f'.ag-graph [data-node="{box}"]')
    assert p.text("inside").startswith(f"inside {neurons[20].label}")
    inside = p.shown("grad")
    weights = [page_file.ids[w] for w in model.layers[1].neurons[4].w]
    assert set(weights) <= set(inside) and all(inside[w] == "?" for w in weights)
    for _ in range(len(weights) * 2 + 2):  # the box's grad is known: its ops and weights follow
        p.page.click('[data-testid="step-backward"]')
    for w in weights:
        assert p.shown("grad")[w] == f"{by_id[w].grad:.4f}"
    p.page.click('[data-testid="zoom-in"]')
    p.page.screenshot(path=str(SHOTS / "explorer_mlp_box.png"))
    p.page.click(f'.ag-graph [data-node="{box}"]')  # back to the boxes
    assert p.text("inside") == "" and len(p.shown("grad")) == len(drawn)
    p.close()


def test_the_training_view_of_python_m_nn(browser, tmp_path):
    import numpy as np

    from nn import MLP
    from nn.cli import main
    from nn.plot import mlp_numpy

    assert main(["--out", str(tmp_path), "--steps", "30", "--quiet", "--graph", "none"]) == 0
    p = Page(browser, tmp_path / "explorer.html")
    first, last = "0", p.page.get_attribute('[data-testid="step-slider"]', "max")
    final = p.page.evaluate("document.querySelector('[data-testid=boundary]').toDataURL()")
    assert p.text("step-label").startswith("after step 30 of 30: loss ")
    p.page.fill('[data-testid="step-slider"]', first)
    assert p.text("step-label") == "before training"
    assert p.page.evaluate("document.querySelector('[data-testid=boundary]').toDataURL()") != final
    p.page.fill('[data-testid="step-slider"]', last)
    assert p.page.evaluate("document.querySelector('[data-testid=boundary]').toDataURL()") == final
    # the page's forward pass is the model's, at the recorded (6-digit) weights
    model = MLP.load(tmp_path / "model.json")
    points = [[-1.0, 0.5], [0.3, -0.2], [1.5, 0.7], [2.0, -0.5]]
    js = "document.querySelector('.ag-explorer').agTraining.outputs({}, {}, {})"
    page_out = [p.page.evaluate(js.format(last, x, y)) for x, y in points]
    np.testing.assert_allclose(np.array(page_out), mlp_numpy(model, points), rtol=1e-4, atol=1e-5)
    widths = ("[...document.querySelectorAll('[data-testid=network] line')]"
              ".map(e => e.getAttribute('stroke-width'))")
    weights = p.page.evaluate(widths)
    p.page.check('[data-testid="show-grads"]')
    assert p.page.evaluate(widths) != weights
    p.page.keyboard.press("ArrowRight")  # the sample's graph below steps as ever
    assert p.text("status") == "forward pass: 1 of 33"
    SHOTS.mkdir(parents=True, exist_ok=True)
    p.page.uncheck('[data-testid="show-grads"]')
    p.page.fill('[data-testid="step-slider"]', str(int(last) // 2))
    p.page.screenshot(path=str(SHOTS / "explorer_training.png"), full_page=True)
    p.close()
