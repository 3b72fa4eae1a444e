# The README's two commands: `make run` (the main job) and `make test` (the whole suite).
# Both create the virtual environment and install the project into it first.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python

.PHONY: run test lint bench clean

$(VENV)/.installed: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

run: $(VENV)/.installed
	$(PY) -m nn $(ARGS)

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m mypy autograd_mini nn benchmarks

test: lint
	$(PY) -m pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py $(ARGS)

clean:
	rm -rf $(VENV) out .pytest_cache .mypy_cache .hypothesis
