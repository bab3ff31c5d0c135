#!/usr/bin/env bash
# Builds the Debian packages intake-kiosk_*.deb and hq-intake_*.deb (CPack, deploy/packaging.cmake)
# into <build>/packages/, then runs lintian on them: any error fails; warnings are printed.
#   bash deploy/package.sh [BUILD_DIR]      (default: build; `make package` passes $(BUILD))
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
JOBS=${JOBS:-$(nproc)}
OUT=$BUILD/packages

for tool in cpack dpkg-shlibdeps lintian; do
  command -v "$tool" >/dev/null || { echo "package.sh: $tool missing (bash deploy/install-deps.sh)" >&2; exit 1; }
done
[ -f "$BUILD/CMakeCache.txt" ] || cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo
cmake --build "$BUILD" --target intake-kiosk intakectl hq-intake ik_catalogues -j"$JOBS"

# changelog.Debian.gz: reproducible (gzip -9n), version and date filled in.
version=$(sed -n 's/^CPACK_PACKAGE_VERSION:.*=//p; s/^CMAKE_PROJECT_VERSION:STATIC=//p' "$BUILD/CMakeCache.txt" | head -1)
[ -n "$version" ] || version=$(grep -oP 'project\(intake_kiosk VERSION \K[0-9.]+' CMakeLists.txt)
date=$(date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")
mkdir -p "$BUILD/deb-doc"
sed -e "s/@VERSION@/$version-1/" -e "s/@DATE@/$date/" deploy/debian/changelog | gzip -9n > "$BUILD/deb-doc/changelog.Debian.gz"
mkdir -p "$BUILD/deb-doc/man"
for m in deploy/man/*.[18]; do gzip -9n < "$m" > "$BUILD/deb-doc/man/$(basename "$m").gz"; done

rm -rf "$OUT"
mkdir -p "$OUT"
# CPack's DEB generator writes root:root ownership into the archives itself.
(cd "$BUILD" && cpack -G DEB -B "$PWD/packages" --config CPackConfig.cmake) > "$OUT/cpack.log" 2>&1 || {
  cat "$OUT/cpack.log" >&2; exit 1; }
rm -rf "$OUT/_CPack_Packages"
debs=("$OUT"/*.deb)
[ ${#debs[@]} -eq 2 ] || { echo "package.sh: expected 2 packages, got: ${debs[*]}" >&2; exit 1; }
for d in "${debs[@]}"; do
  echo "== $(basename "$d") ($(du -k "$d" | cut -f1) KiB)"
  dpkg-deb -f "$d" Package Version Depends | sed 's/^/   /'
done

# lintian: errors fail the build; every warning is listed.
echo "== lintian"
set +e
lintian --tag-display-limit 0 --display-info \
  "${debs[@]}" > "$OUT/lintian.txt" 2>&1
rc=$?
set -e
cat "$OUT/lintian.txt"
errors=$(grep -c '^E: ' "$OUT/lintian.txt" || true)
warnings=$(grep -c '^W: ' "$OUT/lintian.txt" || true)
infos=$(grep -c '^I: ' "$OUT/lintian.txt" || true)
echo "lintian: $errors errors, $warnings warnings, $infos info (exit $rc)"
if [ "$errors" -ne 0 ]; then
  echo "package.sh: lintian reported errors" >&2
  exit 1
fi
echo "packages in $OUT"
