# Gridwatch: the two commands a newcomer needs are `make run` and `make test`.
# Both do every set-up step themselves on a fresh machine (virtual environment, packages, default model).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SITE ?= examples/site.yaml
STAMP := $(VENV)/.gridwatch-installed

.PHONY: setup system-deps models run test lint typecheck pytest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,modelbuild]'
	$(BIN)/opt_in_out --opt_out >/dev/null 2>&1 || true  # OpenVINO: no telemetry
	touch $@

setup: $(STAMP) system-deps

## Debian packages (ffmpeg, npm) when missing.
system-deps:
	bash scripts/system-deps.sh

## Build the default offline model (and the test images) into the cache outside the repository; skipped when cached.
models: setup
	$(BIN)/gridwatch models build
	$(BIN)/gridwatch models fetch-test-assets

## The main job on the embedded default: embedded broker, SQLite, every component, on examples/site.yaml.
run: models
	$(BIN)/gridwatch run --site $(SITE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: setup
	$(BIN)/mypy

pytest: models
	$(BIN)/pytest

## Everything CI checks: lint, strict types, the whole test suite (integration tests start their own services).
test: lint typecheck pytest

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache var
