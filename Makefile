# National Crime and Policing Measures warehouse. `make help` lists the targets.
#
# Everything runs inside .venv, created from requirements.lock (pinned versions
# with hashes) by `make build` / `make test` / `make venv`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UV_VERSION := 0.13.8

export DBT_PROFILES_DIR := $(CURDIR)
export DBT_SEND_ANONYMOUS_USAGE_STATS := False
export DBT_USE_COLORS ?= True

# Genuine published files (never committed) are tested when they sit beside the clone.
NCPM_REALDATA_DIR ?= $(abspath $(wildcard $(CURDIR)/../shared/realdata))
ifneq ($(NCPM_REALDATA_DIR),)
export NCPM_REALDATA_DIR
endif

DBT := $(BIN)/dbt
NCPM := $(BIN)/ncpm
# `make test` builds its own warehouse file so it never touches (or waits for) the one BI tools read.
TEST_DUCKDB := warehouse/test/ncpm.duckdb
# SQL folders linted; git keeps no empty folder, so a fresh clone may lack analyses/ or snapshots/.
SQL_PATHS := $(wildcard models tests/data analyses snapshots)

.PHONY: help venv build test check lint format dbt-test structure pytest pytest-fast browser postgres spark-venv spark-check spark-up spark-down spark-status docs land publish bench synth clean semantic gx reference trace serve-up serve-down serve-status serve-load superset-venv dashboard-up dashboard-down

help: ## List the targets
	@echo "National Crime and Policing Measures warehouse"
	@echo
	@echo "Quick start:  make build   then   make test"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: FEED=<feed> FILE=<path> [YEAR=YYYY/YY] for land; PERIOD=<YYYY-MM> [REVISE=1] for publish;"
	@echo "           NCPM_DUCKDB_PATH, NCPM_RAW_DIR, NCPM_TARGET, NCPM_PUBLICATIONS_DIR (see README)."

$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found. Install Python 3.11 (e.g. apt-get install python3.11 python3.11-venv) or run: make PYTHON=/path/to/python3.11 build"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "error: $(PYTHON) is not Python 3.11"; exit 1; }
	@echo "==> Creating $(VENV) from requirements.lock (uv $(UV_VERSION))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	@echo "==> Installing the ncpm package (scripts/ncpm, editable) and its command"
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps --no-build-isolation -e .
	@touch $(STAMP)

venv: $(STAMP) ## Create the Python environment from the pinned lock file, with the ncpm command

build: $(STAMP) ## Load seeds, build and test the whole warehouse on DuckDB (warehouse/ncpm.duckdb)
	@echo "==> dbt build (seeds, models, data tests, unit tests) into $${NCPM_DUCKDB_PATH:-warehouse/ncpm.duckdb}"
	@$(NCPM) build
	@echo "==> Done. Marts are in schema 'marts' of $${NCPM_DUCKDB_PATH:-warehouse/ncpm.duckdb}"

test: lint dbt-test structure browser postgres superset-venv spark-venv pytest spark-check ## The full test suite, exactly what CI runs (lint, dbt build, structure, pytest, Spark)
	@echo "==> All tests passed"

check: lint dbt-test pytest-fast ## The inner loop (about 4 minutes): lint, dbt build with data and unit tests, fast pytest
	@echo "==> Checks passed (make test runs everything)"

# Within `make test` and `make check` the tests' sample warehouse is the one dbt-test has just
# built from the same sources, with its run_results.json beside it (tests/python/dbt_sandbox.py,
# sample_build: the tests copy it instead of building again).
test check: export NCPM_TEST_WAREHOUSE := $(abspath $(TEST_DUCKDB))

lint: $(STAMP) ## ruff, import rules (import-linter) and sqlfluff
	@echo "==> ruff"
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	@echo "==> import rules (import-linter: commands thin, the core never imports the CLI)"
	$(BIN)/lint-imports --no-cache
	@echo "==> sqlfluff (dbt templater)"
	@mkdir -p $(dir $(TEST_DUCKDB))
	NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(BIN)/sqlfluff lint $(SQL_PATHS)

dbt-test: $(STAMP) ## dbt build with every data and unit test, on a test warehouse file
	@echo "==> dbt build into $(TEST_DUCKDB)"
	@mkdir -p $(dir $(TEST_DUCKDB))
	@rm -f $(TEST_DUCKDB) $(dir $(TEST_DUCKDB))run_results.json
	@NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(NCPM) build
	@cp target/run_results.json $(dir $(TEST_DUCKDB))run_results.json

