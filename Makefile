# Two entry points (see README): `make run` and `make test`. Everything is installed
# into .venv from requirements.lock, so a fresh clone needs only python3.11 and make.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser java office run test lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	python3.11 -m venv $(VENV) 2>/dev/null || python3 -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e ".[dev]"
	touch $(STAMP)

# Debian's Chromium for the app's real-browser test; skipped when it is already there.
# Outside CI a failed install only warns (that test then skips); in CI it fails the run.
CHROMIUM := /usr/bin/chromium
browser:
	@test -x $(CHROMIUM) || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; } \
	  || { [ "$$CI" != true ] && echo "warning: could not install chromium; the browser test will skip"; }; }

# Java 17 for the Spark target's tests (local pyspark); skipped when java is there.
# Outside CI a failed install only warns (those tests then skip); in CI it fails the run.
java:
	@command -v java >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq openjdk-17-jre-headless >/dev/null; } \
	  || { [ "$$CI" != true ] && echo "warning: could not install Java 17; the Spark tests will skip"; }; }

# LibreOffice Calc (headless, no GUI) for the test that opens CSV exports in a real spreadsheet;
# skipped when soffice is already there. Outside CI a failed install only warns (that test
# then skips); in CI it fails the run.
office:
	@command -v soffice >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo "sudo -n"); \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null; } \
	  || { [ "$$CI" != true ] && echo "warning: could not install LibreOffice; the spreadsheet test will skip"; }; }

# The whole pipeline on the embedded default (DuckDB), then the app on http://localhost:8501
run: install
	$(BIN)/c360 run
	$(BIN)/c360 app

test: install browser java office
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/lint-imports
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check src tests benchmarks

format: install
	$(BIN)/ruff format src tests benchmarks

bench: install
	$(BIN)/python benchmarks/bench_generate.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
