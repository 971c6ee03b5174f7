# poolplan: `make run` serves the demo, `make test` runs every test suite.
# The virtual environment lives in .venv; re-running `make install` is instant when
# requirements.lock and pyproject.toml have not changed (stamp file).

VENV    := .venv
PY      := $(VENV)/bin/python
STAMP   := $(VENV)/.poolplan-installed
PORT    ?= 8000
PIP     := $(PY) -m pip --disable-pip-version-check --quiet

.PHONY: install run test lint messages

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	@if ! $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
		python="$$(scripts/find_python.sh)" || exit 1; \
		echo "Creating $(VENV) with $$python"; \
		rm -rf $(VENV) && "$$python" -m venv $(VENV) || exit 1; \
	fi
	@echo "Installing pinned dependencies from requirements.lock into $(VENV) ..."
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

run: install
	@scripts/run_server.sh

test: install
	$(PY) scripts/run_tests.py $(ARGS)

lint: install
	$(PY) -m ruff check poolplan tests scripts

# Extract and compile translations (needs gettext's msgfmt/xgettext).
messages: install
	mkdir -p poolplan/locale
	$(PY) manage.py makemessages --locale de --ignore .venv --ignore var --ignore tests --ignore bench
	$(PY) manage.py compilemessages --ignore .venv --ignore var
