# stella-rti build. `make` builds the library and CLI; `make test` runs the
# whole suite twice (release, then ASan+UBSan) and ends with one line
# "N passed, N failed"; `make demo`, `make fuzz`, `make bench`, `make install`
# (mk/install.mk: PREFIX, DESTDIR).
#
# Sources are found by wildcard: src/<stage>/*.c form libstella-rti.a,
# cmd/stella-rti/*.c the CLI, tests/unit/test_*.c one test program each.
# Extra rules (generated protobuf code, test peers) live in mk/*.mk.

BUILD   ?= build
CC      ?= cc
CLANG   ?= clang
PKGS    := zlib yaml-0.1 libcrypto libelf sqlite3 libpq libnghttp2 libprotobuf-c libcurl libmicrohttpd libzip
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Wformat=2 -Wvla -Wstrict-prototypes
BASE_CFLAGS := -std=c11 -D_GNU_SOURCE -g $(WARN) -Iinclude -Isrc -I$(BUILD)/gen $(PKG_CFLAGS) \
               -include src/util/banned.h
LIBS    := $(PKG_LIBS) -lpthread -lm

# variant: rel (default) or asan
V       ?= rel
ifeq ($(V),fuzz)
# libFuzzer: the library is instrumented for coverage; fuzz/run.sh links targets
CC      := $(CLANG)
VCFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined,fuzzer-no-link
VLDFLAGS := -fsanitize=address,undefined
else ifeq ($(V),asan)
VCFLAGS := -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined
VLDFLAGS := -fsanitize=address,undefined
else
VCFLAGS := -O2
VLDFLAGS :=
endif
CFLAGS  ?=
CFLAGS  += $(BASE_CFLAGS) $(VCFLAGS)

O       := $(BUILD)/$(V)
LIB_SRCS := $(sort $(wildcard src/*/*.c))
GEN_SRCS  =
CMD_SRCS := $(sort $(wildcard cmd/stella-rti/*.c))
TEST_SRCS := $(sort $(wildcard tests/unit/test_*.c))

-include $(sort $(wildcard mk/*.mk))

LIB_OBJS  = $(LIB_SRCS:%.c=$(O)/%.o) $(GEN_SRCS:%.c=$(O)/%.o)
CMD_OBJS  = $(CMD_SRCS:%.c=$(O)/%.o)
TEST_BINS = $(TEST_SRCS:tests/unit/%.c=$(O)/tests/%)
LIB       = $(O)/libstella-rti.a
BIN       = $(O)/stella-rti

.PHONY: all lib test test-rel test-asan demo fuzz bench soak deps clean check-banned
all: $(BIN) $(TEST_BINS) $(EXTRA_BINS)

lib: $(LIB)

$(O)/%.o: %.c | gen
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

# cmd/ is built on the public API only: without -Isrc, a private header
# there does not compile (docs/architecture.md)
$(CMD_OBJS): CFLAGS := $(filter-out -Isrc,$(CFLAGS))

$(LIB): $(LIB_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(BIN): $(CMD_OBJS) $(LIB)
	$(CC) $(VLDFLAGS) -o $@ $(CMD_OBJS) $(LIB) $(LIBS)

$(O)/tests/%: tests/unit/%.c $(LIB) tests/unit/tap.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VLDFLAGS) -Itests/unit -o $@ $< $(LIB) $(LIBS)

.PHONY: gen
gen: $(GEN_HDRS)

-include $(shell find $(BUILD)/$(V) -name '*.d' 2>/dev/null)

deps:
	@bash scripts/install-deps.sh

# The suite, run on the release build and on the ASan+UBSan build.
test: deps
	@$(MAKE) -s --no-print-directory V=rel all
	@$(MAKE) -s --no-print-directory V=asan all
	@RTI_BUILD_ROOT=$(BUILD) bash tests/run.sh

demo: deps
	@$(MAKE) -s --no-print-directory V=rel all
	@bash scripts/demo.sh

# FUZZ_SECONDS per target (default 60)
fuzz: deps
	@$(MAKE) --no-print-directory V=fuzz lib
	@bash fuzz/run.sh $(FUZZ_SECONDS)

# every benchmark, each with its anchors in the same run (docs/performance.md)
bench: deps
	@$(MAKE) -s --no-print-directory V=rel all
	@BUILD=$(BUILD) bash bench/run.sh
	@BUILD=$(BUILD) bash bench/stack/run.sh
	@BUILD=$(BUILD) bash bench/grpc/run.sh
	@bash bench/hotsym/run.sh $(BUILD)/rel
	@bash bench/privacy/run.sh $(BUILD)/rel
	@BUILD=$(BUILD) bash bench/delivery/run.sh

# hours: SOAK_EVENTS through the agent, RSS/fds flat, counts exact (docs/performance.md)
soak: deps
	@$(MAKE) -s --no-print-directory V=rel all
	@BUILD=$(BUILD) bash scripts/soak.sh

check-banned:
	@! git grep -nE '\b(sprintf|vsprintf|strcpy|strcat|strncpy|strncat|gets|strtok)\s*\(' -- '*.c' '*.h' ':!src/util/banned.h'

clean:
	rm -rf build
