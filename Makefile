# Gwanje: `make run` starts the service on the offline demo camera; `make test` runs every check.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml constraints.txt | cksum | cut -d' ' -f1)

.PHONY: run test lint typecheck unit install system-deps bench clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# ffmpeg (command line) serves the RTSP test stream; PyAV brings its own FFmpeg libraries.
system-deps:
	@command -v ffmpeg >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ffmpeg >/dev/null; \
	  else echo "ffmpeg not found: RTSP tests will skip (install it with: sudo apt-get install ffmpeg)"; fi; }

run: install
	$(BIN)/gwanje serve

lint: install
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install
	$(BIN)/mypy

unit: install
	$(BIN)/pytest -q

test: install system-deps lint typecheck unit

bench: install
	$(BIN)/gwanje bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
