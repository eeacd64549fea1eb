# Sigap — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Build .venv with the Lambda runtime's Python (3.12) where this machine has it, else the default python3.
PYTHON ?= $(shell PYENV_VERSION=3.12.1 python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null \
            || command -v python3.12 || command -v python3)
VENV := .venv
SAM_VENV := .venv-sam
CHECKOV_VENV := .venv-checkov
CHECKOV_VERSION := 3.3.30
TOOLS := .venv-tools
UV_VERSION := 0.13.9
SAM_CLI_VERSION := 1.170.0
UV := $(TOOLS)/bin/uv
BIN := $(VENV)/bin
export SAM_CLI_TELEMETRY := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)
# The layer's requirements, exported from uv.lock: the runtime dependencies less boto3 and what only it needs
# (the Lambda runtime has them, and a second botocore in the layer would shadow the runtime's). urllib3 ships in
# the layer: the feed reader needs read1 (2.3+), whatever the runtime's copy is; botocore accepts any 2.x.
# python-dateutil and six ship pinned: matplotlib needs dateutil, and left unpinned `sam build` fetched the newest
# (4.0.0), which then shadowed the runtime's 2.9 under botocore; the lock's 2.9.0.post0 is what botocore expects.
# The post-crisis report's charts and PDF (matplotlib, fpdf2 and what only they need) are a layer of their own,
# the statements function's: pruned from the shared layer, and the report layer is what the pruning took out.
# numpy is a layer of its own too (half the shared layer's size), carried by the functions that score and by the
# one that draws the report: no other function imports it.
RUNTIME_EXPORT := $(UV) export --frozen --no-dev --no-emit-project --no-hashes --no-header --no-annotate \
  $(foreach p,boto3 botocore s3transfer,--no-emit-package $(p))
LAYER_EXPORT := $(RUNTIME_EXPORT) --prune matplotlib --prune fpdf2 --no-emit-package numpy
NUMPY_EXPORT := { $(RUNTIME_EXPORT) | grep '^numpy=='; }
REPORT_EXPORT := { $(RUNTIME_EXPORT) | grep -vxF -f shared/requirements.txt | grep -v '^numpy=='; }

.PHONY: help venv browser demo up test lint typecheck template-check contracts locked unit integration infra e2e \
        bench fuzz train lock openapi clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

# uv itself, pinned, in a venv of its own: the only thing installed from outside the lock files.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet 'uv==$(UV_VERSION)'

# Every package at the version uv.lock pins, on every machine (--frozen: the lock is never re-resolved).
$(VENV)/.installed: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --extra dev --python $(PYTHON) --quiet
	touch $@

# aws-sam-cli pins its own boto3, so it lives in a venv of its own, locked in infra/sam-requirements.txt.
$(SAM_VENV)/.installed: $(UV) infra/sam-requirements.txt
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(SAM_VENV)
	$(UV) pip sync --quiet --python $(SAM_VENV)/bin/python --require-hashes infra/sam-requirements.txt
	touch $@

# checkov pins its own dependencies too: a venv of its own, locked with hashes in infra/checkov-requirements.txt.
$(CHECKOV_VENV)/.installed: $(UV) infra/checkov-requirements.txt
	$(UV) venv --quiet --allow-existing --python $(PYTHON) $(CHECKOV_VENV)
	$(UV) pip sync --quiet --python $(CHECKOV_VENV)/bin/python --require-hashes infra/checkov-requirements.txt
	touch $@

venv: $(VENV)/.installed ## create .venv and install Sigap with its dev tools

demo: venv ## start an agency local stack, replay a crisis and a calm day for two brands through the API, print summaries
	$(BIN)/sigap demo

up: venv ## run the local stack until Ctrl-C (API on http://127.0.0.1:8000)
	$(BIN)/sigap up

lint: venv ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv ## mypy --strict on shared/, tools/, functions/ and bench/ (make bench is not run by make test)
	$(BIN)/mypy shared/sigap tools/sigap_tools functions bench

template-check: venv $(SAM_VENV)/.installed $(CHECKOV_VENV)/.installed ## cfn-lint, sam validate and checkov
	$(BIN)/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --region us-east-1 --template template.yaml
	$(CHECKOV_VENV)/bin/checkov --file template.yaml --config-file .checkov.yaml --skip-download

contracts: venv ## features depend downwards, domain code never imports adapters (import-linter, pyproject.toml)
	$(BIN)/lint-imports --no-cache pyproject.toml

locked: venv ## the layers' requirements are exactly what uv.lock pins
	$(LAYER_EXPORT) | diff -u shared/requirements.txt - \
	  || { echo "shared/requirements.txt is not what uv.lock pins: run 'make lock'"; exit 1; }
	$(NUMPY_EXPORT) | diff -u shared/numpy-requirements.txt - \
	  || { echo "shared/numpy-requirements.txt is not what uv.lock pins: run 'make lock'"; exit 1; }
	$(REPORT_EXPORT) | diff -u shared/report-requirements.txt - \
	  || { echo "shared/report-requirements.txt is not what uv.lock pins: run 'make lock'"; exit 1; }

# The e2e tests open the status page and the console in a real headless browser (Playwright, from the lock, drives
# it): Chromium from Debian's packages, where missing. No browser is ever downloaded.
browser: ## install Chromium from Debian's packages if this machine has none (the status page's and console's tests)
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { \
	  echo "Installing Chromium from Debian's packages (for the status page's browser test)..."; \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

test: lint typecheck template-check contracts locked browser ## every check: lint, types, template, contracts, locks, then all tests
	$(BIN)/pytest -n 2 --dist loadgroup

unit: venv
	$(BIN)/pytest tests/unit
integration: venv
	$(BIN)/pytest tests/integration
infra: venv
	$(BIN)/pytest tests/infra
e2e: venv browser
	$(BIN)/pytest tests/e2e

bench: venv ## import ratios, layer size, scoring, local throughput, a long fuzz run, detection vs published rules
	$(BIN)/python bench/run.py

train: venv ## retrain the sentiment model from data/ (reproduces the shipped model's predictions)
	$(BIN)/python -m sigap_tools.training.train

openapi: venv ## regenerate shared/sigap/openapi.json from the routes (make test fails when it is stale)
	$(BIN)/python -m sigap_tools.openapi

lock: $(UV) ## re-resolve uv.lock and export the layer's and the SAM CLI's pinned requirements
	$(UV) lock
	$(LAYER_EXPORT) > shared/requirements.txt
	$(NUMPY_EXPORT) > shared/numpy-requirements.txt
	$(REPORT_EXPORT) > shared/report-requirements.txt
	echo 'aws-sam-cli==$(SAM_CLI_VERSION)' | $(UV) pip compile --quiet --generate-hashes --python-version 3.12 \
	  --universal --no-header - -o infra/sam-requirements.txt
	echo 'checkov==$(CHECKOV_VERSION)' | $(UV) pip compile --quiet --generate-hashes --python-version 3.12 \
	  --universal --no-header - -o infra/checkov-requirements.txt

clean: ## remove virtualenvs, caches and local stack state
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) $(TOOLS) .sigap .aws-sam .pytest_cache .mypy_cache .ruff_cache .hypothesis
