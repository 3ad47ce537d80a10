# isolab: build, run, test, install. Every library is found by pkg-config.
#
#   make            build ./isolab
#   make run        install what is missing, build, start an engine, open the TUI
#   make test       install what is missing, start an engine, run every test layer
#   make analyse    cppcheck, clang-tidy, scan-build and valgrind: zero findings
#   make vm         build the lab VM (no network device) and open isolab inside it
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/isolab
MANDIR  ?= $(PREFIX)/share/man/man1

CC      ?= cc
CFLAGS  ?= -O2 -g
PKGS      := ncursesw libcap mount smartcols jansson libfyaml md4c
TEST_PKGS := cmocka

WARN := -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
        -Wformat=2 -Wwrite-strings -Wvla
ifeq ($(CI),true)
WARN += -Werror
endif

# Deferred (=) so that pkg-config runs only when something is compiled:
# `make run` and `make test` install the packages first.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS   = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))

ALL_CFLAGS = -std=gnu11 -D_GNU_SOURCE -pthread -Irunner -Iui $(WARN) $(PKG_CFLAGS) \
             -DISOLAB_DATADIR='"$(DATADIR)"' $(CFLAGS)

RUNNER_SRC := $(sort $(wildcard runner/*.c))
UI_SRC     := $(sort $(wildcard ui/*.c))

# Each compiler run writes the headers it read into a .d file beside its
# output (-MMD), with an empty rule for each header (-MP) so that removing
# a header does not break the build; the .d files are included at the end.
# An object is rebuilt when a header it includes changes, not when any does.
DEPFLAGS := -MMD -MP

B   ?= build
BIN ?= isolab
RUNNER_OBJ := $(RUNNER_SRC:%.c=$(B)/%.o)
UI_OBJ     := $(UI_SRC:%.c=$(B)/%.o)

UNIT_SRC  := $(sort $(wildcard tests/unit/test_*.c))
INTEG_SRC := $(sort $(wildcard tests/integration/test_*.c))
E2E_SRC   := $(sort $(wildcard tests/e2e/test_*.c))
HARNESS_SRC := $(wildcard tests/lib/*.c)
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))

UNIT_BIN  := $(UNIT_SRC:tests/%.c=$(B)/tests/%)
INTEG_BIN := $(INTEG_SRC:tests/%.c=$(B)/tests/%)
E2E_BIN   := $(E2E_SRC:tests/%.c=$(B)/tests/%)
HARNESS_OBJ := $(HARNESS_SRC:%.c=$(B)/%.o)

# The same tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
SAN := $(B)/san
SANFLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
SAN_RUNNER_OBJ := $(RUNNER_SRC:%.c=$(SAN)/%.o)
SAN_HARNESS_OBJ := $(HARNESS_SRC:%.c=$(SAN)/%.o)
SAN_BIN := $(UNIT_SRC:tests/%.c=$(SAN)/tests/%) $(INTEG_SRC:tests/%.c=$(SAN)/tests/%)

# isolab itself under ThreadSanitizer: the e2e layer runs its threaded
# reads (inspect and audit of many containers) through it.
TSAN := $(B)/tsan
TSAN_OBJ := $(RUNNER_SRC:%.c=$(TSAN)/%.o) $(UI_SRC:%.c=$(TSAN)/%.o)

FUZZ := $(B)/fuzz
FUZZ_RUNNER_OBJ := $(RUNNER_SRC:%.c=$(FUZZ)/%.o)
FUZZ_BIN := $(FUZZ_SRC:tests/fuzz/%.c=$(FUZZ)/%)

BENCH_SRC := $(sort $(wildcard bench/*.c))
BENCH_BIN := $(BENCH_SRC:%.c=$(B)/%)

.PHONY: all run test vm install uninstall clean bootstrap test-build analyse FORCE

PROBE := $(if $(wildcard image/probe.c),image/probe)

all: $(BIN) $(PROBE)

$(BIN): $(RUNNER_OBJ) $(UI_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $^ $(PKG_LIBS) $(LDFLAGS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -c -o $@ $<

# The data directory is compiled in: rebuild what uses it when PREFIX or
# DATADIR changes, or `make install PREFIX=...` would install a binary that
# looks for its labs elsewhere.
$(B)/datadir.stamp: FORCE
	@mkdir -p $(B)
	@echo '$(DATADIR)' | cmp -s - $@ || echo '$(DATADIR)' >$@
$(B)/runner/lab.o $(B)/runner/image.o: $(B)/datadir.stamp
FORCE:

# The probe runs inside the lab image, a FROM scratch image: it must be static.
# It speaks runner/util.c's vocabulary, linked in (util.c needs only libc).
PROBE_SRC := image/probe.c runner/util.c
image/probe: $(PROBE_SRC) runner/util.h
	@if command -v musl-gcc >/dev/null 2>&1; then \
		echo "musl-gcc -static -o $@ $(PROBE_SRC)"; \
		musl-gcc -static -Os -std=gnu11 -D_GNU_SOURCE -Irunner $(WARN) -o $@ $(PROBE_SRC); \
	else \
		echo "$(CC) -static -o $@ $(PROBE_SRC) (musl-gcc not found)"; \
		$(CC) -static -Os -std=gnu11 -D_GNU_SOURCE -Irunner $(WARN) -o $@ $(PROBE_SRC); \
	fi

# --- tests -------------------------------------------------------------------

$(B)/tests/%: tests/%.c $(RUNNER_OBJ) $(HARNESS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/lib $(TEST_CFLAGS) -o $@ $< $(RUNNER_OBJ) $(HARNESS_OBJ) $(PKG_LIBS) $(TEST_LIBS)

# The ui/ unit tests (test_tui_*.c, test_cli.c): the TUI's layout and the
# global options, linked with the ui files that lay text out and parse
# them, and no terminal. Static pattern rules: they win over the pattern
# rules of the other tests.
UI_TEST_SRC := ui/tui_compare.c ui/tui_text.c ui/tui_colors.c ui/cli.c
UI_TEST_OBJ := $(UI_TEST_SRC:%.c=$(B)/%.o)
SAN_UI_TEST_OBJ := $(UI_TEST_SRC:%.c=$(SAN)/%.o)
UI_UNIT_SRC := $(sort $(wildcard tests/unit/test_tui_*.c) tests/unit/test_cli.c)

$(UI_UNIT_SRC:tests/%.c=$(B)/tests/%): $(B)/tests/%: tests/%.c $(RUNNER_OBJ) $(UI_TEST_OBJ) $(HARNESS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -Itests/lib $(TEST_CFLAGS) -o $@ $< $(RUNNER_OBJ) $(UI_TEST_OBJ) $(HARNESS_OBJ) $(PKG_LIBS) $(TEST_LIBS)

$(UI_UNIT_SRC:tests/%.c=$(SAN)/tests/%): $(SAN)/tests/%: tests/%.c $(SAN_RUNNER_OBJ) $(SAN_UI_TEST_OBJ) $(SAN_HARNESS_OBJ)
	@mkdir -p $(dir $@)
	clang $(ALL_CFLAGS) $(DEPFLAGS) -Itests/lib $(TEST_CFLAGS) $(SANFLAGS) -O1 -o $@ $< $(SAN_RUNNER_OBJ) $(SAN_UI_TEST_OBJ) $(SAN_HARNESS_OBJ) $(PKG_LIBS) $(TEST_LIBS)

$(SAN)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(filter-out -Wformat=2,$(ALL_CFLAGS)) -Wformat $(DEPFLAGS) $(SANFLAGS) -O1 -c -o $@ $<

$(SAN)/tests/%: tests/%.c $(SAN_RUNNER_OBJ) $(SAN_HARNESS_OBJ)
	@mkdir -p $(dir $@)
	clang $(ALL_CFLAGS) $(DEPFLAGS) -Itests/lib $(TEST_CFLAGS) $(SANFLAGS) -O1 -o $@ $< $(SAN_RUNNER_OBJ) $(SAN_HARNESS_OBJ) $(PKG_LIBS) $(TEST_LIBS)

$(TSAN)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(filter-out -Wformat=2,$(ALL_CFLAGS)) -Wformat $(DEPFLAGS) -fsanitize=thread -O1 -c -o $@ $<
$(TSAN)/runner/lab.o $(TSAN)/runner/image.o: $(B)/datadir.stamp

$(TSAN)/isolab: $(TSAN_OBJ)
	clang $(ALL_CFLAGS) -fsanitize=thread -O1 -o $@ $^ $(PKG_LIBS)

$(FUZZ)/%.o: %.c
	@mkdir -p $(dir $@)
	clang $(ALL_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer-no-link,address,undefined -O1 -c -o $@ $<

$(FUZZ)/%: tests/fuzz/%.c $(FUZZ_RUNNER_OBJ)
	@mkdir -p $(dir $@)
	clang $(ALL_CFLAGS) $(DEPFLAGS) -fsanitize=fuzzer,address,undefined -O1 -o $@ $< $(FUZZ_RUNNER_OBJ) $(PKG_LIBS)

test-build: $(BIN) $(PROBE) $(UNIT_BIN) $(INTEG_BIN) $(E2E_BIN) $(SAN_BIN) $(TSAN)/isolab $(FUZZ_BIN)

# cppcheck, clang-tidy (.clang-tidy), scan-build and valgrind memcheck:
# zero findings (scripts/analyse says how each is run). tests/run's analyse
# layer runs the same, one analyser at a time.
analyse: $(BIN)
	B=$(B) BIN=./$(BIN) scripts/analyse

# --- benchmarks (not tests) ---------------------------------------------------

$(B)/bench/%: bench/%.c $(RUNNER_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(DEPFLAGS) -o $@ $< $(RUNNER_OBJ) $(PKG_LIBS)

# --- the two commands of README.md --------------------------------------------

bootstrap:
	scripts/bootstrap

run: bootstrap
	$(MAKE) all
	scripts/dockerd
	./isolab

test: bootstrap
	scripts/bootstrap --test
	$(MAKE) test-build
	scripts/dockerd
	tests/run

# For anyone not already on an isolated VM: a throwaway one, from Debian's
# packages, with no network device; quitting isolab powers it off.
vm:
	scripts/bootstrap --vm
	scripts/vm console

# --- install -------------------------------------------------------------------

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/labs $(DESTDIR)$(DATADIR)/image $(DESTDIR)$(MANDIR)
	install -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/isolab
	install -m 0644 labs/*.yaml $(DESTDIR)$(DATADIR)/labs/
	install -m 0644 image/Dockerfile $(DESTDIR)$(DATADIR)/image/Dockerfile
	install -m 0755 image/probe $(DESTDIR)$(DATADIR)/image/probe
	install -m 0644 docs/isolab.1 $(DESTDIR)$(MANDIR)/isolab.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/isolab $(DESTDIR)$(MANDIR)/isolab.1
	rm -rf $(DESTDIR)$(DATADIR)

clean:
	rm -rf $(B) isolab image/probe

# The header dependencies the compiler wrote (see DEPFLAGS); none before the
# first build, when everything is built anyway.
DEP_FILES := $(RUNNER_OBJ:.o=.d) $(UI_OBJ:.o=.d) $(HARNESS_OBJ:.o=.d) \
             $(SAN_RUNNER_OBJ:.o=.d) $(SAN_HARNESS_OBJ:.o=.d) $(SAN_UI_TEST_OBJ:.o=.d) $(TSAN_OBJ:.o=.d) \
             $(FUZZ_RUNNER_OBJ:.o=.d) \
             $(addsuffix .d,$(UNIT_BIN) $(INTEG_BIN) $(E2E_BIN) $(SAN_BIN) $(FUZZ_BIN) $(BENCH_BIN))
-include $(wildcard $(DEP_FILES))
