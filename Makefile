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

.PHONY: run test lint bench clean mutate

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

# Mutation testing with mutmut: not part of `make test` or CI (30+ minutes on 2 shared cores). Each
# mutant changes one thing in one module of MUTATE_PATHS and runs the tests of MUTATE_TESTS (and
# the modules' doctests) that reach the changed function; a mutant no test fails survives. It runs
# in a copy of the working tree in MUTATE_DIR, never in the tree itself, and ends with killed/total
# per module and the survivors (`cd build/mutate && ../../.venv/bin/mutmut show NAME` shows one).
# A new module is one more path here; its tests one more entry in MUTATE_TESTS.
# (autograd_mini/ops.py is left out: it is generated from rules.py, which its tests check.)
MUTATE_PATHS ?= autograd_mini/rules.py autograd_mini/_ieee.py autograd_mini/_lift.py \
	autograd_mini/engine.py autograd_mini/functional.py autograd_mini/modes.py \
	autograd_mini/userops.py autograd_mini/tracing.py autograd_mini/compiler.py \
	autograd_mini/_replay_python.py autograd_mini/_replay_numpy.py autograd_mini/explorer.py \
	autograd_mini/_atomic.py autograd_mini/testing/gradcheck.py \
	nn/losses.py nn/objectives.py nn/optim.py nn/serialize.py nn/torch.py
# (The browser tests of the explorer are left out: each start of chromium takes seconds, times
# the mutants of explorer.py; tests/test_explorer.py checks the page's data from Python.)
MUTATE_TESTS ?= tests/test_engine.py tests/test_functional.py tests/test_modes.py tests/test_rules.py \
	tests/test_ops_new.py tests/test_userops.py tests/test_higher_order.py tests/test_threads.py \
	tests/testing tests/test_compile.py tests/test_compile_ieee.py tests/test_compile_replay.py tests/test_compile_derivatives.py \
	tests/test_explorer.py \
	tests/test_atomic.py tests/nn/test_losses.py tests/nn/test_losses_checks.py \
	tests/nn/test_objectives.py tests/nn/test_train_compile.py tests/nn/test_torch_bridge.py \
	tests/nn/test_save_kill.py \
	tests/nn/test_optim.py tests/nn/test_optim_checks.py tests/nn/test_serialize.py
MUTATE_DIR ?= build/mutate
MUTATE_JOBS ?= 2

$(VENV)/.installed-mutate: $(VENV)/.installed-test
	$(PY) -m pip install --quiet -e ".[dev,mutate]"
	touch $@

# OMP_NUM_THREADS=1: mutmut forks each mutant from a process that has run the tests, and a forked
# child would wait forever on the parent's PyTorch (OpenMP) threads.
mutate: $(VENV)/.installed-mutate
	@$(PY) -c "import torch" 2>/dev/null || echo "note: no PyTorch here, so the tests comparing against" \
		"it skip and fewer mutants die (.venv/bin/pip install torch==2.13.0, as CI does)"
	rm -rf $(MUTATE_DIR) && mkdir -p $(MUTATE_DIR)
	git ls-files -z --cached --others --exclude-standard \
		| tar --null --ignore-failed-read -T - -cf - | tar -xf - -C $(MUTATE_DIR)
	$(PY) tests/mutation.py config $(MUTATE_PATHS) -- $(wildcard $(MUTATE_TESTS)) >> $(MUTATE_DIR)/setup.cfg
	cd $(MUTATE_DIR) && OMP_NUM_THREADS=1 nice -n 19 $(abspath $(VENV))/bin/mutmut run --max-children $(MUTATE_JOBS)
	cd $(MUTATE_DIR) && $(abspath $(PY)) tests/mutation.py scores $(MUTATE_PATHS)

clean:
	rm -rf $(VENV) $(VENV310) out build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
