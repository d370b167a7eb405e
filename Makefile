# jrc_analysis — `make` alone lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
YEAR   ?=

.DEFAULT_GOAL := help
.PHONY: help install briefing ingest check test check-fixed-data notebooks lab reports bench samples clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-15s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(STAMP)

install: $(STAMP) ## create .venv if missing and install the package with its dependencies

briefing: $(STAMP) ## the main job: ingest data/raw and regenerate the briefing (YEAR=2023 for another year)
	$(BIN)/jrc briefing $(if $(YEAR),--year $(YEAR),)

ingest: $(STAMP) ## clean data/raw into data/processed (tidy values and the issue report)
	$(BIN)/jrc ingest data/raw -o data/processed

check: $(STAMP) ## check data/raw and print the issues, writing nothing
	$(BIN)/jrc check data/raw

# The tests and nbval read the fixed data set tests/data/raw, never data/raw (tests/data/README.md).
FIXED_DATA := $(CURDIR)/tests/data

test: $(STAMP) ## the whole test suite on the fixed data set tests/data: unit, end-to-end, notebooks (nbval)
	$(BIN)/python -m pytest tests
	@if ls notebooks/*.ipynb >/dev/null 2>&1; then \
	  JRC_DATA_ROOT=$(FIXED_DATA) $(BIN)/python -m pytest --nbval notebooks --nbval-sanitize-with notebooks/sanitize.cfg -p no:cacheprovider; \
	fi

check-fixed-data: $(STAMP) ## prove the tests ignore data/raw: the suite on a copy whose data/raw was changed
	$(BIN)/python scripts/check_fixed_data.py

samples: $(STAMP) ## regenerate the synthetic sample returns in data/raw (deterministic)
	$(BIN)/python -m jrc_analysis.returns.samples data/raw

notebooks: $(STAMP) ## re-execute the committed notebooks on tests/data after a library change (then commit them)
	$(BIN)/python notebooks/build_notebooks.py

lab: $(STAMP) ## JupyterLab on notebooks/ (saving keeps the notebooks free of per-machine metadata)
	$(BIN)/jupyter lab --notebook-dir=notebooks --config=$(CURDIR)/jupyter_server_config.py

reports: $(STAMP) ## the notebooks executed on data/raw into reports/<Y>/ (.ipynb and .html without code); YEAR=2023 for another year
	$(BIN)/python -m jrc_analysis.report.notebooks $(YEAR)

bench: $(STAMP) ## performance benchmarks, about 20 min (see benchmarks/README.md; a short run: benchmarks/run.py --quick)
	$(BIN)/python benchmarks/run.py

clean: ## remove generated outputs (never data/raw)
	rm -rf data/processed/*.parquet data/processed/*.csv data/processed/*.json data/processed/*.pkl
