# ngx_pa: build, run and test.  Everything lands under build/ and var/.
#
#   make run      install what is missing, build, start Redis + nginx on :8080
#   make stop     stop both
#   make test     build, C unit tests, t/ suite against a throw-away Redis
#   make test-asan  the same with AddressSanitizer + UBSan
#   make lint     cppcheck on the module and the unit tests
#   make bench    wrk and open-loop benchmarks, the lua peer in the same
#                 run; rewrites the table of bench/README.md (see bench/)
#   make bench-cost   Redis time per report, command by command (submit.lua
#                 at 1 and 16 reports a call; needs a `make bench` first)
#   make bench-batch  Redis time per report by submit batch size (group
#                 commit; needs a `make bench` first)
#   make bench-stall  upload stall on one worker, with/without pa_thread_pool
#   make bench-photo  make bench's photo case alone, beside nginx's own
#                 handling of the same 1 MB POST (discard, PUT to a file)
#   make bench-scale  reads and submit at 10k vs 1M stored reports, memory
#   make bench-sse  10k idle live streams: worker RSS, submit rate
#   make bench-notify event-to-webhook latency (pa_notify, issue 14)

SHELL        := /bin/bash
ROOT         := $(CURDIR)
BUILD        := $(ROOT)/build
# in build/ whatever the variant (test-asan's BUILD): bench/ and t/ find
# it there
PA_SCRIPT    := $(ROOT)/build/pa-script
VAR          := $(ROOT)/var
NGX_SYS_SRC  := /usr/share/nginx/src
NGINX        ?= /usr/sbin/nginx
PROFILE      ?= laichau-2026
TEST_CLOCK   ?= 0
DEV_REDIS_PORT ?= 6390

