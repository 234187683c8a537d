# Two commands: `make demo` and `make test`. Both set everything up first (idempotently).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup system-deps bench-deps demo test check bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

system-deps:
	bash scripts/system-deps.sh

demo: setup system-deps
	$(BIN)/chipla demo

test: setup system-deps check
	bash scripts/run-tests.sh

check: setup
	$(BIN)/ruff check .
	$(BIN)/mypy broker adapters chipla vocab mappings conformance api_specs bench procurement simulators tests

bench-deps:
	bash scripts/bench-deps.sh

bench: setup bench-deps
	$(BIN)/chipla bench soap

clean:
	rm -rf $(VENV) var reports .pytest_cache
