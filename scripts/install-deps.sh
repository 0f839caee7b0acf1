#!/usr/bin/env bash
# Installs the Debian packages stella-rti needs, when something is missing
# and we are root. Quiet when everything is there.
set -eu
PKGS=(
  build-essential pkg-config clang libclang-rt-14-dev
  libjsmn-dev zlib1g-dev libyaml-dev libssl-dev libelf-dev libsqlite3-dev
  libpq-dev libnghttp2-dev libprotobuf-c-dev protobuf-c-compiler libprotobuf-dev
  libcurl4-openssl-dev libiberty-dev libzip-dev
  python3 python3-jsonschema python3-grpcio python3-grpc-tools python3-protobuf python3-yaml
  postgresql sqlite3 jq binutils elfutils libc6-dbg libsimdjson-dev g++ time
  golang-go rustc libmicrohttpd-dev prometheus
  systemd man-db groff-base
  librtmp-dev libssh2-1-dev libpsl-dev libkrb5-dev libldap-dev libzstd-dev
  libunistring-dev
  openssl e2fsprogs util-linux curl
)
# openssl, e2fsprogs (mkfs.ext4), util-linux (mount) and curl: tests/delivery
# (a test CA; a small file system filled up; the agent's endpoints).
# systemd (systemd-analyze), man-db and groff-base: tests/deploy checks the
# unit and the man page. The last two lines: what `pkg-config --static`
# of libcurl and libmicrohttpd names on Debian, for programs linked against
# the installed static library.
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages (run as root to install): ${missing[*]}" >&2
  exit 1
fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
