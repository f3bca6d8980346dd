# The two commands of the README: `make demo` (the main job) and `make test` (the suite);
# `make lint` (flake8, isort check, codespell; settings in setup.cfg) runs before the tests in CI.
# Each first runs tools/install.sh, which is idempotent (a stamp skips finished work).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install demo test lint

install:
	ORL_MM_VENV=$(VENV) bash tools/install.sh

demo: install
	$(PY) tools/pipeline.py

test: install
	$(PY) -m pytest tests $(PYTEST_ARGS)

# Check only, never rewrite: `isort .` (write mode) applies the import order.
lint: install
	$(PY) -m flake8 .
	$(PY) -m isort --check-only --diff .
	$(VENV)/bin/codespell .
