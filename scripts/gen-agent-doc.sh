#!/usr/bin/env bash
# Regenerates the key reference of docs/agent.md from the option table
# (stella-rti validate --reference); tests/agent/t_config.sh checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
RTI=${RTI:-build/rel/stella-rti}
"$RTI" validate --reference >/tmp/rti-ref.$$
python3 - /tmp/rti-ref.$$ docs/agent.md <<'PY'
import sys
ref = open(sys.argv[1]).read()
doc = open(sys.argv[2]).read()
a = doc.index("<!-- reference:begin -->\n") + len("<!-- reference:begin -->\n")
b = doc.index("<!-- reference:end -->")
open(sys.argv[2], "w").write(doc[:a] + ref + doc[b:])
PY
rm -f /tmp/rti-ref.$$
