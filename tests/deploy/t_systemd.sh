#!/usr/bin/env bash
# The systemd unit (issue #13 item 6, spec agent.md §6): installed under a
# temporary PREFIX (so that its ExecStart paths and man page exist),
# `systemd-analyze verify` finds nothing to say, `systemd-analyze security`
# rates it, and it carries every hardening setting the spec names.
# variants: rel
. "$RTI_ROOT/tests/lib.sh"
if ! systemd-analyze --version >/dev/null 2>&1; then
  echo "# SKIP systemd-analyze cannot run here"; ok "# SKIP systemd-analyze"; done_testing; exit
fi
P=$T/prefix
make -C "$RTI_ROOT" -s --no-print-directory V="$RTI_V" BUILD="$(dirname "$RTI_BUILD")" install PREFIX="$P" >"$T/make.out" 2>&1 ||
  { not_ok "make install"; sed 's/^/#   /' "$T/make.out"; }
U=$P/lib/systemd/system/stella-rti.service
export MANPATH=$P/share/man # Documentation=man:stella-rti(1) is checked too
# verify exits 0 even for an unknown key: it must print nothing at all
cd "$T"
systemd-analyze verify "$U" >"$T/verify.out" 2>&1; rc=$?
if [ $rc -eq 0 ] && [ ! -s "$T/verify.out" ]; then ok "systemd-analyze verify: clean"
else not_ok "systemd-analyze verify: clean (rc $rc)"; sed 's/^/#   /' "$T/verify.out"; fi
sed 's/^ProtectSystem=strict/ProtectSytem=strict/' "$U" >"$T/stella-rti.service"
systemd-analyze verify "$T/stella-rti.service" >"$T/bad.out" 2>&1
check "the check has teeth: a misspelt key is reported" grep -q "Unknown key 'ProtectSytem'" "$T/bad.out"

score=$(systemd-analyze security --offline=yes "$U" 2>/dev/null | sed -n 's/.*Overall exposure level for stella-rti.service: \([0-9.]*\).*/\1/p')
echo "# systemd-analyze security: exposure $score"
check "systemd-analyze security: exposure at most 3.0 of 10 ($score)" awk -v s="${score:-99}" 'BEGIN { exit !(s <= 3.0) }'

has() { grep -qx -- "$1" "$U"; }
for d in ProtectSystem=strict StateDirectory=stella-rti LogsDirectory=stella-rti NoNewPrivileges=yes \
         "CapabilityBoundingSet=CAP_SYS_PTRACE CAP_DAC_READ_SEARCH" PrivateTmp=yes ProtectKernelTunables=yes \
         ProtectKernelModules=yes ProtectControlGroups=yes Restart=on-failure; do
  check "unit: $d" has "$d"
done
check "unit: no ProtectProc= (invisible would hide the traced processes)" sh -c "! grep -q '^ProtectProc=' '$U'"
check "unit: no ProcSubset=pid either" sh -c "! grep -q '^ProcSubset=' '$U'"
check "unit: ExecStartPre= validates the config" has "ExecStartPre=$P/bin/stella-rti validate --config /etc/stella-rti/config.yaml"
check "unit: ExecReload= validates, then HUPs" test "$(grep '^ExecReload=' "$U" | tr '\n' '|')" = \
  "ExecReload=$P/bin/stella-rti validate --config /etc/stella-rti/config.yaml|ExecReload=/bin/kill -HUP \$MAINPID|"
done_testing
