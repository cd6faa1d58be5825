# The two commands of the README. Both set everything up first (scripts/setup.sh).
AS_OF ?=
PYTEST_ARGS ?=

.PHONY: setup demo test
setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/python -m monitor demo $(if $(AS_OF),--as-of $(AS_OF))

test: setup
	.venv/bin/python -m pytest $(PYTEST_ARGS)
