#!/usr/bin/env bash
# The shape of the tree (issue 12, docs/architecture.md): short functions,
# no dependency cycles between modules or folders, cmd/ on the public API
# only, banned functions a compile error.
# variants: rel
. "$RTI_ROOT/tests/lib.sh"
S=$RTI_ROOT/tests/structure
cd "$RTI_ROOT"
show() { sed 's/^/#   /' "$1" | head -20; }
if $PY "$S/funclen.py" 100 cmd/stella-rti/*.c >"$T/o"; then ok "no function in cmd/ over 100 lines"
else not_ok "no function in cmd/ over 100 lines"; show "$T/o"; fi
if $PY "$S/funclen.py" 150 src/*/*.c >"$T/o"; then ok "no function in src/ over 150 lines"
else not_ok "no function in src/ over 150 lines"; show "$T/o"; fi
if $PY "$S/deps.py" "$RTI_BUILD" cycles >"$T/o"; then ok "no dependency cycle between modules (objects)"
else not_ok "no dependency cycle between modules (objects)"; show "$T/o"; fi
if $PY "$S/deps.py" "$RTI_BUILD" folders >"$T/o"; then ok "no dependency cycle between src/ folders"
else not_ok "no dependency cycle between src/ folders"; show "$T/o"; fi
if $PY "$S/includes.py" cycles >"$T/o"; then ok "no include cycle between headers"
else not_ok "no include cycle between headers"; show "$T/o"; fi
if $PY "$S/includes.py" cmd >"$T/o"; then ok "cmd/ includes only include/rti/ headers"
else not_ok "cmd/ includes only include/rti/ headers"; show "$T/o"; fi
# a banned function does not compile
for f in sprintf strcpy strcat strtok gets vsprintf strncpy; do
  printf '#include <stdio.h>\n#include <string.h>\nvoid f(char *d, const char *s);\nvoid f(char *d, const char *s) { %s(d, s); }\n' "$f" >"$T/b.c"
  if cc -std=c11 -D_GNU_SOURCE -include src/util/banned.h -c "$T/b.c" -o "$T/b.o" 2>"$T/e"; then
    not_ok "$f is a compile error"
  else
    check "$f is a compile error naming it" grep -q "poisoned.*$f" "$T/e"
  fi
done
check "no banned call in the tree (grep)" make -s --no-print-directory check-banned
done_testing
