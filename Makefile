# Sigap — the two commands that matter: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Build .venv with the Lambda runtime's Python (3.12) where this machine has it, else the default python3.
PYTHON ?= $(shell PYENV_VERSION=3.12.1 python3.12 -c 'import sys; print(sys.executable)' 2>/dev/null \
            || command -v python3.12 || command -v python3)
VENV := .venv
SAM_VENV := .venv-sam
SAM_CLI_VERSION := 1.170.0
BIN := $(VENV)/bin
export SAM_CLI_TELEMETRY := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help venv demo up test lint typecheck template-check unit integration infra e2e bench train clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml shared/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# aws-sam-cli pins its own boto3, so it lives in a venv of its own.
$(SAM_VENV)/.installed:
	$(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/pip install --quiet --upgrade pip
	$(SAM_VENV)/bin/pip install --quiet 'aws-sam-cli==$(SAM_CLI_VERSION)'
	touch $@

venv: $(VENV)/.installed ## create .venv and install Sigap with its dev tools

demo: venv ## start the local stack, replay the bundled crisis through the API, print a summary
	$(BIN)/sigap demo

up: venv ## run the local stack until Ctrl-C (API on http://127.0.0.1:8000)
	$(BIN)/sigap up

lint: venv ## ruff lint and format check
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv ## mypy --strict on shared/ and functions/
	$(BIN)/mypy shared/sigap functions

template-check: venv $(SAM_VENV)/.installed ## cfn-lint and sam validate
	$(BIN)/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --region us-east-1 --template template.yaml

test: lint typecheck template-check ## every check: lint, types, template, then all tests
	$(BIN)/pytest -n 2 --dist loadgroup

unit: venv
	$(BIN)/pytest tests/unit
integration: venv
	$(BIN)/pytest tests/integration
infra: venv
	$(BIN)/pytest tests/infra
e2e: venv
	$(BIN)/pytest tests/e2e

bench: venv ## import times, local end-to-end throughput and scoring quality/speed tables
	$(BIN)/python bench/run.py

train: venv ## retrain the sentiment model from data/ (reproduces the shipped artifact)
	$(BIN)/python -m sigap.scoring.train

clean: ## remove virtualenvs, caches and local stack state
	rm -rf $(VENV) $(SAM_VENV) .sigap .aws-sam .pytest_cache .mypy_cache .ruff_cache
