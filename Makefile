# Shortcuts for the two set-up commands in dev.py (which need nothing but Python 3.11+).
.PHONY: demo test test-quick lint format

demo:
	python3 dev.py demo

test:
	python3 dev.py test

test-quick:
	python3 dev.py test -m "not e2e and not slow"

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

format:
	.venv/bin/ruff format . && .venv/bin/ruff check --fix .
