# THB Monitor: set-up, tests, demo and benchmarks.
# `make demo` and `make test` work on a fresh clone: they run `setup` first when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup test lint typecheck pytest demo bench clean chromium java

setup: $(STAMP) chromium java

$(STAMP): pyproject.toml
	$(MAKE) --no-print-directory system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The browser tests (tests/web/test_browser.py) drive Debian's chromium; installed when
# missing and running as root (CI is root). Idempotent; never `playwright install`.
chromium:
	@command -v chromium >/dev/null 2>&1 || if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	else echo "chromium missing: the browser tests will be skipped (install it as root)"; fi

# The Spark engine (tests/spark/, `thb link --engine spark`) runs PySpark on a Java runtime:
# Debian's default-jre-headless (OpenJDK 17 on bookworm), installed when missing and running
# as root. Idempotent; without it the Spark tests are skipped with the reason.
java:
	@command -v java >/dev/null 2>&1 || if [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless; \
	else echo "java missing: the Spark tests will be skipped (install default-jre-headless as root)"; fi

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

# Debian libraries of the PDF report (WeasyPrint: Pango, HarfBuzz, fontconfig, a font) and
# poppler-utils (pdftoppm, for the PDF tests and docs/screenshots): installed only when absent,
# so running it again does nothing. Needs root (CI runs as root).
PDF_LIBS := libpango-1.0.so.0 libpangoft2-1.0.so.0 libharfbuzz.so.0 libfontconfig.so.1
.PHONY: system-deps
system-deps:
	@missing=""; \
	for lib in $(PDF_LIBS); do ldconfig -p | grep -q "$$lib" || missing="$$missing $$lib"; done; \
	if [ -n "$$missing" ] || ! command -v pdftoppm >/dev/null || [ ! -d /usr/share/fonts/truetype/dejavu ]; then \
	  echo "installing Debian packages for the PDF report (missing:$$missing)"; \
	  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
	    libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libfontconfig1 fonts-dejavu-core \
	    poppler-utils; \
	fi
