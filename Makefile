# Two commands: `make run` and `make test`. Both set everything up first and are quick when
# nothing changed (each step is a file target that only reruns when its inputs change).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app fieldapp
VENDOR := fieldapp/static/vendor
PORT ?= 5000
export PORT
# pytest-xdist workers for `make test` (the machines have 2 cores); PYTEST_WORKERS=0 runs serially.
PYTEST_WORKERS ?= 2
export FIELDAPP_ENV ?= development

.PHONY: run test setup lint format db clean

setup: $(VENV)/.installed $(VENDOR)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Front-end packages come from npm (pinned in package-lock.json), never from a CDN.
$(VENDOR)/.installed: node_modules/.installed
	mkdir -p $(VENDOR)
	cp node_modules/htmx.org/dist/htmx.min.js $(VENDOR)/htmx.min.js
	cp node_modules/signature_pad/dist/signature_pad.umd.min.js $(VENDOR)/signature_pad.min.js
	mkdir -p $(VENDOR)/leaflet
	cp -r node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css node_modules/leaflet/dist/images $(VENDOR)/leaflet/
	touch $@

db: setup
	$(FLASK) db upgrade
	$(FLASK) seed-demo --if-empty

run: db
	@echo ""
	@echo "  fieldapp: http://127.0.0.1:$(PORT)"
	@echo "  Demo logins (password: fieldapp): admin, dispatcher, courier, courier2, courier_trujillo, courier_arequipa, supervisor, technician"
	@echo "  Demo Call Center API keys: demo-callcenter-key (Kodak), demo-epson-key (Epson)"
	@echo ""
	$(FLASK) serve --host 127.0.0.1 --port $(PORT)  # web server and worker in one process

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: setup
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: lint
	FIELDAPP_ENV=testing $(BIN)/python -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) node_modules $(VENDOR) .pytest_cache .ruff_cache
