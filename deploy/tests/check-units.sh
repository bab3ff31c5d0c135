#!/usr/bin/env bash
# The units and policy files, checked without installing anything:
#   1. `systemd-analyze verify` on every unit, against a temporary root holding the package's
#      file tree (`cmake --install BUILD --component kiosk|hq`: the real binaries) and this
#      machine's own systemd units; third-party commands the packages depend on but this machine
#      lacks (cage, nft) are stubbed there, and named.
#   2. `systemd-analyze security --offline=true`: each unit's exposure against
#      deploy/tests/exposure.txt; a unit that got worse fails (one that got better says so).
#   3. the udev rule: parsed (what it matches, what it starts, nothing else), and run through
#      `udevadm test` in a private mount namespace with faked ID_* properties, both ways.
#   4. the USB mount step's policy: options and allowed types from usb-mount itself; it refuses a
#      block device that is not on USB.
#   5. isolation, from the unit files: the sync agents cannot see the database or its key
#      (only outbox/ inbox/ sync/ device.pub exist in their view) and run as ik-sync; the kiosk
#      cannot see the USB mounts.
#   6. nftables: the ruleset parses (`nft -c`, in a private network namespace).
# Usage: bash deploy/tests/check-units.sh [BUILD_DIR]      prints "N passed, M failed"
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
D=deploy
pass=0 fail=0
ok() { echo "  ok   $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL $*"; fail=$((fail + 1)); }
check() { local what=$1; shift; if "$@" >/dev/null 2>&1; then ok "$what"; else bad "$what"; fi; }

