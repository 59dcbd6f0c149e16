# Quick start: `make site` builds the site; `make test` runs every check.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check -q

.PHONY: site test lint serve check clean test-tools bench fuzz reliability golden

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP) install -c constraints.txt -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt $(VENV)/.installed
	$(PIP) install -c constraints.txt -e '.[test]'
	@touch $@

# Browser-test tools. Debian's Chromium (Playwright drives it; its own browser
# download cannot work here) and, from npm, the Nu HTML checker and Lighthouse.
CHROMIUM := /usr/bin/chromium
BROWSER_DIR := tests/browser
NODE_STAMP := $(BROWSER_DIR)/node_modules/.installed
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

$(CHROMIUM):
	$(SUDO) apt-get update
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

$(NODE_STAMP): $(BROWSER_DIR)/package.json $(BROWSER_DIR)/package-lock.json
	cd $(BROWSER_DIR) && npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

test-tools: $(VENV)/.installed-test $(CHROMIUM) $(NODE_STAMP)
	@command -v java >/dev/null || { echo "java (17 or newer) is needed for the Nu HTML checker" >&2; exit 1; }

site: $(VENV)/.installed
	$(BIN)/python build.py

check: $(VENV)/.installed
	$(BIN)/python build.py check

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/mypy

test: $(VENV)/.installed-test test-tools lint
	$(BIN)/python -m pytest

serve: $(VENV)/.installed
	$(BIN)/python build.py serve

# Rewrite the pages kept in tests/pages/golden/ from the example site, after a change to how
# pages look that is meant; review the diff and commit them with the change.
golden: $(VENV)/.installed-test
	$(BIN)/python -m pytest tests/pages/test_golden.py --update-golden -q

clean:
	rm -rf _site .cache .pytest_cache .mypy_cache .ruff_cache .hypothesis

# Benchmarks against Hugo, Pelican, MkDocs and Eleventy, preview servers included: long
# (tens of minutes); writes bench/results.json and BENCHMARKS.md. BENCH_ARGS=--quick for a
# smoke run of a few minutes; e.g. BENCH_ARGS="--sizes 4000 --scenarios preview,hugo-server"
# for a subset (bench/run.py --help lists the scenarios).
bench: $(VENV)/.installed
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The reliability tests at their long scale: more fuzzing examples, more killed builds,
# longer load on the preview server. Writes docs/reliability.md from the figures.
RELIABILITY_TESTS := tests/test_fuzz.py tests/test_interrupt.py tests/test_determinism.py \
	tests/serve/test_serve_load.py tests/serve/test_serve.py tests/link/test_sanitize.py tests/test_hostile.py \
	tests/content/test_limits.py tests/output/test_write.py tests/incremental/test_cache.py tests/incremental/test_incremental.py \
	tests/incremental/test_cache_damage.py
FIGURES := .cache/reliability-figures.jsonl
JUNIT := .cache/reliability-junit.xml

# RELIABILITY_LONG=0 runs them at the `make test` scale instead (a few minutes).
RELIABILITY_LONG ?= 1

reliability: $(VENV)/.installed-test
	@mkdir -p .cache && rm -f $(FIGURES) $(JUNIT)
	EXPLAINER_LONG=$(RELIABILITY_LONG) EXPLAINER_FIGURES=$(CURDIR)/$(FIGURES) $(BIN)/python -m pytest \
		$(wildcard $(RELIABILITY_TESTS)) --junitxml=$(JUNIT) -q; status=$$?; \
	EXPLAINER_LONG=$(RELIABILITY_LONG) $(BIN)/python tests/reliability_report.py \
		$(FIGURES) $(JUNIT) docs/reliability.md; \
	exit $$status

# Only the fuzzing properties, at their long scale.
fuzz: $(VENV)/.installed-test
	EXPLAINER_LONG=1 $(BIN)/python -m pytest tests/test_fuzz.py -q
