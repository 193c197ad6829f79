# The two commands of the README: `make run` and `make test`.
.PHONY: run test bootstrap unit lint-template build bench clean

VENV := .venv
BIN := $(VENV)/bin

bootstrap:
	@bash scripts/bootstrap.sh

run: bootstrap
	$(BIN)/passport-ocr local-stack

test: bootstrap
	$(BIN)/python -m pytest -q tests
	$(MAKE) --no-print-directory lint-template build

lint-template:
	$(BIN)/sam validate --lint

build:
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/sam build --cached

bench: bootstrap
	$(BIN)/python bench/run.py

clean:
	rm -rf .aws-sam .local