units=("$D"/systemd/*.service "$D"/systemd/*.timer "$D"/systemd/*.path)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# --- 1. verify ---------------------------------------------------------------------------------
echo "== systemd-analyze verify"
root=$work/root
mkdir -p "$root/lib/systemd" "$root/etc/systemd/system" "$root/usr/bin" "$root/usr/sbin"
cp -a /lib/systemd/system "$root/lib/systemd/"
have_build=0
if [ -x "$BUILD/bin/intake-kiosk" ] && [ -x "$BUILD/bin/intakectl" ] && [ -x "$BUILD/bin/hq-intake" ]; then
  have_build=1
  for c in kiosk hq; do cmake --install "$BUILD" --prefix "$root" --component "$c" >/dev/null || bad "cmake --install $c"; done
else
  echo "  (no built binaries in $BUILD: verifying against stubs of intakectl/hq-intake too)"
  mkdir -p "$root/usr/libexec/intake-kiosk"
  cp "$D"/systemd/* "$root/lib/systemd/system/"
  install -m 0755 "$D/libexec/usb-mount" "$root/usr/libexec/intake-kiosk/usb-mount"
  for c in usr/bin/intakectl usr/bin/hq-intake usr/bin/intake-kiosk; do printf '#!/bin/sh\n' > "$root/$c"; chmod +x "$root/$c"; done
fi
stubs=()
for c in /usr/bin/cage /usr/sbin/nft /usr/bin/systemd-mount; do
  if [ ! -x "$root$c" ] && [ ! -x "$c" ]; then
    printf '#!/bin/sh\n' > "$root$c"; chmod +x "$root$c"; stubs+=("$c")
  elif [ ! -x "$root$c" ]; then
    cp "$c" "$root$c"
  fi
done
[ ${#stubs[@]} -eq 0 ] || echo "  (stubbed, not on this machine: ${stubs[*]})"
for u in "${units[@]}"; do
  name=$(basename "$u")
  [ -f "$root/lib/systemd/system/$name" ] || cp "$u" "$root/lib/systemd/system/"
  cmp -s "$u" "$root/lib/systemd/system/$name" || bad "$name in the package tree differs from $u"
  out=$(systemd-analyze verify --root="$root" --man=no "$root/lib/systemd/system/$name" 2>&1)
  if [ -z "$out" ]; then ok "verify $name"; else bad "verify $name"; echo "$out" | sed 's/^/       /'; fi
done

# --- 2. exposure -------------------------------------------------------------------------------
echo "== systemd-analyze security --offline=true (tracked in $D/tests/exposure.txt)"
for u in "$D"/systemd/*.service; do
  name=$(basename "$u")
  got=$(systemd-analyze security --offline=true --no-pager "$u" 2>/dev/null |
        sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
  want=$(awk -v u="$name" '$1 == u { print $2 }' "$D/tests/exposure.txt")
  if [ -z "$got" ]; then bad "$name: no exposure from systemd-analyze"; continue; fi
  if [ -z "$want" ]; then bad "$name: exposure $got, not recorded in exposure.txt"; continue; fi
  if awk -v g="$got" -v w="$want" 'BEGIN { exit !(g > w) }'; then
    bad "$name: exposure $got, worse than the recorded $want"
  elif awk -v g="$got" -v w="$want" 'BEGIN { exit !(g < w) }'; then
    ok "$name: exposure $got, better than the recorded $want (record the new number)"
  else
    ok "$name: exposure $got (recorded $want)"
  fi
done

# The doc's table carries the same numbers (docs/operations.md, "The units and their sandboxes").
while read -r unit num; do
  case "$unit" in ''|'#'*) continue ;; esac
  grep -Eq "^\| \`$unit\`.*\| \*\*$num\*\* \|\$" docs/operations.md && ok "docs/operations.md records $unit $num" ||
    bad "docs/operations.md does not record $unit exposure $num"
done < "$D/tests/exposure.txt"

# --- 3. udev rule ------------------------------------------------------------------------------
echo "== udev rule"
rule=$D/udev/90-intake-sync.rules
lines=$(grep -v '^[[:space:]]*#' "$rule" | grep -c '[^[:space:]]')
[ "$lines" -eq 1 ] && ok "one rule in $(basename "$rule")" || bad "expected exactly one rule, found $lines"
r=$(grep -v '^[[:space:]]*#' "$rule" | grep '[^[:space:]]')
for m in 'ACTION=="add"' 'SUBSYSTEM=="block"' 'ENV{ID_BUS}=="usb"' 'ENV{ID_FS_USAGE}=="filesystem"' \
         'ENV{ID_FS_TYPE}=="vfat|exfat|ext4"' 'TAG+="systemd"' 'ENV{SYSTEMD_WANTS}+="intake-sync-usb@%k.service"'; do
  [[ "$r" == *"$m"* ]] && ok "rule has $m" || bad "rule lacks $m"
done
# It starts the service and does nothing else: no RUN, no mounts, no owner/mode changes, no names.
if grep -v '^[[:space:]]*#' "$rule" | grep -Eq 'RUN|PROGRAM|IMPORT|OWNER|GROUP|MODE|SYMLINK|NAME=|mount'; then
  bad "the rule runs or changes something beyond starting the service"
else
  ok "the rule only starts intake-sync-usb@%k.service"
fi
udev_case() { # expect(yes|no) action bus usage type
  local expect=$1 action=$2 bus=$3 usage=$4 type=$5 out
  out=$(unshare -m bash -c '
      set -e
      mount -t tmpfs none /lib/udev/rules.d
      mkdir -p /etc/udev/rules.d /run/udev && mount -t tmpfs none /etc/udev/rules.d && mount -t tmpfs none /run/udev
      printf "ENV{ID_BUS}=\"%s\", ENV{ID_FS_USAGE}=\"%s\", ENV{ID_FS_TYPE}=\"%s\"\n" "$2" "$3" "$4" > /etc/udev/rules.d/00-fake.rules
      cp "$5" /etc/udev/rules.d/
      udevadm test --action="$1" "$6" 2>/dev/null' _ "$action" "$bus" "$usage" "$type" "$PWD/$rule" "$dev")
  if [ "$expect" = yes ]; then
    grep -qx "SYSTEMD_WANTS=intake-sync-usb@${dev##*/}.service" <<<"$out"
  else
    ! grep -q 'intake-sync-usb@' <<<"$out"
  fi
}
dev=$(ls -d /sys/class/block/* 2>/dev/null | head -1)
if [ -n "$dev" ] && command -v udevadm >/dev/null && unshare -m true 2>/dev/null; then
  check "udevadm test: usb vfat filesystem starts the sync" udev_case yes add usb filesystem vfat
  check "udevadm test: usb exfat starts the sync" udev_case yes add usb filesystem exfat
  check "udevadm test: usb ext4 starts the sync" udev_case yes add usb filesystem ext4
  check "udevadm test: usb ntfs does not" udev_case no add usb filesystem ntfs
  check "udevadm test: usb crypto_LUKS does not" udev_case no add usb crypto crypto_LUKS
  check "udevadm test: ata (internal) vfat does not" udev_case no add ata filesystem vfat
  check "udevadm test: change event does not" udev_case no change usb filesystem vfat
else
  echo "  (udevadm test skipped: no block device, udevadm or mount namespace here)"
fi

# --- 4. the mount step -------------------------------------------------------------------------
echo "== USB mount policy (usb-mount)"
um=$D/libexec/usb-mount
opts=$(sh "$um" options ext4)
for o in nosuid nodev noexec nosymfollow; do
  [[ ",$opts," == *",$o,"* ]] && ok "ext4 mounted with $o" || bad "ext4 options lack $o: $opts"
done
for t in vfat exfat ext4; do check "usb-mount allows $t" sh "$um" check-type "$t"; done
for t in ntfs btrfs iso9660 squashfs hfsplus ""; do
  if sh "$um" check-type "$t" 2>/dev/null; then bad "usb-mount allows '$t'"; else ok "usb-mount refuses '$t'"; fi
done
if getent passwd ik-sync >/dev/null; then
  for t in vfat exfat; do
    o=$(sh "$um" options "$t")
    [[ "$o" == nosuid,nodev,noexec,nosymfollow,* && "$o" == *dmask=0077* && "$o" == *fmask=0177* ]] &&
      ok "$t: $o" || bad "$t options: $o"
  done
fi
for n in ../sda1 sda1/x 'sd$(id)' vda loop0; do
  if sh "$um" mount "$n" >/dev/null 2>&1; then bad "usb-mount mounted '$n'"; else ok "usb-mount refuses '$n'"; fi
done
# The service passes the options through systemd-mount, with no fsck, and nothing mounts elsewhere.
grep -q 'systemd-mount --fsck=no .*-o "\$opts"' "$um" && ok "mounted by systemd-mount --fsck=no with the policy's options" ||
  bad "usb-mount does not mount with systemd-mount --fsck=no -o \$opts"

# --- 5. isolation ------------------------------------------------------------------------------
echo "== isolation (unit files)"
val() { awk -F= -v k="$2" '$1 == k { sub(/^[^=]*=/, ""); print }' "$1"; }
for u in "$D/systemd/intake-sync-usb@.service" "$D/systemd/intake-sync-net.service"; do
  n=$(basename "$u")
  [ "$(val "$u" User)" = ik-sync ] && ok "$n runs as ik-sync" || bad "$n does not run as ik-sync"
  [ "$(val "$u" TemporaryFileSystem)" = "/var/lib/intake-kiosk:ro" ] && ok "$n: the data directory is an empty tmpfs" ||
    bad "$n: /var/lib/intake-kiosk is not replaced by a TemporaryFileSystem"
  binds=$(val "$u" BindReadOnlyPaths; val "$u" BindPaths; val "$u" ReadWritePaths)
  leaked=$(tr ' ' '\n' <<<"$binds" | sed 's/^-//' | grep '^/var/lib/intake-kiosk' |
           grep -Evx '/var/lib/intake-kiosk/(outbox|inbox|sync|device\.pub)' || true)
  [ -z "$leaked" ] && ok "$n sees only outbox/ inbox/ sync/ device.pub of the data directory" || bad "$n also sees: $leaked"
  grep -q '/var/lib/intake-kiosk/outbox' <<<"$(val "$u" BindReadOnlyPaths)" && ok "$n: outbox/ read-only" || bad "$n: outbox/ not read-only"
  [ -z "$(val "$u" CapabilityBoundingSet)" ] && grep -q '^CapabilityBoundingSet=$' "$u" && ok "$n: no capabilities" || bad "$n has capabilities"
  [ "$(val "$u" NoNewPrivileges)" = yes ] && ok "$n: NoNewPrivileges" || bad "$n: NoNewPrivileges missing"
  # The only privileged steps are usb-mount's, and they are the mount, nothing else.
  priv=$(grep -E '^Exec[A-Za-z]*=[+!]' "$u" | grep -v '=+/usr/libexec/intake-kiosk/usb-mount \(mount\|unmount\) %I$' || true)
  [ -z "$priv" ] && ok "$n: no privileged step but usb-mount" || bad "$n privileged: $priv"
done
grep -q '^PrivateNetwork=yes' "$D/systemd/intake-sync-usb@.service" && ok "USB agent: no network" || bad "USB agent has network"
grep -q '^IPAddressDeny=any' "$D/systemd/intake-sync-net.service" && ok "network agent: IPAddressDeny=any (HQ allowed by drop-in)" ||
  bad "network agent not IPAddressDeny=any"
k=$D/systemd/intake-kiosk.service
[ "$(val "$k" User)" = kiosk ] && ok "kiosk runs as kiosk" || bad "kiosk user"
grep -q '^InaccessiblePaths=.*/run/intake-usb' "$k" && ok "kiosk: /run/intake-usb inaccessible" || bad "kiosk can see /run/intake-usb"
grep -Eq '^SupplementaryGroups=.*\bik-sync\b' "$k" && bad "kiosk is in group ik-sync (the USB mounts' group)" || ok "kiosk not in group ik-sync"
grep -q '^d /run/intake-usb 0750 root ik-sync' "$D/policy/tmpfiles.conf" && ok "/run/intake-usb is 0750 root:ik-sync from boot" || bad "tmpfiles /run/intake-usb"
grep -q '^IPAddressDeny=any' "$k" && ok "kiosk: no IP" || bad "kiosk has IP"
grep -Eq '^ExecStart=/usr/bin/cage (-[dmr] )*-- ' "$k" && ! grep -Eq '^ExecStart=/usr/bin/cage .*-s' "$k" &&
  ok "cage without -s (no VT switching)" || bad "cage may switch VTs"
grep -q 'XKB_DEFAULT_OPTIONS=srvrkeys:none' "$k" && ok "XKB srvrkeys:none" || bad "no srvrkeys:none"
for kv in 'Type=notify' 'NotifyAccess=all' 'WatchdogSec=30' 'Restart=always' 'TTYPath=/dev/tty1' 'Conflicts=getty@tty1.service'; do
  grep -qx "$kv" "$k" && ok "kiosk: $kv" || bad "kiosk lacks $kv"
done
grep -qx 'NAutoVTs=0' "$D/policy/logind.conf" && grep -qx 'ReserveVT=0' "$D/policy/logind.conf" && ok "logind: NAutoVTs=0 ReserveVT=0" || bad "logind drop-in"
grep -qx 'CtrlAltDelBurstAction=none' "$D/policy/system.conf" && ok "CtrlAltDelBurstAction=none" || bad "system.conf drop-in"
grep -q "mask 'ctrl-alt-del.target'" "$D/debian/kiosk/postinst" && ok "postinst masks ctrl-alt-del.target" || bad "ctrl-alt-del.target not masked"

# --- 6. nftables -------------------------------------------------------------------------------
echo "== nftables"
if command -v nft >/dev/null && unshare -n true 2>/dev/null; then
  mkdir -p "$work/nft/nftables.d"
  sed "s#/etc/intake-kiosk/nftables.d#$work/nft/nftables.d#" "$D/policy/nftables.nft" > "$work/nft/rules.nft"
  printf 'add element inet intake_kiosk hq_v4 { 192.0.2.10 }\nadd element inet intake_kiosk hq_ports { 8443 }\nadd element inet intake_kiosk dns_v4 { 192.0.2.53 }\n' \
    > "$work/nft/nftables.d/hq.nft"
  check "nft -c: the ruleset with an HQ address parses" unshare -n nft -c -f "$work/nft/rules.nft"
  # Loaded for real in a private network namespace: the policies are drop.
  out=$(unshare -n bash -c "nft -f '$work/nft/rules.nft' && nft list table inet intake_kiosk" 2>&1)
  for c in input forward output; do
    grep -A1 "chain $c {" <<<"$out" | grep -q 'policy drop' && ok "chain $c: policy drop" || bad "chain $c not policy drop"
  done
  grep -q 'elements = { 192.0.2.10 }' <<<"$out" && ok "HQ address loaded from nftables.d" || bad "HQ address not in the set"
else
  echo "  (nft or network namespaces missing: nftables checks skipped)"
fi

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
