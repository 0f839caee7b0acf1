# Stack canonicalization and symbol resolution (src/stack, docs/stacks.md).
#
# Demangling uses libiberty (libiberty-dev), a static library without a
# pkg-config file.
LIBS += -liberty


# bench/stack/run.sh: stack-bench measures symbol resolution alone
.DEFAULT_GOAL := all
EXTRA_BINS += $(O)/stack-bench

# (the Makefile defines LIB after including mk/*.mk: spelled out here)
$(O)/stack-bench: bench/stack/bench_stack.c $(O)/libstella-rti.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VLDFLAGS) -o $@ $< $(O)/libstella-rti.a $(LIBS)
