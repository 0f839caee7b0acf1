# Hot symbol index: the test driver (tests/hotsym/t_*.sh feed files through
# the index as `convert --hot-index` will) and the benchmark (bench/hotsym).
.DEFAULT_GOAL := all

HOTSYM_LIB := $(O)/libstella-rti.a
EXTRA_BINS += $(O)/tests/hotsym-feed $(O)/bench/hotsym-bench

$(O)/tests/hotsym-feed: tests/hotsym/feed.c $(HOTSYM_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VLDFLAGS) -o $@ $< $(HOTSYM_LIB) $(LIBS)

$(O)/bench/hotsym-bench: bench/hotsym/bench.c $(HOTSYM_LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VLDFLAGS) -o $@ $< $(HOTSYM_LIB) $(LIBS)
