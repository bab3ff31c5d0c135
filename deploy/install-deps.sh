#!/usr/bin/env bash
# The single source of truth for every build, test and demo dependency of Intake Kiosk.
# Installs Debian 12 packages by name; idempotent; uses sudo when not root; prints what it installs.
set -euo pipefail

PACKAGES=(
  # toolchain and test framework
  build-essential cmake pkg-config clang-16 libclang-rt-16-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # security core
  libsodium-dev libsqlcipher-dev sqlcipher libsqlite3-dev sqlite3
  # well-kept libraries
  libfmt-dev libcli11-dev nlohmann-json3-dev libtomlplusplus-dev
  libcurl4-openssl-dev libcpp-httplib-dev libssl-dev openssl
  # user interface
  libimgui-dev libstb-dev libglfw3-dev libgl-dev libgl1-mesa-dri
  xvfb xauth fonts-dejavu-core iso-codes gettext libboost-locale-dev
  # the kiosk's watchdog (sd_notify)
  libsystemd-dev
  # Debian packages and the machine-policy checks (deploy/package.sh, deploy/tests/)
  dpkg-dev fakeroot file lintian debootstrap systemd udev nftables python3
  # the independent bundle-format reader (tests/vectors/spec_reader.py, CTest BundleSpec.*)
  python3-nacl
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
