# Logbook: `make lab` starts JupyterLab with Logbook, `make test` runs every test.
# Both install into .venv first (torch pinned to the CPU build 2.13.0) and build the frontend.

PYTHON3 ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BASE_STAMP := $(VENV)/.base-installed
STAMP := $(VENV)/.installed
LABEXT := logbook/labextension/package.json
TL3_VENV := .venv-tl3
TL3_STAMP := $(TL3_VENV)/.installed
TORCH := torch==2.13.0
# `make lab` opens a copy of the demo notebook here, so runs and saves stay out of logbook/demo/.
DEMO_DIR ?= logbook-lab
PORT ?= 8888
FRONTEND_SOURCES := $(shell find extension -name '*.ts' -not -path '*/tests/*') $(wildcard style/*) $(wildcard schema/*) package.json tsconfig.json

export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install browser lab test test-python test-frontend test-tl3 faults bench docs clean

# Python dependencies first: the frontend build needs JupyterLab's builder.
$(BASE_STAMP): pyproject.toml
	$(PYTHON3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet "$(TORCH)" "transformer-lens==4.3.0" "jupyterlab>=4.1,<5" hatchling hatch-jupyter-builder
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(LABEXT): $(BASE_STAMP) node_modules/.package-lock.json $(FRONTEND_SOURCES)
	npm run build:prod

$(STAMP): $(BASE_STAMP) $(LABEXT)
	$(PY) -m pip install --quiet "$(TORCH)" -e ".[lab,demo,test]"
	$(VENV)/bin/jupyter labextension develop --overwrite . >/dev/null
	touch $@

install: $(STAMP)

lab: install
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.port=$(PORT) \
		--ServerApp.root_dir=$(CURDIR) --allow-root "$$($(VENV)/bin/python -m logbook.demo.workspace $(DEMO_DIR))"

# Debian's Chromium for the browser tests, and OpenSSH's ssh-keygen for the seal tests
# (needs root or sudo the first time).
browser:
	@command -v chromium >/dev/null 2>&1 && command -v ssh-keygen >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium openssh-client >/dev/null; }

test: test-frontend test-python test-tl3

test-frontend: node_modules/.package-lock.json
	npm test

test-python: install browser
	$(VENV)/bin/ruff check logbook kernel_hooks tests bench
	$(PY) -m mypy
	$(MAKE) docs
	$(PY) -m pytest

# The documentation (docs/) as HTML in build/docs; a warning fails the build.
docs: install
	$(PY) -m sphinx -W --keep-going -b html docs build/docs

# The TransformerLens tests again, on transformer-lens 3.9 (HookedTransformer).
$(TL3_STAMP): pyproject.toml $(LABEXT)
	$(PYTHON3) -m venv $(TL3_VENV)
	$(TL3_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(TL3_VENV)/bin/python -m pip install --quiet "$(TORCH)" "transformer-lens==3.9.0" -e ".[test]"
	touch $@

test-tl3: $(TL3_STAMP)
	$(TL3_VENV)/bin/python -m pytest tests/kernel/test_transformer_lens.py

# Fault tests alone (they also run in `make test`).
faults: install browser
	$(PY) -m pytest tests/faults

# Every benchmark, with MLflow and wandb installed as the peers they are compared with.
bench: install browser
	$(PY) -m pip install --quiet -e ".[bench]"
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) $(TL3_VENV) build dist lib logbook/labextension node_modules .pytest_cache
