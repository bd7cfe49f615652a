# Portal (static citizen portal + staff console) and its browser tests.
# Included by the main Makefile:   -include mk/portal.mk
#
#   make portal     install the pinned npm packages (npm ci, offline-safe),
#                   copy the vendored front-end libraries into portal/vendor/
#                   and build the served copy into build/portal/ (content-
#                   hashed asset names, .gz beside each text file; see
#                   mk/portal-build.mjs): nginx's root for the portal
#   make test-e2e   browser tests (playwright-core + Debian's chromium) against
#                   `make run`'s nginx on :8080; starts it (PROFILE=laichau-2026
#                   TEST_CLOCK=1) when nothing answers there and stops it after.
#                   Screenshots of the last run land in var/screenshots/.
#
# Variables are prefixed PORTAL_/E2E_ so they never collide with the main Makefile.

PORTAL_ROOT    := $(abspath $(dir $(abspath $(lastword $(MAKEFILE_LIST))))/..)
PORTAL_DIR     := $(PORTAL_ROOT)/portal
PORTAL_VENDOR  := $(PORTAL_DIR)/vendor
PORTAL_OUT     := $(PORTAL_ROOT)/build/portal
PORTAL_SRCS     = $(shell find $(PORTAL_DIR) -type f -not -name '.*')
E2E_DIR        := $(PORTAL_ROOT)/e2e
E2E_BASE_URL   ?= http://127.0.0.1:8080
E2E_PROFILE    ?= laichau-2026
E2E_CHROMIUM   ?= /usr/bin/chromium
E2E_DEB_PKGS   := chromium imagemagick libimage-exiftool-perl curl
PORTAL_NPM     ?= npm

.PHONY: portal portal-clean test-e2e e2e-deps

portal: $(PORTAL_OUT)/assets.json

$(PORTAL_OUT)/assets.json: $(PORTAL_VENDOR)/.stamp $(PORTAL_SRCS) \
                           $(PORTAL_ROOT)/mk/portal-build.mjs
	@node $(PORTAL_ROOT)/mk/portal-build.mjs $(PORTAL_DIR) $(PORTAL_OUT)

# npm ci only when the lockfile changed since the last install; --prefer-offline
# takes the local npm cache first, so a machine that installed once works
# without network.  If npm is missing but the vendor copy exists, keep it.
$(E2E_DIR)/node_modules/.package-lock.json: $(E2E_DIR)/package-lock.json $(E2E_DIR)/package.json
	@if ! command -v $(PORTAL_NPM) >/dev/null 2>&1; then \
	    if [ -f $(PORTAL_VENDOR)/.stamp ]; then \
	        echo "portal: npm not found, keeping portal/vendor as is"; exit 0; fi; \
	    echo "portal: npm is required (apt-get install nodejs npm)"; exit 1; fi; \
	cd $(E2E_DIR) && $(PORTAL_NPM) ci --prefer-offline --no-audit --no-fund \
	    --loglevel=error && touch $@

$(PORTAL_VENDOR)/.stamp: $(E2E_DIR)/node_modules/.package-lock.json \
                         $(PORTAL_ROOT)/mk/portal.mk
	@rm -rf $(PORTAL_VENDOR)/leaflet && mkdir -p $(PORTAL_VENDOR)/leaflet && \
	cp $(E2E_DIR)/node_modules/leaflet/dist/leaflet.js \
	   $(E2E_DIR)/node_modules/leaflet/dist/leaflet.css \
	   $(E2E_DIR)/node_modules/leaflet/LICENSE \
	   $(PORTAL_VENDOR)/leaflet/ && \
	cp -r $(E2E_DIR)/node_modules/leaflet/dist/images $(PORTAL_VENDOR)/leaflet/ && \
	touch $@ && echo "portal: vendor libraries in portal/vendor/"

portal-clean:
	rm -rf $(PORTAL_VENDOR) $(PORTAL_OUT) $(E2E_DIR)/node_modules

# Debian packages the browser tests need (installs only what is missing):
# Chromium, ImageMagick + exiftool for the test photos, curl for the health
# probe, and Node.js with npm when there is no npm at all.
e2e-deps:
	@missing=""; for p in $(E2E_DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v $(PORTAL_NPM) >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    if [ "$$(id -u)" != 0 ]; then \
	        echo "run as root (or install:$$missing)"; exit 1; fi; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

# Uses the server on :8080 when one answers (it must run with TEST_CLOCK=1),
# else starts `make run` and stops it afterwards, also when interrupted.
# Ports: 8080 and 8081 (nginx) and 6390 (Redis) of `make run`; `make test`
# picks free ports of its own, so the two never share a server.
test-e2e: e2e-deps portal
	@rm -f $(PORTAL_ROOT)/var/screenshots/*.png; \
	mkdir -p $(PORTAL_ROOT)/var/screenshots; \
	started=0; \
	code=$$(curl -s -o /dev/null -w '%{http_code}' $(E2E_BASE_URL)/api/v1/health); \
	if [ "$$code" = 000 ]; then \
	    echo "test-e2e: starting make run PROFILE=$(E2E_PROFILE) TEST_CLOCK=1"; \
	    trap '$(MAKE) -s -C $(PORTAL_ROOT) stop' EXIT; \
	    trap 'exit 130' INT TERM; \
	    $(MAKE) -s -C $(PORTAL_ROOT) run PROFILE=$(E2E_PROFILE) TEST_CLOCK=1 \
	        || exit 1; \
	    started=1; \
	elif ! grep -qs '^pa_test_clock on;' $(PORTAL_ROOT)/var/run.conf; then \
	    echo "test-e2e: the server on $(E2E_BASE_URL) runs without the test clock;"; \
	    echo "          restart it with: make run TEST_CLOCK=1 (or make stop)"; \
	    exit 1; \
	fi; \
	rc=0; cd $(E2E_DIR) && for f in tests/*.test.mjs; do \
	    PA_BASE_URL=$(E2E_BASE_URL) PA_ROOT=$(PORTAL_ROOT) \
	    PA_CHROMIUM=$(E2E_CHROMIUM) \
	    node --test --test-reporter=spec "$$f" || rc=1; \
	done; \
	if [ $$rc = 0 ]; then r=PASS; else r=FAIL; fi; \
	echo "test-e2e: $$r ($$(ls $(PORTAL_ROOT)/var/screenshots | wc -l) screenshots in var/screenshots/)"; \
	exit $$rc
