#!/usr/bin/env bash
# The packages on a fresh Debian 12: debootstrap a minimal bookworm root, `apt install` both
# .debs into it (Depends resolved from the mirror), then check — by script, against the table in
# docs/operations.md — the commands, system users, directories, owners, modes and enabled
# units; then provision HQ and a kiosk non-interactively inside it (hq-intake-provision,
# intake-kiosk-provision: real keys, real `intakectl init` as user kiosk) and check the device's
# files and who can reach them (runuser as ik-sync / kiosk).
#
# Needs root and the Debian mirror (the one apt uses here, or IK_DEBIAN_MIRROR).
# Usage: bash deploy/tests/install-test.sh [BUILD_DIR]   (packages from BUILD_DIR/packages)
#   IK_KEEP_ROOT=1   keep the root for a look (path printed)
set -uo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build}
t0=$(date +%s)
pass=0 fail=0
ok() { echo "  ok   $*"; pass=$((pass + 1)); }
bad() { echo "  FAIL $*"; fail=$((fail + 1)); }
die() { echo "install-test: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot)"
command -v debootstrap >/dev/null || die "debootstrap missing (bash deploy/install-deps.sh)"
kdeb=$(ls "$BUILD"/packages/intake-kiosk_*.deb 2>/dev/null | head -1)
hdeb=$(ls "$BUILD"/packages/hq-intake_*.deb 2>/dev/null | head -1)
[ -n "$kdeb" ] && [ -n "$hdeb" ] || die "no packages in $BUILD/packages (make package)"

mirror=${IK_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{ print $2 }' | grep -v security | head -1)
  [ -n "$mirror" ] || mirror=$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)
  [ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi

root=$(mktemp -d /var/tmp/ik-install-test.XXXXXX)
chmod 0755 "$root"  # it becomes /: every user must be able to enter it
cleanup() {
  for m in proc sys dev/pts; do umount -l "$root/$m" 2>/dev/null || true; done
  if [ "${IK_KEEP_ROOT:-0}" = 1 ]; then echo "root kept: $root"; else rm -rf "$root"; fi
}
trap cleanup EXIT
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 HOME=/root "$@"; }

echo "== debootstrap --variant=minbase bookworm ($mirror)"
if ! debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1; then
  tail -20 "$root.debootstrap.log"; rm -f "$root.debootstrap.log"; die "debootstrap failed"
fi
rm -f "$root.debootstrap.log"
t1=$(date +%s); echo "  debootstrap: $((t1 - t0)) s"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mkdir -p "$root/dev/pts" && mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
# No service starts inside the root (policy-rc.d), as in any image build.
printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"; chmod 0755 "$root/usr/sbin/policy-rc.d"
mkdir -p "$root/tmp/debs"
cp "$kdeb" "$hdeb" "$root/tmp/debs/"

echo "== apt install ./$(basename "$kdeb") ./$(basename "$hdeb")"
if ! in_root apt-get update -qq > "$root/tmp/apt.log" 2>&1 ||
   ! in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
       "/tmp/debs/$(basename "$kdeb")" "/tmp/debs/$(basename "$hdeb")" >> "$root/tmp/apt.log" 2>&1; then
  tail -30 "$root/tmp/apt.log"; die "apt install failed"
fi
t2=$(date +%s); echo "  apt install: $((t2 - t1)) s ($(grep -c '^Setting up' "$root/tmp/apt.log") packages set up)"
grep -iE '^(W|E): |warning' "$root/tmp/apt.log" | grep -v 'apt does not have a stable CLI' | sed 's/^/  apt: /' || true

# --- the commands --------------------------------------------------------------------------------
echo "== commands"
for c in "intakectl --version" "hq-intake --version" "intake-kiosk --version"; do
  out=$(in_root $c 2>&1) && ok "$c: $out" || bad "$c: $out"
done
for c in cage Xwayland seatd nft systemd-mount blkid; do
  in_root sh -c "command -v $c" >/dev/null && ok "$c installed (Depends)" || bad "$c missing"
done
in_root test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf && ok "fonts-dejavu-core installed" || bad "fonts missing"
in_root test -f /usr/share/iso-codes/json/iso_3166-1.json && ok "iso-codes installed" || bad "iso-codes missing"
for l in az ru en; do
  in_root test -f "/usr/share/locale/$l/LC_MESSAGES/intake-kiosk.mo" && ok "catalogue $l" || bad "catalogue $l missing"
done

# --- users ---------------------------------------------------------------------------------------
echo "== system users (docs/operations.md)"
user_is() { # user  groups-that-must  groups-that-must-not
  local u=$1 e
  e=$(in_root getent passwd "$u") || { bad "user $u missing"; return; }
  IFS=: read -r _ _ uid _ _ home shell <<<"$e"
  [ "$uid" -lt 1000 ] && ok "$u: system uid $uid" || bad "$u: uid $uid is not a system uid"
  [ "$shell" = /usr/sbin/nologin ] && ok "$u: shell $shell" || bad "$u: shell $shell"
  [ "$home" = /nonexistent ] && ! in_root test -e "$home" && ok "$u: no home" || bad "$u: home $home"
  pw=$(in_root getent shadow "$u" | cut -d: -f2)
  [[ "$pw" == '*' || "$pw" == '!'* ]] && ok "$u: no password" || bad "$u: has a password"
  groups=" $(in_root id -nG "$u") "
  for g in $2; do [[ "$groups" == *" $g "* ]] && ok "$u in $g" || bad "$u not in $g"; done
  for g in $3; do [[ "$groups" != *" $g "* ]] && ok "$u not in $g" || bad "$u in $g"; done
}
user_is kiosk "kiosk ik-spool" "ik-sync sudo video render input"
user_is ik-sync "ik-sync ik-spool" "kiosk sudo"
user_is ik-hq "ik-hq" "ik-spool sudo"
in_root test -x /usr/bin/sudo && bad "sudo is installed" || ok "no sudo"

# --- directories -----------------------------------------------------------------------------------
echo "== directories, owners, modes"
mode_is() { # path "owner:group mode"
  local got
  got=$(in_root stat -c '%U:%G %a' "$1" 2>/dev/null) || { bad "$1 missing"; return; }
  [ "$got" = "$2" ] && ok "$1 $got" || bad "$1 is $got, want $2"
}
# The table of docs/operations.md, before provisioning:
mode_is /var/lib/intake-kiosk        "kiosk:ik-spool 750"
mode_is /var/lib/intake-kiosk/outbox "kiosk:ik-spool 2750"
mode_is /var/lib/intake-kiosk/inbox  "kiosk:ik-spool 2770"
mode_is /var/lib/intake-kiosk/sync   "kiosk:ik-spool 2770"
mode_is /run/intake-usb              "root:ik-sync 750"
mode_is /etc/intake-kiosk            "root:root 755"
mode_is /etc/intake-kiosk/kiosk.toml "root:root 644"
mode_is /var/lib/hq-intake           "ik-hq:ik-hq 700"
mode_is /usr/libexec/intake-kiosk/usb-mount "root:root 755"
conff=$(in_root dpkg-query -W -f='${Conffiles}\n' intake-kiosk)
for f in /etc/intake-kiosk/kiosk.toml /etc/intake-kiosk/nftables.nft /etc/apt/apt.conf.d/52intake-kiosk-unattended-upgrades \
         /etc/security/limits.d/intake-kiosk.conf; do
  grep -q " $f " <<<"$conff " && ok "conffile $f" || bad "$f not a conffile"
done

# --- units -----------------------------------------------------------------------------------------
echo "== units after install (docs/operations.md)"
link_is() { # path target
  local got
  got=$(readlink "$root$1" 2>/dev/null) || { bad "$1 missing"; return; }
  [ "$got" = "$2" ] && ok "$1 -> $got" || bad "$1 -> $got, want $2"
}
link_is /etc/systemd/system/sysinit.target.wants/intake-firewall.service /lib/systemd/system/intake-firewall.service
link_is /etc/systemd/system/timers.target.wants/intake-sync-net.timer /lib/systemd/system/intake-sync-net.timer
link_is /etc/systemd/system/paths.target.wants/intake-sync-net.path /lib/systemd/system/intake-sync-net.path
link_is /etc/systemd/system/ctrl-alt-del.target /dev/null
[ ! -e "$root/etc/systemd/system/graphical.target.wants/intake-kiosk.service" ] && ok "intake-kiosk.service not enabled before provisioning" ||
  bad "intake-kiosk.service enabled before provisioning"
[ ! -e "$root/etc/systemd/system/multi-user.target.wants/hq-intake.service" ] && ok "hq-intake.service not enabled before provisioning" ||
  bad "hq-intake.service enabled before provisioning"
for u in intake-kiosk.service intake-sync-usb@.service intake-sync-net.service intake-sync-net.timer intake-sync-net.path \
         intake-firewall.service hq-intake.service; do
  out=$(in_root systemd-analyze verify --man=no "/lib/systemd/system/$u" 2>&1)
  [ -z "$out" ] && ok "systemd-analyze verify $u (installed, real binaries)" || { bad "verify $u"; echo "$out" | sed 's/^/       /'; }
done
for f in /lib/udev/rules.d/90-intake-sync.rules /usr/lib/sysctl.d/90-intake-kiosk.conf /usr/lib/tmpfiles.d/intake-kiosk.conf \
         /usr/lib/systemd/logind.conf.d/90-intake-kiosk.conf /usr/lib/systemd/system.conf.d/90-intake-kiosk.conf \
         /usr/lib/systemd/journald.conf.d/90-intake-kiosk.conf /usr/lib/systemd/coredump.conf.d/90-intake-kiosk.conf; do
  in_root test -f "$f" && ok "$f" || bad "$f missing"
done
in_root udevadm verify /lib/udev/rules.d/90-intake-sync.rules >/dev/null 2>&1 && ok "udevadm verify" || true

# --- provisioning ------------------------------------------------------------------------------------
echo "== hq-intake-provision (non-interactive)"
out=$(in_root hq-intake-provision --non-interactive --no-start --name 192.0.2.10 2>&1) && ok "hq-intake-provision" ||
  { bad "hq-intake-provision"; echo "$out" | sed 's/^/       /'; }
for k in seal sign recovery; do mode_is "/var/lib/hq-intake/$k.key" "ik-hq:ik-hq 600"; done
mode_is /etc/hq-intake/tls.key "root:root 600"
mode_is /etc/hq-intake/tls.crt "root:root 644"
link_is /etc/systemd/system/multi-user.target.wants/hq-intake.service /lib/systemd/system/hq-intake.service

echo "== intake-kiosk-provision (non-interactive)"
printf 'synthetic test passphrase 7\n' > "$root/root/admin-pass"; chmod 0600 "$root/root/admin-pass"
out=$(in_root intake-kiosk-provision --non-interactive --no-start --hq-keys /var/lib/hq-intake \
        --hq-url https://192.0.2.10:8443 --hq-cert /etc/hq-intake/tls.crt \
        --admin admin --admin-passphrase-file /root/admin-pass --kdf-ms 0 2>&1)
if [ $? -eq 0 ]; then ok "intake-kiosk-provision"; else bad "intake-kiosk-provision"; fi
echo "$out" | sed 's/^/       /'
tail -3 <<<"$out" | grep -q '^ *device key id [0-9a-f]\{16\}  fingerprint ' && ok "the device fingerprint is printed last" ||
  bad "no device fingerprint at the end"
# The table of docs/operations.md, after provisioning:
mode_is /var/lib/intake-kiosk        "kiosk:ik-spool 750"
mode_is /var/lib/intake-kiosk/outbox "kiosk:ik-spool 2750"
mode_is /var/lib/intake-kiosk/inbox  "kiosk:ik-spool 2770"
mode_is /var/lib/intake-kiosk/sync   "kiosk:ik-spool 2770"
mode_is /var/lib/intake-kiosk/intake.db  "kiosk:kiosk 600"
mode_is /var/lib/intake-kiosk/keyslots   "kiosk:kiosk 600"
mode_is /var/lib/intake-kiosk/device.pub "kiosk:ik-spool 640"
mode_is /etc/intake-kiosk/hq.pem "root:root 644"
mode_is /etc/intake-kiosk/sync.env "root:root 644"
link_is /etc/systemd/system/graphical.target.wants/intake-kiosk.service /lib/systemd/system/intake-kiosk.service
link_is /etc/systemd/system/getty@tty1.service /dev/null
grep -q 'hq_v4 { 192.0.2.10 }' "$root/etc/intake-kiosk/nftables.d/hq.nft" 2>/dev/null &&
  grep -q 'hq_ports { 8443 }' "$root/etc/intake-kiosk/nftables.d/hq.nft" && ok "firewall: HQ 192.0.2.10:8443" || bad "firewall HQ set"
grep -qx 'IPAddressAllow=192.0.2.10' "$root/etc/systemd/system/intake-sync-net.service.d/hq-address.conf" 2>/dev/null &&
  ok "intake-sync-net.service: IPAddressAllow=192.0.2.10" || bad "IPAddressAllow drop-in"
install -m 0600 "$root/root/admin-pass" "$root/run/ik-pass"; in_root chown kiosk /run/ik-pass
in_root runuser -u kiosk -- intakectl check --data-dir /var/lib/intake-kiosk --user admin --passphrase-file /run/ik-pass \
  >/dev/null 2>&1 && ok "intakectl check (as kiosk) unlocks the new device" || bad "intakectl check as kiosk"
rm -f "$root/run/ik-pass"

echo "== who reaches what (runuser)"
can() { in_root runuser -u "$1" -- sh -c "$2" >/dev/null 2>&1; }
D=/var/lib/intake-kiosk
for f in intake.db keyslots; do
  can ik-sync "cat $D/$f" && bad "ik-sync reads $f" || ok "ik-sync cannot read $f"
done
can ik-sync "cat $D/device.pub" && ok "ik-sync reads device.pub" || bad "ik-sync cannot read device.pub"
can ik-sync "ls $D/outbox" && ok "ik-sync lists outbox/" || bad "ik-sync cannot list outbox/"
can ik-sync "touch $D/outbox/x" && bad "ik-sync writes outbox/" || ok "ik-sync cannot write outbox/"
can ik-sync "touch $D/inbox/.t && rm $D/inbox/.t" && ok "ik-sync writes inbox/" || bad "ik-sync cannot write inbox/"
can ik-sync "touch $D/sync/.t && rm $D/sync/.t" && ok "ik-sync writes sync/" || bad "ik-sync cannot write sync/"
can ik-sync "touch $D/x" && bad "ik-sync writes the data directory" || ok "ik-sync cannot create files beside the database"
can ik-hq "ls $D" && bad "ik-hq enters the kiosk's data" || ok "ik-hq cannot enter the kiosk's data"
mkdir -p "$root/run/intake-usb/sdz1"; in_root chown ik-sync:ik-sync /run/intake-usb/sdz1; chmod 0700 "$root/run/intake-usb/sdz1"
can kiosk "ls /run/intake-usb" && bad "kiosk lists /run/intake-usb" || ok "kiosk cannot enter /run/intake-usb"
can ik-sync "touch /run/intake-usb/sdz1/.t" && ok "ik-sync writes its mount point" || bad "ik-sync cannot write its mount point"
rm -rf "$root/run/intake-usb/sdz1"
uid=$(in_root id -u ik-sync)
o=$(in_root /usr/libexec/intake-kiosk/usb-mount options vfat)
[[ "$o" == nosuid,nodev,noexec,nosymfollow,*",uid=$uid,"*fmask=0177,dmask=0077* ]] && ok "vfat mount options: $o" || bad "vfat options: $o"

echo "== intake-kiosk-provision --check"
in_root intake-kiosk-provision --check --no-start | sed 's/^/       /'

t3=$(date +%s)
echo
echo "install-test: debootstrap $((t1 - t0)) s, apt install $((t2 - t1)) s, checks $((t3 - t2)) s, total $((t3 - t0)) s"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
