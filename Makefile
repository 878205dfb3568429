# glassnet: `make run` trains on a bundled dataset, `make test` runs the test suite.
# Both set up a local virtual environment from PyPI first (idempotent): `make run` with the
# extras the CLI uses (plots, progress bar, BLAS threads), `make test` with everything the
# tests need too (scikit-learn, Dask, PyTorch for the parity tests, pandas, pytest).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: run test test-slow test-all bench setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[dev]"
	touch $(STAMP) $(RUN_STAMP)

$(RUN_STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e ".[plot,progress,perf]"
	touch $(RUN_STAMP)

setup: $(STAMP)

run: $(RUN_STAMP)
	$(BIN)/glassnet train titanic --out runs/titanic

# Two test workers share the machine's cores, so each keeps BLAS to one thread
# (two workers each starting two BLAS threads on two cores slow small products 10-40x).
TEST_ENV := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

test: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q -n 2 tests

test-slow: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q -m slow tests

test-all: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest -q -n 2 -m "slow or not slow" tests

bench: $(STAMP)
	$(BIN)/python bench/bench_mlp.py --json bench/results.json

clean:
	rm -rf $(VENV) runs build *.egg-info src/*.egg-info
