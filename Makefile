# Passerelle: `make run` and `make test` bootstrap .venv and do the rest.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8501
# Listen on this machine only; ADDRESS=0.0.0.0 make run opens the app to the network (a warning says so).
ADDRESS ?= 127.0.0.1
# Host names a browser may use to reach the app: any other Host header is refused (DNS rebinding).
HOSTS  ?= localhost 127.0.0.1

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file (or the package's metadata) changed. The project itself is
# installed in editable mode, without its dependencies: requirements*.txt already brought them.
$(VENV)/.runtime: requirements.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(VENV)/.runtime $@

run: $(VENV)/.runtime
	@case "$(ADDRESS)" in 127.0.0.1|localhost|::1) ;; *) \
	  echo "warning: listening on $(ADDRESS): anyone who can reach this machine on port $(PORT) can use the app" \
	       "and its store (no sign-in). Set HOSTS to the names people type, e.g. HOSTS=passerelle.example.org." >&2;; esac
	$(BIN)/python -m streamlit run app.py --server.port $(PORT) --server.address $(ADDRESS) --server.headless true \
	  $(foreach h,$(HOSTS),--server.allowedHosts $(h))

test: $(VENV)/.dev
	$(BIN)/python -m pytest -n 2 -q

lint: $(VENV)/.dev
	$(BIN)/python -m ruff check .
	$(BIN)/python -m mypy

bench: $(VENV)/.dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache build
