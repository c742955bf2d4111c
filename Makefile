# Two commands set everything up: `make run` (the interview app) and `make test` (the checks).
# Both create and reuse a local virtual environment in .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
UI_PORT ?= 8501

.PHONY: run test lint typecheck pytest eval-quick eval-full index bench bench-tokens bench-load cassettes clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Byte-compile the package first: the app imports the engine in a background thread while Streamlit
# compiles the page, and CPython 3.11 can fail ("AST constructor recursion depth mismatch") when two
# threads build syntax trees at once; with bytecode in place, imports build none.
COMPILE = $(BIN)/python -m compileall -q interviewer ui

run: $(STAMP)
	$(COMPILE)
	$(BIN)/interviewer index
	$(BIN)/streamlit run ui/app.py --server.address=localhost --server.port=$(UI_PORT) \
		--server.headless=true --browser.gatherUsageStats=false

test: lint typecheck pytest eval-quick

lint: $(STAMP)
	$(BIN)/ruff check interviewer tests evals ui
	$(BIN)/ruff format --check interviewer ui

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(COMPILE)
	$(BIN)/python -m pytest

index: $(STAMP)
	$(BIN)/interviewer index --rebuild

bench: $(STAMP)
	$(BIN)/python evals/bench_offline.py
	$(BIN)/python evals/bench_first_page.py

eval-quick: $(STAMP)
	$(BIN)/interviewer index
	$(BIN)/interviewer eval --suite quick --out .data/eval-quick

eval-full: $(STAMP)
	$(BIN)/interviewer index
	$(BIN)/interviewer eval --suite full --out .data/eval-full

bench-tokens: $(STAMP)
	$(BIN)/python evals/bench_tokens.py

bench-load: $(STAMP)
	$(BIN)/python evals/bench_load.py

# Re-record every LLM cassette against the project's stub server (no key, no network), then replay them.
cassettes: $(STAMP)
	rm -f tests/llm/cassettes/test_wire/*.yaml tests/evals/cassettes/test_llm_eval/*.yaml
	INTERVIEWER_RECORD_STUB=1 $(BIN)/python -m pytest -q -p no:cacheprovider tests/llm/test_wire.py \
		tests/evals/test_llm_eval.py --record-mode=all
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/llm/test_wire.py tests/evals/test_llm_eval.py

clean:
	rm -rf $(VENV) .data .mypy_cache .ruff_cache .pytest_cache
