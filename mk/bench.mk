# Benchmark tools for `make bench` (bench/run.sh): the capture generator,
# and the simdjson parse-only anchor (C++, bench only, not product code).
# `make` alone still means `make all`, whatever order mk/*.mk come in.
.DEFAULT_GOAL := all

EXTRA_BINS += $(O)/rti-gen

$(O)/rti-gen: $(O)/bench/gen-capture.o
	$(CC) $(VLDFLAGS) -o $@ $^ -lm

# The anchor takes ~8 s to compile (simdjson.h is one big header), so only
# the release variant that `make bench` uses builds it.
SIMDJSON_LIBS := $(shell pkg-config --libs simdjson 2>/dev/null)
ifeq ($(V),rel)
ifneq ($(SIMDJSON_LIBS),)
EXTRA_BINS += $(O)/rti-simdjson-parse
endif
endif

CXX ?= g++
$(O)/rti-simdjson-parse: bench/simdjson-parse.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 -O2 -g -Wall -Wextra $(shell pkg-config --cflags simdjson) -o $@ $< $(SIMDJSON_LIBS)

# Anchors for the work every event needs: jsmn tokenizing, SHA-256 of the
# output line, record framing, secret detection of the emitted strings
# (bench/floors.c).
EXTRA_BINS += $(O)/rti-floors

$(O)/rti-floors: $(O)/bench/floors.o $(O)/libstella-rti.a
	$(CC) $(VLDFLAGS) -o $@ $^ $(LIBS)
