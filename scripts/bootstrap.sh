#!/bin/sh
# Installs every build and test dependency of Crossdock from Debian 12 packages.
# Idempotent: prints nothing and exits 0 when everything is already present.
set -eu

PACKAGES="
  build-essential cmake ninja-build ccache pkg-config git
  g++ clang-14 libclang-rt-14-dev clang-format
  libboost-dev libboost-system-dev
  libsimdjson-dev rapidjson-dev libsqlite3-dev sqlite3
  libyaml-cpp-dev libspdlog-dev libfmt-dev libcli11-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  python3 python3-jsonschema curl ca-certificates procps
  tryton-server tryton-proteus tryton-modules-party tryton-modules-product
  tryton-modules-stock tryton-modules-sale tryton-modules-account-invoice
  tryton-modules-sale-credit-limit
"

missing=""
for p in $PACKAGES; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done

[ -z "$missing" ] && exit 0

echo "bootstrap: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >/dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing >/dev/null
echo "bootstrap: done"
