# The signals push: the test driver of the signals batch source
# (tests/delivery/t_signals.sh).
.DEFAULT_GOAL := all

EXTRA_BINS += $(O)/tests/signals-check

$(O)/tests/signals-check: tests/delivery/signals_check.c $(O)/libstella-rti.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VLDFLAGS) -o $@ $< $(O)/libstella-rti.a $(LIBS)