structure: $(STAMP) ## Structure, documentation and personal-data checks (dbt-bouncer and ncpm check over the manifest and catalog)
	@echo "==> dbt-bouncer (structure, naming, lineage, 100% documentation)"
	@NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(DBT) docs generate --quiet
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml
	@echo "==> personal data (no respondent- or incident-level model, id or weight reaches the marts)"
	$(NCPM) check personal-data --manifest target/manifest.json --catalog target/catalog.json

# Two pytest workers (pytest-xdist); tests sharing state outside their folders stay on one
# worker (xdist groups, tests/python/dbt_sandbox.py). PYTEST_WORKERS=0 runs them in this process.
PYTEST_WORKERS ?= 2
PYTEST_XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

pytest: $(STAMP) ## Every Python test (bad input, landing, publication, browser, real files when present)
	@echo "==> pytest (all, $(PYTEST_WORKERS) workers)"
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS)

pytest-fast: $(STAMP) ## Python tests not marked slow
	@echo "==> pytest (not slow, $(PYTEST_WORKERS) workers)"
	$(BIN)/pytest -m "not slow" $(PYTEST_XDIST) $(PYTEST_ARGS)

browser: ## Headless Chromium for the browser tests: installed with apt-get when root, else the tests say why they skip
	@if command -v chromium >/dev/null || command -v chromium-browser >/dev/null || command -v google-chrome >/dev/null; then \
	    echo "==> browser: $$(command -v chromium || command -v chromium-browser || command -v google-chrome)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> browser: installing Debian's chromium (about 15 s)"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; } \
	        || echo "warning: could not install chromium; the browser tests will skip and say why" >&2; \
	else \
	    echo "==> browser: no chromium and not root with apt-get: the browser tests will skip (install chromium to run them)"; \
	fi

postgres: ## PostgreSQL server programs for the serving-database tests: installed with apt-get when root, else the tests say why they skip
	@if command -v initdb >/dev/null || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
	    echo "==> postgres: $$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)"; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> postgres: installing Debian's postgresql (the programs only: no 'main' cluster is created)"; \
	    if [ ! -e /etc/postgresql-common/createcluster.conf ]; then \
	        mkdir -p /etc/postgresql-common && echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf; \
	    fi; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null; } \
	        || echo "warning: could not install postgresql; the serving-database tests will skip and say why" >&2; \
	else \
	    echo "==> postgres: no initdb and not root with apt-get: the serving-database tests will skip (apt-get install postgresql to run them)"; \
	fi

serve-up: $(STAMP) ## Start the PostgreSQL serving database BI tools connect to (127.0.0.1, port NCPM_PG_PORT or 5433)
	$(NCPM) serve up

serve-down: $(STAMP) ## Stop the PostgreSQL serving database (only the cluster serve-up started)
	$(NCPM) serve down

serve-status: $(STAMP) ## Is the serving database running, and which publication does it serve
	@$(NCPM) serve status || true

serve-load: $(STAMP) ## Load a publication into the serving database: make serve-load PERIOD=2026-06
	@test -n "$(PERIOD)" || { echo "usage: make serve-load PERIOD=<YYYY-MM>   (a folder publications/<period>/ written by make publish)"; exit 2; }
	$(NCPM) serve load --period "$(PERIOD)"

SUPERSET_VENV := .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.installed

$(SUPERSET_STAMP): requirements-superset.lock $(STAMP)
	@echo "==> Creating $(SUPERSET_VENV) from requirements-superset.lock (Apache Superset, its own environment)"
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(BIN)/uv pip sync --quiet --python $(SUPERSET_VENV)/bin/python --require-hashes requirements-superset.lock
	@touch $(SUPERSET_STAMP)

superset-venv: $(SUPERSET_STAMP) ## Install Apache Superset into its own environment (.venv-superset), for the board dashboard

dashboard-up: $(SUPERSET_STAMP) ## Start Superset on 127.0.0.1 (NCPM_SUPERSET_PORT or 8088) with the board dashboard (needs serve-up and serve-load)
	$(NCPM) dashboard up

dashboard-down: $(STAMP) ## Stop Superset (only the server dashboard-up started)
	$(NCPM) dashboard down

SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	@echo "==> Creating $(SPARK_VENV) from requirements-spark.lock (dbt-spark + pyspark)"
	$(PYTHON) -m venv $(SPARK_VENV)
	$(BIN)/uv pip sync --quiet --python $(SPARK_VENV)/bin/python --require-hashes requirements-spark.lock
	@touch $(SPARK_STAMP)

spark-venv: $(SPARK_STAMP) ## Install dbt-spark and pyspark into their own environment (.venv-spark), for the Spark cluster and check

