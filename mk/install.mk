# `make install` (docs/deployment.md): PREFIX (default /usr/local) and
# DESTDIR, as usual. Installs the binary, the systemd unit (its ExecStart
# paths set to BINDIR), the man page, libstella-rti.a, the public headers
# under include/rti/ and stella-rti.pc. The library is static only: the
# objects are not built position-independent for a shared one.
# `make` alone still means `make all`.
.DEFAULT_GOAL := all

PREFIX     ?= /usr/local
BINDIR     ?= $(PREFIX)/bin
LIBDIR     ?= $(PREFIX)/lib
INCLUDEDIR ?= $(PREFIX)/include
MANDIR     ?= $(PREFIX)/share/man
UNITDIR    ?= $(PREFIX)/lib/systemd/system
PCDIR      ?= $(LIBDIR)/pkgconfig
INSTALL    ?= install
VERSION    ?= 0.1.0

# the static library's own dependencies: the pkg-config modules it is
# built with, and the plain -l flags beside them (-lpthread, -lm, -liberty).
# libpq is not linked but loaded with dlopen (src/hotsym/pq_load.c): only
# its header is used, so it is no requirement of the library.
PC_REQUIRES = $(filter-out libpq,$(PKGS))
PC_LIBS_PRIVATE = $(filter-out $(PKG_LIBS),$(LIBS)) -ldl

$(O)/stella-rti.pc: mk/stella-rti.pc.in mk/install.mk
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|' -e 's|@VERSION@|$(VERSION)|' \
	    -e 's|@REQUIRES@|$(PC_REQUIRES)|' -e 's|@LIBS_PRIVATE@|$(PC_LIBS_PRIVATE)|' $< >$@

$(O)/stella-rti.service: deploy/systemd/stella-rti.service
	@mkdir -p $(dir $@)
	sed -e 's|/usr/local/bin/stella-rti|$(BINDIR)/stella-rti|g' $< >$@

.PHONY: install uninstall
# the .pc and the unit carry PREFIX: always made anew
.PHONY: $(O)/stella-rti.pc $(O)/stella-rti.service
install: $(BIN) $(LIB) $(O)/stella-rti.pc $(O)/stella-rti.service
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) $(DESTDIR)$(PCDIR) \
		$(DESTDIR)$(INCLUDEDIR)/rti $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(UNITDIR)
	$(INSTALL) -m 0755 $(BIN) $(DESTDIR)$(BINDIR)/stella-rti
	$(INSTALL) -m 0644 $(LIB) $(DESTDIR)$(LIBDIR)/libstella-rti.a
	$(INSTALL) -m 0644 include/rti/*.h $(DESTDIR)$(INCLUDEDIR)/rti/
	$(INSTALL) -m 0644 docs/stella-rti.1 $(DESTDIR)$(MANDIR)/man1/stella-rti.1
	$(INSTALL) -m 0644 $(O)/stella-rti.service $(DESTDIR)$(UNITDIR)/stella-rti.service
	$(INSTALL) -m 0644 $(O)/stella-rti.pc $(DESTDIR)$(PCDIR)/stella-rti.pc

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/stella-rti $(DESTDIR)$(LIBDIR)/libstella-rti.a \
	      $(DESTDIR)$(MANDIR)/man1/stella-rti.1 $(DESTDIR)$(UNITDIR)/stella-rti.service \
	      $(DESTDIR)$(PCDIR)/stella-rti.pc
	rm -rf $(DESTDIR)$(INCLUDEDIR)/rti
