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

DBT := $(BIN)/dbt
# `make test` builds its own warehouse file so it never touches (or waits for) the one BI tools read.
TEST_DUCKDB := warehouse/test/ncpm.duckdb
# SQL folders linted; git keeps no empty folder, so a fresh clone may lack analyses/ or snapshots/.
SQL_PATHS := $(wildcard models tests/data analyses snapshots)

.PHONY: help venv build test lint format dbt-test structure pytest spark-check docs land publish bench generate clean semantic trace

help: ## List the targets
	@echo "National Crime and Policing Measures warehouse"
	@echo
	@echo "Quick start:  make build   then   make test"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: FEED=<feed> FILE=<path> [YEAR=YYYY/YY] for land; PERIOD=<YYYY-MM> [REVISE=1] for publish;"
	@echo "           NCPM_DUCKDB_PATH, NCPM_RAW_DIR, NCPM_TARGET, NCPM_PUBLICATIONS_DIR (see README)."

$(STAMP): requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found. Install Python 3.11 (e.g. apt-get install python3.11 python3.11-venv) or run: make PYTHON=/path/to/python3.11 build"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { echo "error: $(PYTHON) is not Python 3.11"; exit 1; }
	@echo "==> Creating $(VENV) from requirements.lock (uv $(UV_VERSION))"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --require-hashes requirements.lock
	@touch $(STAMP)

venv: $(STAMP) ## Create the Python environment from the pinned lock file

build: $(STAMP) ## Load seeds, build and test the whole warehouse on DuckDB (warehouse/ncpm.duckdb)
	@echo "==> dbt build (seeds, models, data tests, unit tests) into $${NCPM_DUCKDB_PATH:-warehouse/ncpm.duckdb}"
	@mkdir -p "$$(dirname "$${NCPM_DUCKDB_PATH:-warehouse/ncpm.duckdb}")"
	@$(DBT) build || { $(BIN)/python scripts/explain_failures.py; exit 1; }
	@echo "==> Done. Marts are in schema 'marts' of $${NCPM_DUCKDB_PATH:-warehouse/ncpm.duckdb}"

test: lint dbt-test structure pytest spark-check ## Run the full test suite (lint, dbt build with data and unit tests, structure checks, pytest, Spark)
	@echo "==> All tests passed"

lint: $(STAMP) ## sqlfluff and ruff
	@echo "==> ruff"
	$(BIN)/ruff check scripts tests
	$(BIN)/ruff format --check scripts tests
	@echo "==> sqlfluff (dbt templater)"
	@mkdir -p $(dir $(TEST_DUCKDB))
	NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(BIN)/sqlfluff lint $(SQL_PATHS)

dbt-test: $(STAMP) ## dbt build with every data and unit test, on a test warehouse file
	@echo "==> dbt build into $(TEST_DUCKDB)"
	@mkdir -p $(dir $(TEST_DUCKDB))
	@rm -f $(TEST_DUCKDB)
	@NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(DBT) build || { NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(BIN)/python scripts/explain_failures.py; exit 1; }

structure: $(STAMP) ## Structure, documentation and personal-data checks (dbt-bouncer and check_personal_data over the manifest and catalog)
	@echo "==> dbt-bouncer (structure, naming, lineage, 100% documentation)"
	@NCPM_DUCKDB_PATH=$(TEST_DUCKDB) $(DBT) docs generate --quiet
	$(BIN)/dbt-bouncer --config-file dbt-bouncer.yml
	@echo "==> personal data (no respondent- or incident-level model, id or weight reaches the marts)"
	$(BIN)/python scripts/check_personal_data.py --manifest target/manifest.json --catalog target/catalog.json

pytest: $(STAMP) ## Python tests (bad-input cases, landing, real files when NCPM_REALDATA_DIR is set)
	@echo "==> pytest"
	$(BIN)/pytest

SPARK_VENV := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed

$(SPARK_STAMP): requirements-spark.lock $(STAMP)
	@echo "==> Creating $(SPARK_VENV) from requirements-spark.lock (dbt-spark + pyspark)"
	$(PYTHON) -m venv $(SPARK_VENV)
	$(BIN)/uv pip sync --quiet --python $(SPARK_VENV)/bin/python --require-hashes requirements-spark.lock
	@touch $(SPARK_STAMP)

spark-check: $(SPARK_STAMP) ## Build the whole project on Apache Spark in-process and compare every measure and the revision history with DuckDB (part of test; skips without Java 17+)
	@echo "==> Spark portability check"
	$(SPARK_VENV)/bin/python scripts/spark_check.py --duckdb-python $(BIN)/python

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

semantic: $(STAMP) ## Regenerate the MetricFlow semantic layer YAML from the metric catalogue and the measure facts
	$(BIN)/python scripts/generate_semantic_layer.py

trace: $(STAMP) ## Trace one published figure back to its raw rows: make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [BREAKDOWN=...] [JSON=1]
	@test -n "$(METRIC)" -a -n "$(AREA)" -a -n "$(PERIOD)" || { echo "usage: make trace METRIC=M1.1 AREA=E23000001 PERIOD=2019-06 [BREAKDOWN='Class A'] [JSON=1]"; exit 2; }
	@$(BIN)/python scripts/trace.py --metric "$(METRIC)" --area "$(AREA)" --period "$(PERIOD)" $(if $(BREAKDOWN),--breakdown "$(BREAKDOWN)") $(if $(JSON),--json)

land: $(STAMP) ## Land a published file: make land FEED=<feed> FILE=<path> [YEAR=YYYY/YY for a wide seizures table]
	@test -n "$(FEED)" -a -n "$(FILE)" || { echo "usage: make land FEED=<feed> FILE=<path> [YEAR=YYYY/YY]   (feeds: $$(ls seeds/raw | grep -v '_wide$$' | tr '\n' ' '); YEAR= lands a published wide drug_seizures table for that financial year)"; exit 2; }
	$(BIN)/python scripts/land.py --feed "$(FEED)" --file "$(FILE)" $(if $(YEAR),--year "$(YEAR)")

publish: $(STAMP) ## Publish a quarter: make publish PERIOD=2026-06 [REVISE=1] (build, export, validate, publish)
	@test -n "$(PERIOD)" || { echo "usage: make publish PERIOD=<YYYY-MM> [REVISE=1]   (the quarter-end month, e.g. PERIOD=2026-06)"; exit 2; }
	$(BIN)/python scripts/publish.py --period "$(PERIOD)" $(if $(REVISE),--revise)

bench: $(STAMP) ## Benchmark: dbt parse, full dbt build from empty, and DuckDB reading the raw files
	$(BIN)/python scripts/bench.py

generate: $(STAMP) ## Regenerate the synthetic sample raw files (deterministic)
	$(BIN)/python scripts/generate_police_recorded_crime.py
	$(BIN)/python scripts/generate_homicide_index.py
	$(BIN)/python scripts/generate_weapon_returns.py
	$(BIN)/python scripts/generate_hospital_admissions.py
	$(BIN)/python scripts/generate_drug_seizures.py
	$(BIN)/python scripts/generate_drug_treatment_referrals.py
	$(BIN)/python scripts/generate_county_lines.py
	$(BIN)/python scripts/generate_victim_survey.py
	$(BIN)/python scripts/generate_business_cyber_survey.py
	$(BIN)/python scripts/generate_action_fraud_computer_misuse.py

clean: ## Remove build outputs (keeps .venv and landed raw files)
	rm -rf target logs site warehouse/test metastore_db spark-warehouse derby.log
	rm -f warehouse/*.duckdb warehouse/*.duckdb.wal
