# Deepiri: every routine action is a target here. `make up` runs the system, `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
EMULATOR_VENV := .local/emulator
RUNTIME_VENV := .local/runtime
MUTMUT_HOME := .local/mutmut
STAGE ?= dev
export DEEPIRI_PORT ?= 4566
export SAM_CLI_TELEMETRY := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1
# Service packages (functions/<service>/deepiri_<service>), for tools that import every service's routes
# (OpenAPI generation) and for mypy; a new service folder joins them by existing.
SERVICE_PACKAGES := $(sort $(wildcard functions/*/deepiri_*))
SERVICE_PATH := $(subst $(eval) ,:,layers/common/python $(patsubst %/,%,$(dir $(SERVICE_PACKAGES))) .)

# A timed, named step: $(call step,name,command)
define step
	@printf '==> %s\n' "$(1)"; started=$$(date +%s); $(2) && printf '<== %s: %ss\n' "$(1)" "$$(( $$(date +%s) - started ))"
endef

.PHONY: help python-check up down demo deps chromium web test unit integration commands e2e mutate lint openapi routes contracts invoke streak-job admin rotate-keys logs watch bench load dlq redrive deploy clean challenge-job train-ai analytics-rebuild analytics-backtest integrations-sync

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

python-check: ## check that $(PYTHON) (Python 3.11 with venv) is installed
	@command -v $(PYTHON) >/dev/null 2>&1 || { printf 'error: %s was not found on PATH; this project needs Python 3.11\n  next: install it (Debian/Ubuntu: apt-get install python3.11 python3.11-venv) or run make with PYTHON=/path/to/python3.11\n' "$(PYTHON)" >&2; exit 1; }
	@$(PYTHON) -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { printf 'error: %s is not a Python 3.11 with the venv module\n  next: install python3.11-venv, or run make with PYTHON=/path/to/python3.11\n' "$(PYTHON)" >&2; exit 1; }

$(VENV)/.installed: requirements/dev.txt | python-check
	$(call step,development environment ($(VENV)),rm -rf $(VENV) && $(PYTHON) -m venv $(VENV) && $(VENV)/bin/pip install -q -r requirements/dev.txt)
	@touch $@

$(EMULATOR_VENV)/.installed: requirements/emulator.txt | python-check
	$(call step,emulator environment ($(EMULATOR_VENV)),rm -rf $(EMULATOR_VENV) && $(PYTHON) -m venv $(EMULATOR_VENV) && $(EMULATOR_VENV)/bin/pip install -q -r requirements/emulator.txt)
	@touch $@

$(RUNTIME_VENV)/.installed: requirements/lambda-runtime.txt | python-check
	$(call step,Lambda runtime interpreter ($(RUNTIME_VENV): boto3 only as on AWS),rm -rf $(RUNTIME_VENV) && $(PYTHON) -m venv $(RUNTIME_VENV) && $(RUNTIME_VENV)/bin/pip install -q -r requirements/lambda-runtime.txt)
	@touch $@

# mutmut needs a newer click than aws-sam-cli allows: it goes into its own folder, first on its PYTHONPATH only.
$(MUTMUT_HOME)/.installed: requirements/mutate.txt $(VENV)/.installed
	$(call step,mutation testing tools ($(MUTMUT_HOME)),rm -rf $(MUTMUT_HOME) && $(VENV)/bin/pip install -q --no-deps --target $(MUTMUT_HOME) -r requirements/mutate.txt)
	@touch $@

deps: $(VENV)/.installed $(EMULATOR_VENV)/.installed $(RUNTIME_VENV)/.installed ## install pinned dependencies

# The /docs test drives Debian's chromium through Playwright (no browser download). Installed once, when
# missing and apt-get can (as root); where it cannot, the browser test skips and says why.
chromium: ## install Debian's chromium for the browser tests (/docs, the web app) when it is missing
	@command -v chromium >/dev/null 2>&1 || { \
		if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
			printf '==> installing Debian chromium for the /docs browser test\n'; \
			{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >/dev/null 2>&1 \
				|| printf '    apt-get could not install chromium: the /docs browser test will be skipped\n'; \
		else printf '    chromium is missing and apt-get is not available as root: the /docs browser test will be skipped\n'; fi; }

up: deps ## start the emulator, build and deploy template.yaml, print the URLs
	$(call step,make up,$(PY) -m infra.deploy --up)

demo: deps ## seed a demo workspace on the running stack (make up first) and print its sign-in; twice changes nothing
	$(call step,make demo,$(PY) -m infra.demo)

web: deps ## build the web app (npm ci, typed API client, tsc, vite; cached) and publish it to the running stack
	$(call step,web app,$(PY) -m infra.webapp)

down: ## stop the local stack (its state stays in .local/state)
	@if [ -x $(PY) ]; then $(PY) -m infra.emulator stop; else echo "    nothing to stop: make up has not run here"; fi

test: deps chromium ## unit + integration tests, the README's commands as a newcomer runs them, then e2e on a fresh emulator
	$(call step,unit and integration tests,$(PY) -m pytest tests/unit tests/integration -q)
	$(call step,the README's commands (make up / down) on an emulator of their own,$(PY) -m pytest tests/commands -q)
	$(call step,end-to-end tests on a fresh emulator,$(PY) -m pytest tests/e2e -q)

unit: deps ## unit tests (no network)
	$(PY) -m pytest tests/unit -q

integration: deps ## handlers in-process against moto
	$(PY) -m pytest tests/integration -q

commands: deps ## `make up` twice, `make down`, `make up` and every plain failure, run as subprocesses
	$(PY) -m pytest tests/commands -q

e2e: deps chromium ## end-to-end tests against a freshly deployed emulator (FUZZ_SECONDS=, FUZZ_EXAMPLES=: a longer schemathesis run)
	$(if $(FUZZ_SECONDS),DEEPIRI_FUZZ_SECONDS=$(FUZZ_SECONDS)) $(if $(FUZZ_EXAMPLES),DEEPIRI_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES)) $(PY) -m pytest tests/e2e -q

mutate: deps $(MUTMUT_HOME)/.installed ## mutation testing of the logic changed since main (ALL=1: all of it; SERVICE=tasks: one service, common: the layer; RESUME=1: skip modules already scored on this tree; REPORT=1: run nothing, report the kept results; CONSTANTS=1: change the rule constants instead; TIMEOUT=s per module); scores, survivors and the 90 % bar
	$(call step,mutation testing,$(PY) -m infra.mutate $(if $(ALL),--all) $(if $(RESUME),--resume) $(if $(REPORT),--report) $(if $(CONSTANTS),--constants) $(if $(TIMEOUT),--timeout $(TIMEOUT)) $(foreach s,$(SERVICE),--service $(s)) $(MODULES))

lint: deps ## cfn-lint (+ serverless rules), sam validate --lint, ruff, import contracts, mypy, OpenAPI and route drift
	$(call step,cfn-lint,$(VENV)/bin/cfn-lint --append-rules cfn_lint_serverless.rules -- template.yaml stacks/*.yaml)
	$(call step,sam validate --lint,$(VENV)/bin/sam validate --lint --template-file template.yaml --region us-east-1)
	$(call step,ruff (private attributes of other packages refused: SLF),$(VENV)/bin/ruff check .)
	$(call step,import contracts (handlers -> logic -> dal -> models; services apart),PYTHONPATH=$(SERVICE_PATH) $(VENV)/bin/lint-imports)
	$(call step,mypy,$(VENV)/bin/mypy layers/common/python/deepiri_common infra contracts $(SERVICE_PACKAGES))
	$(call step,OpenAPI document is current,PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.openapi --check)
	$(call step,template and README follow the route declarations,PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.routes --check)
	$(call step,event contracts are current,PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.contracts --check)

openapi: deps ## regenerate the committed OpenAPI document from the routes
	PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.openapi --write

routes: deps ## regenerate the README's route table from the route declarations; check the template's API events
	PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.routes --write

contracts: deps ## regenerate the event contracts (contracts/events/*.json) and the README's catalogue
	PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.contracts --write

invoke: deps ## invoke a deployed function: make invoke FN=GatewayFunction EVENT=events/gateway-health.json
	@test -n "$(FN)" -a -n "$(EVENT)" || { echo "usage: make invoke FN=<LogicalId> EVENT=events/<file>.json"; exit 2; }
	@$(PY) -m infra.invoke $(FN) $(EVENT)

streak-job: deps ## run the deployed streak job for a chosen instant: make streak-job AT=2026-11-30T06:00:00Z
	@test -n "$(AT)" || { echo "usage: make streak-job AT=<ISO instant with offset, e.g. 2026-11-30T06:00:00Z>"; exit 2; }
	@printf '{"at": "%s"}' "$(AT)" | $(PY) -m infra.invoke EngagementStreakJobFunction -

challenge-job: deps ## run a deployed challenges job for a chosen instant: make challenge-job JOB=expiry|daily AT=2026-11-30T07:05:00Z
	@test -n "$(AT)" -a \( "$(JOB)" = expiry -o "$(JOB)" = daily \) || { echo "usage: make challenge-job JOB=<expiry|daily> AT=<ISO instant with offset, e.g. 2026-11-30T07:05:00Z>"; exit 2; }
	@printf '{"at": "%s"}' "$(AT)" | $(PY) -m infra.invoke $(if $(filter expiry,$(JOB)),ChallengesExpiryJobFunction,ChallengesDailyJobFunction) -

integrations-sync: deps ## run the deployed integrations sync job now (every connection that is not waiting)
	@printf '{}' | $(PY) -m infra.invoke IntegrationsSyncJobFunction -

analytics-rebuild: deps ## rebuild every analytics read model from the S3 event archive alone (deployed stack)
	@echo '{}' | $(PY) -m infra.invoke AnalyticsRebuildFunction -

analytics-backtest: deps ## the analytics forecast's backtest (MASE vs the seasonal naive baseline), as in the README
	@PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.forecast_backtest

admin: deps ## make a registered user the first admin: make admin EMAIL=you@example.com
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=<registered email>"; exit 2; }
	@printf '{"email": "%s"}' "$(EMAIL)" | $(PY) -m infra.invoke UsersAdminFunction -

rotate-keys: deps ## rotate the access-token signing key now (the previous key verifies for an hour more)
	@echo '{}' | $(PY) -m infra.invoke UsersKeyRotationFunction -

logs: deps ## recent logs of a deployed function: make logs FN=GatewayFunction
	@test -n "$(FN)" || { echo "usage: make logs FN=<LogicalId>"; exit 2; }
	@$(PY) -m infra.logs $(FN)

watch: deps ## push changed handler or layer code, or the rebuilt web app, to the running emulator on save
	@$(PY) -m infra.watch

train-ai: deps ## train the AI service's local classifier on functions/ai/data/tasks.jsonl and write its artefact
	$(call step,train the local classifier (scikit-learn; held-out figures below),PYTHONPATH=$(SERVICE_PATH) $(PY) -m infra.train_ai)

bench: deps ## benchmarks, as ratios measured in one run (one or some: make bench ONLY=coldstart)
	@PYTHONPATH=layers/common/python $(PY) -m infra.bench $(ONLY)

load: deps ## mixed task workload at 1, 8, 16 clients, cold and warm, on a fresh emulator (127.0.0.1 only)
	@$(PY) -m infra.load

dlq: deps ## list every dead-letter queue's messages: event type, id, reason, age
	@$(PY) -m infra.dlq list

redrive: deps ## move a dead-letter queue's messages back to their queue: make redrive QUEUE=deepiri-dev-users-events-dlq
	@test -n "$(QUEUE)" || { echo "usage: make redrive QUEUE=<dead-letter queue name, see make dlq>"; exit 2; }
	@$(PY) -m infra.dlq redrive $(QUEUE)

deploy: deps ## deploy to AWS with samconfig.toml's environment STAGE (needs AWS credentials)
	$(call step,sam build,$(VENV)/bin/sam build --parallel)
	$(call step,sam deploy to AWS ($(STAGE)),$(VENV)/bin/sam deploy --config-env $(STAGE))

clean: down ## stop the stack and remove build output (keeps .local state)
	rm -rf .aws-sam
