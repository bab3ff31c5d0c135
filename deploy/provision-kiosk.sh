#!/bin/bash
# intake-kiosk-provision — turns a fresh Debian 12 installation into an Intake Kiosk.
# (deploy/provision-kiosk.sh in the sources; installed as /usr/sbin/intake-kiosk-provision.)
#
#   1. installs the package (--deb ./intake-kiosk_*.deb), if it is not installed yet
#   2. takes HQ's public keys (seal, sign, recovery), HQ's URL and pinned certificate
#   3. runs `intakectl init` as user kiosk: database, keyslots, device identity, first admin
#      (the passphrase is typed into intakectl's own prompt, or read by it from a file — never
#      on a command line)
#   4. writes the firewall's HQ addresses and the network sync unit's IPAddressAllow= drop-in
#   5. masks getty@tty1, enables the kiosk session and the sync units, applies the policy
#   6. prints the device fingerprint, for HQ's enrolment (`hq-intake enroll`)
#
# Everything it asks for can be given as options (the install test runs it that way):
#   --deb FILE                 the intake-kiosk package to install first
#   --hq-keys DIR              a folder with HQ's seal.pub, sign.pub, recovery.pub
#   --hq-seal-pub FILE  --hq-sign-pub FILE  --hq-recovery-pub FILE   (instead of --hq-keys)
#   --hq-url URL               https://host[:port] (leave out for a USB-only shelter)
#   --hq-cert FILE             HQ's TLS certificate (PEM), pinned by the sync agent
#   --apt-proxy URL            security updates through HQ's apt proxy (http://host:port)
#   --admin NAME               the first admin's name
#   --admin-passphrase-file F  non-interactive: the admin's passphrase, first line of F
#   --kdf-ms N                 Argon2id target per unlock (default: intakectl's)
#   --non-interactive          never prompt; fail on anything missing
#   --no-start                 change files only; start nothing (image builds, chroots)
#   --check                    only check this machine (swap, policy, units, permissions)
set -euo pipefail
umask 022

DATA=/var/lib/intake-kiosk
ETC=/etc/intake-kiosk
DROPIN=/etc/systemd/system/intake-sync-net.service.d/hq-address.conf

die() { echo "intake-kiosk-provision: $*" >&2; exit 1; }
say() { echo "== $*"; }

deb="" keys_dir="" seal="" sign="" recovery="" url="" cert="" apt_proxy="" admin=""
pass_file="" kdf_ms="" interactive=1 start=1 check_only=0
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$2; shift 2 ;;
    --hq-keys) keys_dir=$2; shift 2 ;;
    --hq-seal-pub) seal=$2; shift 2 ;;
    --hq-sign-pub) sign=$2; shift 2 ;;
    --hq-recovery-pub) recovery=$2; shift 2 ;;
    --hq-url) url=$2; shift 2 ;;
    --hq-cert) cert=$2; shift 2 ;;
    --apt-proxy) apt_proxy=$2; shift 2 ;;
    --admin) admin=$2; shift 2 ;;
    --admin-passphrase-file) pass_file=$2; shift 2 ;;
    --kdf-ms) kdf_ms=$2; shift 2 ;;
    --non-interactive) interactive=0; shift ;;
    --no-start) start=0; shift ;;
    --check) check_only=1; shift ;;
    -h|--help) sed -n '2,30p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (--help lists them)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -t 0 ] || interactive=0

# systemd is PID 1 and this is not a chroot: only then are units started and sysctls applied.
systemd_running() {
  [ "$start" -eq 1 ] && [ -d /run/systemd/system ] && ! systemd-detect-virt --chroot -q 2>/dev/null
}

ask() { # variable prompt
  local v
  [ "$interactive" -eq 1 ] || die "missing: $2 (non-interactive)"
  read -r -p "$2: " v
  printf -v "$1" '%s' "$v"
}

# ---- checks (also run at the end of provisioning) ----------------------------------------------
problems=0
warn() { echo "   WARNING: $*"; problems=$((problems + 1)); }

