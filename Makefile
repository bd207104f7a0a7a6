# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench system-deps browser-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Install a Debian package when its command is missing: $(call debian,COMMAND,PACKAGES,WHY).
# Uses sudo only when not root; a failure is reported, never fatal (the feature degrades).
define debian
@command -v $(1) >/dev/null 2>&1 || { \
  if command -v apt-get >/dev/null 2>&1; then \
    SUDO=$$( [ "$$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && echo sudo ); \
    echo "Installing Debian's $(2) ($(3))…"; \
    $$SUDO apt-get install -y -qq $(2) >/dev/null 2>&1 \
      || { $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(2) >/dev/null; } \
      || echo "Could not install $(2): $(3) will be unavailable."; \
  else echo "$(1) not found and no apt-get: $(3) will be unavailable."; fi; }
endef

# Graphviz's `dot` draws the journey diagrams (without it the UI offers DOT source and data).
system-deps:
	$(call debian,dot,graphviz fonts-dejavu-core,journey diagrams)
	$(call debian,pdftoppm,poppler-utils,report PDF page checks)

# Browser tests drive Debian's Chromium through Playwright (never a downloaded browser);
# the accessibility tests inject axe-core, installed from npm as package-lock.json pins it.
browser-deps: node_modules/.package-lock.json
	$(call debian,chromium,chromium fonts-dejavu-core,browser tests)

node_modules/.package-lock.json: package.json package-lock.json
	$(call debian,npm,nodejs npm,accessibility tests)
	npm ci --no-audit --no-fund

run: $(STAMP) system-deps
	$(BIN)/python serve.py

test: $(STAMP) system-deps browser-deps
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

bench: $(STAMP) system-deps
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) instance test-artifacts .mypy_cache .ruff_cache