spark-check: $(SPARK_STAMP) ## Build and publish on a local Spark cluster (Thrift), compare every mart and the publication with DuckDB row for row (part of test; skips without Java 17+)
	@echo "==> Spark portability check (a standalone cluster of its own, on free ports)"
	$(NCPM) spark-check --spark-python $(SPARK_VENV)/bin/python

spark-up: $(SPARK_STAMP) ## Start the local Spark cluster: master, two workers, Thrift server on 127.0.0.1 (NCPM_SPARK_PORT, default 10000)
	$(NCPM) spark up

spark-down: $(STAMP) ## Stop the local Spark cluster (only what spark-up started)
	$(NCPM) spark down

spark-status: $(STAMP) ## Is the local Spark cluster running (each process, the master's workers)
	$(NCPM) spark status

format: $(STAMP) ## Format Python (ruff) and SQL (sqlfluff fix)
	$(BIN)/ruff format scripts tests
	$(BIN)/ruff check --fix scripts tests
	$(BIN)/sqlfluff fix $(SQL_PATHS)

docs: $(STAMP) ## Write the lineage docs: site/index.html (single static file) and site/dbt-docs/ (the dbt docs site)
	@echo "==> dbt docs generate --static"
	$(DBT) docs generate --static
	@mkdir -p site/dbt-docs
	@cp target/static_index.html site/index.html
	@cp target/index.html target/manifest.json target/catalog.json site/dbt-docs/
	@echo "==> Open site/index.html in a browser (no server or network needed)."
	@echo "    site/dbt-docs/ is the same site for a web server (or: .venv/bin/dbt docs serve)."

semantic: $(STAMP) ## Regenerate the dbt files derived from the feed registry and catalogue (fact list and inputs, exposures, semantic layer)
	$(NCPM) semantic

gx: $(STAMP) ## Regenerate the Great Expectations suites (gx/expectations/) from the metric catalogue
	$(NCPM) gx

reference: $(STAMP) ## Derive the geography seeds from the ONS files (NCPM_REALDATA_DIR/geography): make reference [CHECK=1]
	$(NCPM) reference geography $(if $(CHECK),--check)

trace: $(STAMP) ## Trace one published figure back to its raw rows: make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [BREAKDOWN=...] [JSON=1]
	@test -n "$(METRIC)" -a -n "$(AREA)" -a -n "$(PERIOD)" || { echo "usage: make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [BREAKDOWN='Class A'] [JSON=1]"; exit 2; }
	@$(NCPM) trace --metric "$(METRIC)" --area "$(AREA)" --period "$(PERIOD)" $(if $(BREAKDOWN),--breakdown "$(BREAKDOWN)") $(if $(JSON),--json)

land: $(STAMP) ## Land a published file: make land FEED=<feed> FILE=<path> [YEAR=YYYY/YY for a wide seizures table]
	@test -n "$(FEED)" -a -n "$(FILE)" || { echo "usage: make land FEED=<feed> FILE=<path> [YEAR=YYYY/YY]   (feeds: $$(ls seeds/raw | grep -v '_wide$$' | tr '\n' ' '); YEAR= lands a published wide drug_seizures table for that financial year; street_level_crime takes a police.uk street file, a folder or an archive zip)"; exit 2; }
	$(NCPM) land "$(FEED)" "$(FILE)" $(if $(YEAR),--year "$(YEAR)")

publish: $(STAMP) ## Publish a quarter: make publish PERIOD=2026-06 [REVISE=1] (build, export, validate, publish)
	@test -n "$(PERIOD)" || { echo "usage: make publish PERIOD=<YYYY-MM> [REVISE=1]   (the quarter-end month, e.g. PERIOD=2026-06)"; exit 2; }
	$(NCPM) publish --period "$(PERIOD)" $(if $(REVISE),--revise)

bench: $(STAMP) ## Benchmark: dbt parse, full dbt build from empty, and DuckDB reading the raw files
	$(NCPM) bench

synth: $(STAMP) ## Regenerate the synthetic sample raw files (deterministic): make synth [FEED=<feed>]
	$(NCPM) synth --feed $(or $(FEED),all)

clean: ## Remove build outputs, the local Spark cluster's too (keeps .venv and landed raw files)
	@if [ -x $(NCPM) ] && [ -d warehouse/spark/run ]; then $(NCPM) spark down; fi
	rm -rf target logs site warehouse/test warehouse/spark metastore_db spark-warehouse derby.log
	rm -f warehouse/*.duckdb warehouse/*.duckdb.wal