check_swap() {
  # Swap must be off, or on dm-crypt with a random key (crypttab: swap,cipher=…,size=…,
  # key /dev/urandom): an unlocked kiosk's memory holds the database key.
  local dev type
  while read -r dev type _; do
    [ "$dev" = "Filename" ] && continue
    if [ "$type" = "file" ]; then
      warn "swap file $dev is not encrypted (turn it off: swapoff, remove it from /etc/fstab)"
      continue
    fi
    if [ "$(lsblk -ndo TYPE "$dev" 2>/dev/null)" != "crypt" ]; then
      warn "swap on $dev is not on dm-crypt (docs/operations.md, Swap)"
    fi
  done < /proc/swaps
}

check_machine() {
  say "checking this machine"
  check_swap
  local u
  for u in kiosk ik-sync; do
    getent passwd "$u" >/dev/null || warn "user $u missing (is intake-kiosk installed?)"
  done
  if [ -e "$DATA/intake.db" ]; then
    [ "$(stat -c '%U %a' "$DATA/intake.db")" = "kiosk 600" ] || warn "$DATA/intake.db is not kiosk 0600"
    [ "$(stat -c '%U %a' "$DATA/keyslots")" = "kiosk 600" ] || warn "$DATA/keyslots is not kiosk 0600"
  fi
  if systemd_running; then
    [ "$(sysctl -n kernel.sysrq 2>/dev/null)" = "0" ] || warn "kernel.sysrq is not 0 (reboot, or systemd-sysctl)"
    [ "$(sysctl -n fs.suid_dumpable 2>/dev/null)" = "0" ] || warn "fs.suid_dumpable is not 0"
    nft list table inet intake_kiosk >/dev/null 2>&1 || warn "the firewall table inet intake_kiosk is not loaded"
    systemctl is-enabled -q intake-kiosk.service || warn "intake-kiosk.service is not enabled"
  fi
  [ "$(readlink -f /etc/systemd/system/ctrl-alt-del.target)" = "/dev/null" ] || warn "ctrl-alt-del.target is not masked"
  [ "$(readlink -f /etc/systemd/system/getty@tty1.service)" = "/dev/null" ] || warn "getty@tty1.service is not masked"
  if [ "$problems" -eq 0 ]; then echo "   all checks passed"; fi
}

if [ "$check_only" -eq 1 ]; then
  check_machine
  exit $(( problems > 0 ))
fi

