# The README's two commands: `make run` (the main job) and `make test` (the whole suite).
# Both create the virtual environment and install into it what they need first: `make run` the
# package with the viz and plot extras (the main job draws out/graph.svg and the decision
# boundary), `make test` the dev extra on top (test tools, ruff, mypy, micrograd, ipykernel).
# Each install has its own stamp file, so either command can come first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
# The venv `.ci/run` makes for the suite on Python 3.10 (`make test PYTHON=python3.10 VENV=.venv310`).
VENV310 ?= .venv310
# What `make run` installs: tqdm (a dependency), plus graph.svg's renderer and matplotlib for the plot.
RUN_EXTRAS := viz,plot
# Reinstall when the metadata changes; setup.cfg reads the version from autograd_mini/__init__.py.
METADATA := setup.cfg pyproject.toml autograd_mini/__init__.py

.PHONY: run test lint bench clean

$(VENV)/.created:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	touch $@

$(VENV)/.installed-run: $(VENV)/.created $(METADATA)
	$(PY) -m pip install --quiet -e ".[$(RUN_EXTRAS)]"
	touch $@

# The dev extra includes viz and plot, so it brings the run stamp up to date too.
$(VENV)/.installed-test: $(VENV)/.created $(METADATA)
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed-run

run: $(VENV)/.installed-run
	$(PY) -m nn $(ARGS)

lint: $(VENV)/.installed-test
	$(PY) -m ruff check .
	$(PY) -m mypy autograd_mini nn benchmarks

test: lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed-test
	$(PY) benchmarks/bench.py $(ARGS)

clean:
	rm -rf $(VENV) $(VENV310) out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
