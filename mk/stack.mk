# Stack canonicalization and symbol resolution (src/stack, docs/stacks.md).
#
# Demangling uses libiberty (libiberty-dev), a static library without a
# pkg-config file.
LIBS += -liberty

# fuzz/run.sh links the fuzz targets with its own fixed library list, which
# has no -liberty: the fuzz build of the demangler demangles nothing.
ifeq ($(V),fuzz)
$(O)/src/stack/demangle.o: CFLAGS += -DRTI_NO_LIBIBERTY
endif
