# The two commands of the README: `make demo` (the main job) and `make test` (the suite).
# Each first runs tools/install.sh, which is idempotent (a stamp skips finished work).
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: install demo test

install:
	ORL_MM_VENV=$(VENV) bash tools/install.sh

demo: install
	$(PY) tools/pipeline.py

test: install
	$(PY) -m pytest tests $(PYTEST_ARGS)
