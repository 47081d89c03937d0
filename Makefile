# The two commands of the README: `make pdf` (sets up on first run, then
# builds the default issue) and `make test`.
PY := .venv/bin/python

.PHONY: pdf test setup check proof serve

pdf: setup
	$(PY) build.py pdf

test: setup
	$(PY) -m pytest

check: setup
	$(PY) build.py check

setup:
	@bash tools/setup.sh
