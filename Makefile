# Quick start: `make site` builds the site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: site test lint serve check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test]'
	@touch $@

site: $(VENV)/.installed
	$(BIN)/python build.py

check: $(VENV)/.installed
	$(BIN)/python build.py check

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(VENV)/.installed-test lint
	$(BIN)/python -m pytest

serve: site
	@echo "Serving _site on http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _site 8000

clean:
	rm -rf _site .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis
