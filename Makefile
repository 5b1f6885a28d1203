# The two commands of the README's Quick start are `make app` and `make test`.
# Both create .venv with Python 3.11 and install the locked requirements first.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DEMO_PEOPLE := 3000
DEMO_SEED := 2026

.PHONY: app test install demo-release benchmark

$(BIN)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "cpt-public needs Python 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

install: $(BIN)/.installed

app: install  ## install, then run the app on the shipped release at http://localhost:8501 (this machine only; demo staff account on)
	CPT_DEMO_STAFF=1 $(BIN)/streamlit run serve.py --server.address 127.0.0.1

test: install  ## install, then run the whole test suite
	$(BIN)/python -m pytest

demo-release: install  ## rebuild published_data/ from synthetic records (deterministic)
	$(BIN)/python -m cpt_public synth --out build/demo-input --people $(DEMO_PEOPLE) --seed $(DEMO_SEED)
	$(BIN)/python -m cpt_public publish --input build/demo-input --out published_data --seed $(DEMO_SEED)

benchmark: install  ## performance figures, as ratios against baselines run side by side (about 45 minutes)
	$(BIN)/python benchmarks/pages.py
	$(BIN)/python benchmarks/phone.py
	$(BIN)/python benchmarks/visitors.py
	$(BIN)/python benchmarks/audit_scale.py
	$(BIN)/python benchmarks/feedback.py
	$(BIN)/python benchmarks/publish.py
	$(BIN)/python benchmarks/dp_accuracy.py
	$(BIN)/python benchmarks/disclosure.py
	$(BIN)/python benchmarks/disclosure.py --publish-without-relations