MOD_SRCS     := $(wildcard ngx_pa_module/*.c ngx_pa_module/*.h) \
                config

# Pure C files (no nginx headers): unit-tested and fuzzed on their own.
PURE_SRCS    := $(wildcard ngx_pa_module/ngx_pa_calendar.c \
                ngx_pa_module/ngx_pa_validate.c \
                ngx_pa_module/ngx_pa_multipart.c \
                ngx_pa_module/ngx_pa_meta.c \
                ngx_pa_module/ngx_pa_jwt.c \
                ngx_pa_module/ngx_pa_pii.c \
                ngx_pa_module/ngx_pa_crypto.c \
                ngx_pa_module/ngx_pa_jstr.c \
                ngx_pa_module/ngx_pa_jparse.c \
                ngx_pa_module/ngx_pa_jdump.c \
                ngx_pa_module/ngx_pa_dtoa.c \
                ngx_pa_module/ngx_pa_qscore.c \
                ngx_pa_module/ngx_pa_b64url.c \
                ngx_pa_module/ngx_pa_print.c \
                ngx_pa_module/ngx_pa_prelude.c \
                ngx_pa_module/ngx_pa_slot.c \
                ngx_pa_module/ngx_pa_dump.c \
                ngx_pa_module/ngx_pa_geohash.c \
                ngx_pa_module/ngx_pa_rclock.c \
                ngx_pa_module/ngx_pa_rinfo.c)
UNIT_TESTS   := $(patsubst tests/unit/%.c,$(BUILD)/unit/%, \
                $(wildcard tests/unit/test_*.c))
UNIT_CFLAGS  := -std=gnu99 -g -O1 -W -Wall -Wpointer-arith \
                -Wno-unused-parameter -Werror -Ingx_pa_module -Itests/unit
UNIT_LIBS    := -ljansson -lcrypto -lm

DEB_PKGS     := nginx nginx-dev libhiredis-dev redis-server redis-sentinel \
                libjansson-dev libmagic-dev libssl-dev libxml2-dev libgd-dev \
                libjpeg-dev openssl perl libtest-base-perl \
                libtest-longstring-perl liblist-moreutils-perl \
                libtext-diff-perl libwww-perl liburi-perl libipc-run-perl \
                libimage-exiftool-perl libxml-libxml-perl imagemagick wrk \
                gcc make curl ffmpeg clang libclang-rt-14-dev cppcheck \
                iptables iproute2

# Only `make bench` needs these: the lua-nginx-module peer it runs
# (../shared/bench/run-peer-lua.sh)
BENCH_PKGS   := libnginx-mod-http-lua lua-cjson

.PHONY: all deps bench-deps build module unit run stop test test-unit \
        test-t test-asan bench bench-cost bench-batch bench-stall bench-photo bench-scale bench-mem bench-sse \
        bench-notify bench-portal fuzz fuzz-build fuzz-smoke lint clean

all: build

# ---------------------------------------------------------------- packages
# Installs only what is missing, so a machine without network that already
# has everything goes straight on.
deps:
	@missing=""; for p in $(DEB_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v npm >/dev/null 2>&1 || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    if [ "$$(id -u)" != 0 ]; then \
	        echo "run as root (or install:$$missing)"; exit 1; fi; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

# ---------------------------------------------------------------- module
# Debian's nginx-dev ships configure + headers; we configure a private copy
# with the exact flags Debian's nginx was built with (conf_flags), so the
# dynamic module is binary compatible, and nothing is written under /usr.
NGX_BUILD     = $(BUILD)/nginx$(VARIANT)
MODULE_SO     = $(NGX_BUILD)/objs/ngx_http_pa_module.so
NGX_CC_OPT    ?=
NGX_LD_OPT    ?=

build: deps module $(PA_SCRIPT)

# every loader of redis-scripts/ but the module prints a script with it:
# the prelude joined as the module joins it (ngx_pa_prelude.c)
$(PA_SCRIPT): tools/pa-script.c ngx_pa_module/ngx_pa_prelude.c \
                    ngx_pa_module/ngx_pa_prelude.h
	@mkdir -p $(dir $@)
	$(CC) $(UNIT_CFLAGS) -o $@ tools/pa-script.c \
	    ngx_pa_module/ngx_pa_prelude.c

module:
	@mkdir -p $(BUILD)
	@srcs="$$(ls ngx_pa_module | tr '\n' ' ') $(NGX_CC_OPT)"; \
	if [ ! -f $(NGX_BUILD)/objs/Makefile ] \
	    || [ "$$srcs" != "$$(cat $(NGX_BUILD)/.srcs 2>/dev/null)" ] \
	    || [ config -nt $(NGX_BUILD)/objs/Makefile ]; then \
	    rm -rf $(NGX_BUILD) && cp -r $(NGX_SYS_SRC) $(NGX_BUILD) && \
	    cd $(NGX_BUILD) && . ./conf_flags && \
	    ./configure "$${NGX_CONF_FLAGS[@]}" \
	        --with-cc-opt="$(NGX_CC_OPT)" --with-ld-opt="$(NGX_LD_OPT)" \
	        --add-dynamic-module=$(ROOT) \
	        > $(NGX_BUILD)/configure.log 2>&1 \
	        || { tail -30 $(NGX_BUILD)/configure.log; exit 1; }; \
	    echo "$$srcs" > $(NGX_BUILD)/.srcs; \
	fi
	@$(MAKE) -s -C $(NGX_BUILD) -f objs/Makefile modules
	@echo "module: $(MODULE_SO)"

# ---------------------------------------------------------------- lint
# cppcheck sees nginx's headers as configured for this build (objs/ has
# ngx_auto_config.h), so it checks the module as the compiler sees it.
CPPCHECK_INC = $(addprefix -I$(NGX_BUILD)/,objs src/core src/event \
               src/event/modules src/os/unix src/http src/http/modules \
               src/http/v2) -I/usr/include/libxml2

lint: module
	@cppcheck -q --enable=warning,performance,portability --inline-suppr \
	    --std=c99 -D__linux__ --suppress=missingIncludeSystem \
	    --error-exitcode=1 $(CPPCHECK_INC) -Ingx_pa_module \
	    ngx_pa_module/*.c tests/unit/*.c tools/*.c \
	    && echo "lint: cppcheck clean"

# ---------------------------------------------------------------- unit tests
unit: $(UNIT_TESTS)

$(BUILD)/unit/%: tests/unit/%.c $(PURE_SRCS) tests/unit/pa_unit.h \
                 $(wildcard ngx_pa_module/*.h)
	@mkdir -p $(BUILD)/unit
	$(CC) $(UNIT_CFLAGS) $(UNIT_SAN) -o $@ $< $(PURE_SRCS) $(UNIT_LIBS)

test-unit: unit
	prove -e '' $(UNIT_TESTS)

# ---------------------------------------------------------------- run
run: build portal
	@tests/pa-env.sh run "$(PROFILE)" "$(TEST_CLOCK)" "$(DEV_REDIS_PORT)" \
	    "$(MODULE_SO)"

stop:
	@tests/pa-env.sh stop

# ---------------------------------------------------------------- tests
# The t/ suite runs under the real Test::Nginx: the installed one, else the
# copy of its lib/ in ../shared/vendor/test-nginx (tests/run-suite.sh).
test: build lint unit fuzz-smoke
	@T="$(T)" tests/run-suite.sh "$(MODULE_SO)" $(UNIT_TESTS)

test-unit-only: unit
	prove -e '' $(UNIT_TESTS)

test-asan:
	@$(MAKE) -s test VARIANT=-asan \
	    NGX_CC_OPT="-fsanitize=address,undefined -fno-omit-frame-pointer" \
	    NGX_LD_OPT="-fsanitize=address,undefined" \
	    UNIT_SAN="-fsanitize=address,undefined -fno-omit-frame-pointer" \
	    BUILD=$(BUILD)/asan PA_ASAN=1

bench-deps:
	@missing=""; for p in $(BENCH_PKGS); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    if [ "$$(id -u)" != 0 ]; then \
	        echo "run as root (or install:$$missing)"; exit 1; fi; \
	    export DEBIAN_FRONTEND=noninteractive; \
	    apt-get update -qq && apt-get install -y -qq $$missing >/dev/null; \
	fi

# the open-loop load generator of `make bench`
$(BUILD)/bench/openloop: bench/openloop.c
	@mkdir -p $(BUILD)/bench
	$(CC) -std=gnu99 -O2 -W -Wall -Wpointer-arith -Werror -o $@ $<

# the Redis ceiling's client: submit.lua's EVALSHA replayed, one report a
# call (its record is binary: no redis-benchmark)
$(BUILD)/bench/replay: bench/replay.c
	@mkdir -p $(BUILD)/bench
	$(CC) -std=gnu99 -O2 -W -Wall -Wpointer-arith -Werror -o $@ $< -lhiredis

bench: build bench-deps $(BUILD)/bench/openloop $(BUILD)/bench/replay
	@OPENLOOP=$(BUILD)/bench/openloop REPLAY=$(BUILD)/bench/replay \
	    bench/run.sh "$(MODULE_SO)"

# bench/batch-cost.sh with Redis's time of each command the script runs,
# per report (the variants of the one-report script went with its layout)
bench-cost: $(PA_SCRIPT)
	@BATCH_SIZES=1,16 BATCH_BY_COMMAND=1 BATCH_SPREAD=1 bench/batch-cost.sh

# Redis's cost per report of submit.lua by batch size (group commit)
bench-batch: $(PA_SCRIPT)
	@bench/batch-cost.sh

# a small request's p99 while 12 MB uploads run, with and without the pool
bench-stall: build
	@bench/stall.sh "$(MODULE_SO)"

bench-photo: build
	@bench/photo.sh "$(MODULE_SO)"

bench-scale: build
	@bench/scale.sh "$(MODULE_SO)"

# Redis memory per report, on reports the module made through their life
bench-mem: build
	@bench/mem.sh "$(MODULE_SO)"
# 10k idle SSE streams on one node: worker RSS, submit rate with/without
bench-sse: build
	@bench/sse.sh "$(MODULE_SO)"

bench-notify: build
	@bench/notify.sh "$(MODULE_SO)"

# every portal page's time until usable, cold, under slow 4G (the e2e suite
# asserts the network's share of it); uses `make run`'s server on :8080
bench-portal: e2e-deps portal
	@code=$$(curl -s -o /dev/null -w '%{http_code}' $(E2E_BASE_URL)/api/v1/health); \
	if [ "$$code" = 000 ]; then \
	    trap '$(MAKE) -s stop' EXIT; $(MAKE) -s run || exit 1; fi; \
	PA_BASE_URL=$(E2E_BASE_URL) PA_CHROMIUM=$(E2E_CHROMIUM) node bench/portal.mjs

# ---------------------------------------------------------------- fuzzing
# libFuzzer harnesses of the parsers that see hostile bytes.  `make fuzz`
# runs each for FUZZ_SECONDS; `make test` runs a short smoke of each.
FUZZERS      := multipart meta validate jwt jparse
FUZZ_SECONDS ?= 60
FUZZ_CFLAGS  := -g -O1 -fsanitize=fuzzer,address,undefined \
                -fno-sanitize-recover=all -Ingx_pa_module

$(BUILD)/fuzz/fuzz_%: fuzz/fuzz_%.c ngx_pa_module/ngx_pa_%.c \
                     ngx_pa_module/ngx_pa_b64url.c ngx_pa_module/ngx_pa_dtoa.c
	@mkdir -p $(BUILD)/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $^ -ljansson -lcrypto -lm

# the JSON parser with the writers it is checked against
$(BUILD)/fuzz/fuzz_jparse: fuzz/fuzz_jparse.c ngx_pa_module/ngx_pa_jparse.c \
                          ngx_pa_module/ngx_pa_jdump.c \
                          ngx_pa_module/ngx_pa_jstr.c \
                          ngx_pa_module/ngx_pa_dtoa.c
	@mkdir -p $(BUILD)/fuzz
	clang $(FUZZ_CFLAGS) -o $@ $^ -ljansson -lm

fuzz-build: $(patsubst %,$(BUILD)/fuzz/fuzz_%,$(FUZZERS))

fuzz: fuzz-build
	@for f in $(FUZZERS); do \
	    mkdir -p $(BUILD)/fuzz/corpus-$$f; \
	    dict=; [ -f fuzz/$$f.dict ] && dict=-dict=fuzz/$$f.dict; \
	    echo "== fuzz_$$f for $(FUZZ_SECONDS)s"; \
	    $(BUILD)/fuzz/fuzz_$$f -max_total_time=$(FUZZ_SECONDS) \
	        -print_final_stats=1 $$dict $(BUILD)/fuzz/corpus-$$f \
	        fuzz/corpus/$$f || exit 1; \
	done

fuzz-smoke:
	@set -o pipefail; $(MAKE) -s fuzz FUZZ_SECONDS=5 2>&1 \
	    | grep -E "^== |stat::number_of_executed_units|ERROR|SUMMARY"

clean:
	rm -rf $(BUILD) t/servroot

# the portal's npm libraries and browser tests (make portal, make test-e2e)
-include mk/portal.mk
