#!/usr/bin/env bash
# Builds every fuzz/fuzz_<name>.c as a libFuzzer target against the
# coverage-instrumented library (make V=fuzz) and runs each for a bounded
# time on its corpus fuzz/corpus/<name>/ (new inputs go to fuzz/out/, the
# checked-in corpus is never modified). Usage: fuzz/run.sh [SECONDS]
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
BUILD=${BUILD:-build}
B=$BUILD/fuzz
CFLAGS="-std=c11 -D_GNU_SOURCE -g -O1 -include src/util/banned.h -Iinclude -Isrc -I$BUILD/gen $(pkg-config --cflags zlib yaml-0.1 libcrypto libelf sqlite3 libpq libnghttp2 libprotobuf-c libcurl libmicrohttpd libzip)"
LIBS="$(pkg-config --libs zlib yaml-0.1 libcrypto libelf sqlite3 libpq libnghttp2 libprotobuf-c libcurl libmicrohttpd libzip) -liberty -lpthread -lm"
[ -f "$B/libstella-rti.a" ] || make --no-print-directory V=fuzz BUILD="$BUILD" lib
mkdir -p "$B/fuzz" fuzz/out
status=0
for src in fuzz/fuzz_*.c; do
  name=$(basename "$src" .c); name=${name#fuzz_}
  bin=$B/fuzz/fuzz_$name
  clang $CFLAGS -fsanitize=fuzzer,address,undefined -o "$bin" "$src" "$B/libstella-rti.a" $LIBS
  mkdir -p "fuzz/out/$name"
  echo "== fuzz $name (${secs}s)"
  if ! "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=1048576 \
       -print_final_stats=1 -artifact_prefix="fuzz/out/$name-" "fuzz/out/$name" "fuzz/corpus/$name" \
       >"fuzz/out/$name.log" 2>&1; then
    echo "FAIL $name: see fuzz/out/$name.log"; tail -30 "fuzz/out/$name.log"; status=1
  else
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "fuzz/out/$name.log" | sed "s/^/  $name /"
  fi
done
exit $status
