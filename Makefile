# Loa Số: every target does its own set-up, so a fresh clone needs only `make run` / `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
HOST   ?= 127.0.0.1
PORT   ?= 8000
# PostgreSQL server of the second test pass (skipped with a notice when it does not answer).
# The suite creates its own database there through the maintenance database `postgres`.
TEST_PG_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres

.PHONY: install run lint test test-sqlite test-postgresql chat bench screenshots clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

run: install
	$(BIN)/loaso migrate
	$(BIN)/loaso serve --host $(HOST) --port $(PORT)

# Lint (ruff, with import order) and types (mypy, strict on every application package:
# [tool.mypy] in pyproject.toml) before the suite.
lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

# The two passes run side by side (much of the suite waits on servers, subprocesses and
# sockets, so two processes use the machine's cores better than one after the other); the
# PostgreSQL pass's output is printed after the SQLite pass's, and either failing fails.
test: lint
	@log=$$(mktemp); \
	$(MAKE) --no-print-directory test-postgresql >"$$log" 2>&1 & pg=$$!; \
	$(MAKE) --no-print-directory test-sqlite; sqlite=$$?; \
	wait $$pg; postgresql=$$?; \
	echo "---- PostgreSQL pass ----"; cat "$$log"; rm -f "$$log"; \
	echo "SQLite pass: exit $$sqlite; PostgreSQL pass: exit $$postgresql"; \
	[ $$sqlite -eq 0 ] && [ $$postgresql -eq 0 ]

test-sqlite: install
	@command -v chromium >/dev/null 2>&1 || echo "Chromium not found on PATH: the browser tests (tests/browser) are SKIPPED. Install it with: apt-get install chromium"
	$(BIN)/python -m pytest

# tests/pg_server.py tells a server that does not answer (3: skipped) from one where the
# suite cannot create its database (4: a set-up to fix, so the target fails).
test-postgresql: install
	@$(BIN)/python -m tests.pg_server '$(TEST_PG_URL)'; code=$$?; \
	if [ $$code -eq 0 ]; then \
		LOASO_TEST_DATABASE=postgresql LOASO_TEST_PG_URL='$(TEST_PG_URL)' $(BIN)/python -m pytest; \
	elif [ $$code -eq 3 ]; then \
		echo "PostgreSQL pass skipped."; \
	else \
		echo "PostgreSQL pass NOT run: fix the set-up above or point TEST_PG_URL elsewhere."; exit 1; \
	fi

chat: install
	$(BIN)/loaso chat

bench: install
	$(BIN)/python -m bench.webhook_bench
	$(BIN)/python -m bench.send_bench
	$(BIN)/python -m bench.search_bench
	$(BIN)/python -m bench.export_bench
	$(BIN)/python -m bench.broadcast_bench
	$(BIN)/python -m bench.kill_bench
	$(BIN)/python -m bench.console_bench
	$(BIN)/python -m bench.public_bench
	$(BIN)/python -m bench.loa_bench
	$(BIN)/python -m bench.webchat_bench
	$(BIN)/python -m bench.campaign_report_bench

# The console's main pages and the public pages at 360 px and 1280 px, into screenshots/
# (ignored by git).
screenshots: install
	$(BIN)/python -m tests.browser.screenshots --out screenshots

clean:
	rm -rf $(VENV) var .pytest_cache screenshots
