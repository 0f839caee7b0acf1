# The rotating event file's load driver (tests/rotate/t_rotate_load.sh).
# `make` alone still means `make all`.
.DEFAULT_GOAL := all
EXTRA_BINS += $(O)/tests/rotate-load

$(O)/tests/rotate-load: tests/rotate/rotate-load.c $(O)/libstella-rti.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(VLDFLAGS) -o $@ $< $(O)/libstella-rti.a $(LIBS)