# ---- 1. the package ----------------------------------------------------------------------------
if ! dpkg-query -W -f='${Status}' intake-kiosk 2>/dev/null | grep -q 'install ok installed'; then
  [ -n "$deb" ] || die "intake-kiosk is not installed: give --deb ./intake-kiosk_VERSION_amd64.deb"
  say "installing $deb"
  case "$deb" in /*|./*) ;; *) deb=./$deb ;; esac
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$deb"
fi
command -v intakectl >/dev/null || die "intakectl not found after installing"

# ---- 2. what HQ gave us ------------------------------------------------------------------------
if [ -n "$keys_dir" ]; then
  seal=${seal:-$keys_dir/seal.pub}; sign=${sign:-$keys_dir/sign.pub}; recovery=${recovery:-$keys_dir/recovery.pub}
fi
[ -n "$seal" ] || ask seal "HQ's seal public key file (seal.pub)"
[ -n "$sign" ] || ask sign "HQ's sign public key file (sign.pub)"
[ -n "$recovery" ] || ask recovery "HQ's recovery public key file (recovery.pub)"
for f in "$seal" "$sign" "$recovery"; do [ -f "$f" ] || die "no such file: $f"; done
if [ -z "$url" ] && [ "$interactive" -eq 1 ]; then
  ask url "HQ's URL for network sync, https://host:port (empty: USB sticks only)"
fi
if [ -n "$url" ]; then
  [[ "$url" =~ ^https://([A-Za-z0-9.-]+|\[[0-9A-Fa-f:]+\])(:([0-9]{1,5}))?(/.*)?$ ]] ||
    die "HQ URL must be https://host[:port]: $url"
  hq_host=${BASH_REMATCH[1]}; hq_host=${hq_host#[}; hq_host=${hq_host%]}
  hq_port=${BASH_REMATCH[3]:-443}
  [ -n "$cert" ] || ask cert "HQ's TLS certificate to pin (PEM file)"
  [ -f "$cert" ] || die "no such file: $cert"
  openssl x509 -in "$cert" -noout 2>/dev/null || die "$cert is not a PEM certificate"
fi

# ---- 3. the device: database, keyslots, identity, first admin ----------------------------------
if [ -e "$DATA/keyslots" ]; then
  say "$DATA is provisioned already: not initialising again"
else
  [ -n "$admin" ] || ask admin "first admin's name"
  [ -n "$admin" ] || die "the first admin needs a name"
  # What intakectl (running as kiosk) must read goes into a folder only kiosk can enter.
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  chown kiosk:kiosk "$work"; chmod 0700 "$work"
  install -m 0600 -o kiosk -g kiosk "$seal" "$work/seal.pub"
  install -m 0600 -o kiosk -g kiosk "$sign" "$work/sign.pub"
  install -m 0600 -o kiosk -g kiosk "$recovery" "$work/recovery.pub"
  args=(init --data-dir "$DATA" --admin "$admin" --hq-recovery-pub "$work/recovery.pub"
        --hq-seal-pub "$work/seal.pub" --hq-sign-pub "$work/sign.pub")
  if [ -n "$pass_file" ]; then
    [ -f "$pass_file" ] || die "no such file: $pass_file"
    install -m 0600 -o kiosk -g kiosk "$pass_file" "$work/passphrase"
    args+=(--passphrase-file "$work/passphrase")
  elif [ "$interactive" -eq 0 ]; then
    die "missing: --admin-passphrase-file (non-interactive)"
  fi
  [ -z "$kdf_ms" ] || args+=(--kdf-ms "$kdf_ms")
  say "initialising the device (intakectl init, as user kiosk)"
  (cd / && runuser -u kiosk -- intakectl "${args[@]}") | tee "$work/init.out"
  fingerprint=$(grep -m1 '^device key id' "$work/init.out" || true)
  rm -rf "$work"
  trap - EXIT
fi
# The documented modes (docs/operations.md, section 9) again: `intakectl init` makes the data
# directory 0700, and the sync agent enters it through the shared group ik-spool. The agent
# reads device.pub; everything else in the directory stays kiosk's alone.
chown kiosk:ik-spool "$DATA" "$DATA/outbox" "$DATA/inbox" "$DATA/sync" "$DATA/device.pub"
chmod 0750 "$DATA"
chmod 2750 "$DATA/outbox"
chmod 2770 "$DATA/inbox" "$DATA/sync"
chmod 0640 "$DATA/device.pub"

# ---- 4. network: HQ's address in the firewall and in the sync unit ------------------------------
mkdir -p "$ETC/nftables.d"
nft_elems() { # set addresses…
  local set=$1; shift
  [ $# -gt 0 ] || return 0
  local IFS=,
  echo "add element inet intake_kiosk $set { $* }"
}
resolvers() {
  local f=/etc/resolv.conf
  # systemd-resolved's stub (127.0.0.53) forwards to the real servers, listed here.
  [ -f /run/systemd/resolve/resolv.conf ] && f=/run/systemd/resolve/resolv.conf
  awk '$1 == "nameserver" { print $2 }' "$f" 2>/dev/null | grep -v '^127\.' | grep -v '^::1$' || true
}
if [ -n "$url" ]; then
  say "network sync to $url"
  install -m 0644 "$cert" "$ETC/hq.pem"
  printf '# Written by intake-kiosk-provision.\nIK_HQ_URL=%s\n' "$url" > "$ETC/sync.env"
  chmod 0644 "$ETC/sync.env"
  if [[ "$hq_host" =~ ^[0-9.]+$ || "$hq_host" == *:* ]]; then
    hq_addrs=("$hq_host")
    dns_addrs=()
  else
    mapfile -t hq_addrs < <(getent ahosts "$hq_host" | awk '{ print $1 }' | sort -u)
    [ ${#hq_addrs[@]} -gt 0 ] || die "cannot resolve $hq_host (give an address, or fix DNS first)"
    mapfile -t dns_addrs < <(resolvers)
  fi
  v4=() v6=() d4=() d6=()
  for a in "${hq_addrs[@]}"; do if [[ "$a" == *:* ]]; then v6+=("$a"); else v4+=("$a"); fi; done
  for a in "${dns_addrs[@]}"; do if [[ "$a" == *:* ]]; then d6+=("$a"); else d4+=("$a"); fi; done
  {
    echo "# HQ's addresses for the kiosk firewall. Written by intake-kiosk-provision from $url."
    nft_elems hq_v4 "${v4[@]}"
    nft_elems hq_v6 "${v6[@]}"
    nft_elems hq_ports "$hq_port"
    nft_elems dns_v4 "${d4[@]}"
    nft_elems dns_v6 "${d6[@]}"
  } > "$ETC/nftables.d/hq.nft"
  mkdir -p "$(dirname "$DROPIN")"
  {
    echo "# The network sync may reach HQ (and the DNS resolvers when the URL names a host) only."
    echo "# Written by intake-kiosk-provision from $url."
    echo "[Service]"
    echo "IPAddressAllow=${hq_addrs[*]}${dns_addrs[*]:+ ${dns_addrs[*]}}"
    # Names resolved through systemd-resolved's stub on 127.0.0.53.
    if grep -q '^nameserver 127\.' /etc/resolv.conf 2>/dev/null; then echo "IPAddressAllow=localhost"; fi
  } > "$DROPIN"
fi
if [ -n "$apt_proxy" ]; then
  [[ "$apt_proxy" =~ ^http://([A-Za-z0-9.-]+):([0-9]{1,5})/?$ ]] || die "--apt-proxy must be http://host:port"
  proxy_host=${BASH_REMATCH[1]} proxy_port=${BASH_REMATCH[2]}
  mapfile -t pa < <(getent ahostsv4 "$proxy_host" | awk '{ print $1 }' | sort -u)
  [ ${#pa[@]} -gt 0 ] || die "cannot resolve $proxy_host"
  printf '// Written by intake-kiosk-provision: updates through HQ'"'"'s proxy.\nAcquire::http::Proxy "%s";\n' \
    "$apt_proxy" > /etc/apt/apt.conf.d/53intake-kiosk-proxy
  { echo "# Security updates through $apt_proxy. Written by intake-kiosk-provision."
    nft_elems hq_v4 "${pa[@]}"; nft_elems hq_ports "$proxy_port"; } > "$ETC/nftables.d/apt-proxy.nft"
fi

# ---- 5. the session and the policy -------------------------------------------------------------
say "enabling the kiosk session on tty1 (getty@tty1 masked)"
systemctl mask getty@tty1.service >/dev/null 2>&1
systemctl mask ctrl-alt-del.target >/dev/null 2>&1
systemctl enable intake-kiosk.service seatd.service intake-firewall.service \
  intake-sync-net.timer intake-sync-net.path >/dev/null 2>&1
if systemd_running; then
  systemctl daemon-reload
  systemd-sysctl /usr/lib/sysctl.d/90-intake-kiosk.conf || true
  udevadm control --reload-rules || true
  systemctl restart intake-firewall.service
  systemctl start seatd.service intake-sync-net.timer intake-sync-net.path
  say "reboot to start the kiosk (logind's console settings apply from the next boot)"
else
  say "files written; units start at the next boot"
fi

check_machine
say "device fingerprint for HQ's enrolment: compare it with what the kiosk's admin screen shows"
if [ -n "${fingerprint:-}" ]; then
  echo "   $fingerprint"
fi
echo "   device public key: $DATA/device.pub — give it to HQ: hq-intake enroll --device-pub device.pub"
