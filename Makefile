# One entry point for people and CI. `make check` = lint + types + tests + eval gate.
VENV   ?= .venv
PY     := $(VENV)/bin/python
export ANONYMIZED_TELEMETRY := False
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1

.PHONY: setup browser run test faults lint types evals check bench screenshots clean

$(VENV)/.installed: pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed  ## create .venv and install the advisor with its test extras

browser:  ## Debian's Chromium for the browser tests (playwright cannot download browsers here)
	@command -v chromium >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium fonts-noto-color-emoji; }

run: setup  ## build the index on first use and serve the chat (/) and the API (/v1)
	$(VENV)/bin/advisor serve --host 127.0.0.1 --port 7860

lint: setup
	$(VENV)/bin/ruff check advisor tests benchmarks

types: setup
	$(VENV)/bin/mypy

test: setup browser  ## the eval gate (offline composer), then the whole test suite
	ADVISOR_HOME=$(CURDIR)/.advisor-home $(VENV)/bin/advisor eval --no-progress \
	  --json reports/eval.json --html reports/eval.html --junit reports/eval.xml
	$(PY) -m pytest -q

faults: setup  ## the fault suite alone (also part of `make test`): hung Chroma, audit, packs, token, schemathesis
	$(PY) -m pytest -q tests/faults tests/web/test_auth.py tests/test_audit.py

screenshots: setup browser  ## refresh the README's screenshots in docs/screenshots (tests write to reports/)
	ADVISOR_SCREENSHOTS=$(CURDIR)/docs/screenshots $(PY) -m pytest -q tests/web/test_browser.py

evals: setup  ## the regression eval suite with reports in reports/
	ADVISOR_HOME=$(CURDIR)/.advisor-home $(VENV)/bin/advisor eval --json reports/eval.json --html reports/eval.html --junit reports/eval.xml

check: lint types test  ## everything CI runs

bench: setup  ## every benchmark table in the README (about 10 minutes on 2 cores)
	$(PY) benchmarks/engine.py
	$(PY) benchmarks/retrieval.py
	$(PY) benchmarks/contractnli.py
	$(PY) benchmarks/ask.py
	$(PY) benchmarks/serve.py
	$(PY) benchmarks/faults.py

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache .ruff_cache
