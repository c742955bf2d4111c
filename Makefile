# Two commands set everything up: `make run` (the interview) and `make test` (the checks).
# Both create and reuse a local virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest index bench bench-tokens clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/interviewer practice

test: lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check interviewer tests evals
	$(BIN)/ruff format --check interviewer

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/python -m pytest

index: $(STAMP)
	$(BIN)/interviewer index --rebuild

bench: $(STAMP)
	$(BIN)/python evals/bench_offline.py

bench-tokens: $(STAMP)
	$(BIN)/python evals/bench_tokens.py

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
