# appwarden: `make demo` and `make test` each work alone on a fresh machine.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Debian packages the tests and reports use: a CJK font for PDF glyphs, pdftoppm to render PDFs,
# Chromium + driver for the end-to-end web tests and HTML screenshots, dexdump to check the fixture APKs' expected call sites.
DEB_PKGS := fonts-noto-cjk fonts-wqy-microhei poppler-utils chromium chromium-driver dexdump
DEB_TOOLS := apktool zipalign apksigner default-jdk-headless dexdump

.PHONY: setup demo test test-fast test-corpus lint fixtures bench docs clean deb deb-tools

setup: $(STAMP) deb
	@# Byte-compile the engine: with PYTHONDONTWRITEBYTECODE=1 (set on some machines, CI's included) Python never
	@# writes .pyc itself, and every cold `appwarden scan` would compile its modules again (~0.15 CPU s each run).
	@# Only changed modules are recompiled.
	@$(BIN)/python -m compileall -q src/appwarden >/dev/null

$(STAMP): pyproject.toml setup.py $(shell find src/appwarden -name '_*.c' -o -name '_*.h')
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e '.[platform,ml,dev]'
	touch $(STAMP)

# Install the Debian packages only when one is missing; never fatal (tests that need them skip with a reason).
deb:
	@missing=""; for p in $(DEB_PKGS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo -n"; \
	  ( $$SUDO apt-get install -y -q $$missing >/dev/null 2>&1 || \
	    ( $$SUDO apt-get update -q >/dev/null 2>&1 && $$SUDO apt-get install -y -q $$missing >/dev/null 2>&1 ) ) || \
	  echo "warning: could not install$$missing; tests needing them will skip"; \
	fi

# Tools to rebuild the smali fixtures and run the benchmarks (not needed by `make test`).
deb-tools:
	@missing=""; for p in $(DEB_TOOLS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then apt-get install -y -q $$missing; fi

demo: setup
	rm -rf demo-output
	$(BIN)/appwarden batch samples/apks -o demo-output --jobs 2 --html
	@echo "demo report: demo-output/index.html (per-app HTML and JSON in demo-output/apps/)"

# Fast unit tests first, then corpus-wide and end-to-end checks (these skip with a reason without ../shared).
test: setup
	$(BIN)/python -m pytest -q -m "not slow and not corpus and not e2e" -p no:cacheprovider
	$(BIN)/python -m pytest -q -m "slow or corpus or e2e" -p no:cacheprovider
	$(BIN)/ruff check src tests scripts bench setup.py
	$(BIN)/ruff format --check src tests scripts bench setup.py

test-fast: setup
	$(BIN)/python -m pytest -q -x -m "not slow and not corpus and not e2e"

lint: setup
	$(BIN)/ruff check src tests scripts bench setup.py
	$(BIN)/ruff format --check src tests scripts bench setup.py

fixtures: deb-tools
	tests/fixtures/apks/build.sh

bench: setup
	$(BIN)/python -m pip install -q -e '.[bench]'
	$(BIN)/python bench/static_bench.py

docs: setup
	$(BIN)/appwarden rules docs -o docs/rules.md

clean:
	rm -rf $(VENV) build demo-output src/appwarden/dex/*.so
