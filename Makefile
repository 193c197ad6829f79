# The two commands of the README: `make run` and `make test`.
.PHONY: run test bootstrap unit lint-template build bench mrz-model mark-model clean

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

# Remakes the OCR-B MRZ network (layers/core/passport_ocr/engines/onnx/README.md). PyTorch is a
# training-time tool in its own virtualenv, never a dependency of the service.
TRAIN_VENV := .venv-train
MRZ_DATA := .local/mrz-model
mrz-model: bootstrap
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q torch==2.13.0 onnx numpy pillow
	mkdir -p $(MRZ_DATA)
	$(BIN)/python scripts/mrz_model/make_data.py --pages 4000 --out $(MRZ_DATA)/train.npz
	PYTHONPATH=layers/core $(TRAIN_VENV)/bin/python scripts/mrz_model/train.py --data $(MRZ_DATA)/train.npz \
		--out layers/core/passport_ocr/engines/onnx/ocrb_mrz.onnx

# Remakes the diacritic-mark network (scripts/mark_model/README.md): fonts and PyTorch are
# training-time tools only.
MARK_FONTS := fonts-liberation2 fonts-freefont-ttf fonts-noto-core fonts-urw-base35 fonts-crosextra-carlito \
	fonts-crosextra-caladea fonts-open-sans fonts-lato fonts-roboto
mark-model: bootstrap
	apt-get install -y -q $(MARK_FONTS)
	test -x $(TRAIN_VENV)/bin/python || python3 -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/pip install -q torch==2.13.0 onnx numpy pillow
	mkdir -p /tmp/marks
	$(TRAIN_VENV)/bin/python scripts/mark_model/make_data.py train --n 266000 --out /tmp/marks/train.npz
	$(TRAIN_VENV)/bin/python scripts/mark_model/make_data.py val --n 8300 --out /tmp/marks/val.npz
	$(TRAIN_VENV)/bin/python scripts/mark_model/make_data.py eval --n 2000 --out /tmp/marks/eval
	$(TRAIN_VENV)/bin/python scripts/mark_model/train.py --epochs 8
	$(BIN)/python scripts/mark_model/eval.py --data /tmp/marks/eval

clean:
	rm -rf .aws-sam .local
