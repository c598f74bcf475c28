# THB Monitor: set-up, tests, demo and benchmarks.
# `make demo` and `make test` work on a fresh clone: they run `setup` first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint typecheck pytest demo bench clean system-deps

setup: $(STAMP) system-deps

# The Python packages with uv (PyPI's `uv`, installed into the venv): it resolves and
# downloads in parallel, about 30 s for the test extra with pyspark on a fresh machine where
# pip took over a minute (measured 2026-12-02). pip does the same install when uv cannot.
# `--compile-bytecode` as pip does: without it every first import in the tests compiled
# the packages' modules (pytest 8 min 3 s on a clean clone against 7 min 21 s after pip).
$(STAMP): pyproject.toml
	$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet uv
	$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -e '.[test]' \
	  || $(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check src tests bench

typecheck: setup
	$(BIN)/mypy

# Two workers (CI has two cores): one test file per worker at a time (`loadfile`), so a
# module's fixtures are built once; the session stores are built once per run and shared
# (tests/conftest.py, `build_once`). `make pytest TEST_WORKERS=0` runs in one process.
TEST_WORKERS ?= 2
pytest: setup
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile

test: lint typecheck pytest

demo: setup
	$(BIN)/thb demo --out demo-out

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) demo-out .pytest_cache .mypy_cache .ruff_cache

# Debian packages, installed only when absent (so running it again does nothing), in one
# apt step; needs root (CI runs as root), otherwise it says what is missing and what skips:
# - the PDF report's libraries (WeasyPrint: Pango, HarfBuzz, fontconfig, a font) and
#   poppler-utils (pdftoppm, for the PDF tests and docs/screenshots);
# - chromium, driven by the browser tests (tests/web/test_browser.py); never
#   `playwright install`;
# - default-jre-headless (OpenJDK 17 on bookworm), the Java runtime of PySpark for the Spark
#   engine (tests/spark/, `thb link --engine spark`); without it the Spark tests skip.
PDF_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libfontconfig.so.1
system-deps:
	@missing=""; \
	for lib in $(PDF_LIBS); do ldconfig -p | grep -q "$$lib" || missing="pdf"; done; \
	command -v pdftoppm >/dev/null || missing="pdf"; \
	[ -d /usr/share/fonts/truetype/dejavu ] || missing="pdf"; \
	pkgs=""; \
	[ -z "$$missing" ] || pkgs="libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fonts-dejavu-core poppler-utils"; \
	command -v chromium >/dev/null 2>&1 || pkgs="$$pkgs chromium"; \
	command -v java >/dev/null 2>&1 || pkgs="$$pkgs default-jre-headless"; \
	if [ -z "$$pkgs" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "missing Debian packages:$$pkgs (install them as root; without chromium the browser tests skip, without java the Spark tests)"; exit 0; fi; \
	echo "installing Debian packages:$$pkgs"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$pkgs
