#!/bin/bash
# hq-intake-provision — sets up headquarters' server on a Debian 12 installation.
# (deploy/provision-hq.sh in the sources; installed as /usr/sbin/hq-intake-provision.)
#
#   1. installs the package (--deb ./hq-intake_*.deb), if it is not installed yet
#   2. creates HQ's keys as user ik-hq (hq-intake init): seal, sign, recovery
#   3. installs HQ's TLS certificate and key (given, or a new self-signed P-256 pair for the name
#      the kiosks will use), the key root-only (the service gets it as a systemd credential)
#   4. writes the listening address, enables and starts hq-intake.service
#   5. prints what every kiosk's provisioning needs: the three public keys and tls.crt
#
# Options:
#   --deb FILE            the hq-intake package to install first
#   --name NAME           the server's name or address as kiosks reach it (certificate's SAN)
#   --listen ADDR:PORT    default 0.0.0.0:8443
#   --tls-cert F --tls-key F   an existing certificate and key instead of a self-signed pair
#   --non-interactive     never prompt
#   --no-start            change files only (image builds, chroots)
set -euo pipefail
umask 022

HQ=/var/lib/hq-intake
ETC=/etc/hq-intake
die() { echo "hq-intake-provision: $*" >&2; exit 1; }
say() { echo "== $*"; }

deb="" name="" listen="0.0.0.0:8443" tls_cert="" tls_key="" interactive=1 start=1
while [ $# -gt 0 ]; do
  case "$1" in
    --deb) deb=$2; shift 2 ;;
    --name) name=$2; shift 2 ;;
    --listen) listen=$2; shift 2 ;;
    --tls-cert) tls_cert=$2; shift 2 ;;
    --tls-key) tls_key=$2; shift 2 ;;
    --non-interactive) interactive=0; shift ;;
    --no-start) start=0; shift ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (--help lists them)" ;;
  esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
[ -t 0 ] || interactive=0

if ! dpkg-query -W -f='${Status}' hq-intake 2>/dev/null | grep -q 'install ok installed'; then
  [ -n "$deb" ] || die "hq-intake is not installed: give --deb ./hq-intake_VERSION_amd64.deb"
  case "$deb" in /*|./*) ;; *) deb=./$deb ;; esac
  say "installing $deb"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "$deb"
fi

[[ "$listen" =~ ^([0-9.]+|\[[0-9a-fA-F:]+\]):([0-9]{1,5})$ ]] || die "--listen must be ADDRESS:PORT"

# ---- keys ---------------------------------------------------------------------------------------
if [ -e "$HQ/seal.key" ]; then
  say "HQ's keys exist already in $HQ: kept"
else
  say "creating HQ's keys (hq-intake init, as user ik-hq)"
  (cd / && runuser -u ik-hq -- hq-intake init --hq-dir "$HQ")
fi

# ---- TLS ----------------------------------------------------------------------------------------
mkdir -p "$ETC"
if [ -n "$tls_cert" ] || [ -n "$tls_key" ]; then
  [ -f "$tls_cert" ] && [ -f "$tls_key" ] || die "--tls-cert and --tls-key go together"
  install -m 0644 "$tls_cert" "$ETC/tls.crt"
  install -m 0600 "$tls_key" "$ETC/tls.key"
elif [ ! -e "$ETC/tls.key" ]; then
  if [ -z "$name" ]; then
    [ "$interactive" -eq 1 ] || die "missing: --name (non-interactive)"
    read -r -p "this server's name or address, as the kiosks reach it: " name
  fi
  [[ "$name" =~ ^[A-Za-z0-9.:-]+$ ]] || die "not a host name or address: $name"
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san="IP:$name"; else san="DNS:$name"; fi
  say "a self-signed certificate for $name (kiosks pin this exact certificate)"
  (umask 077 && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=$name" -addext "subjectAltName=$san" \
    -keyout "$ETC/tls.key" -out "$ETC/tls.crt" 2>/dev/null)
  chmod 0600 "$ETC/tls.key"; chmod 0644 "$ETC/tls.crt"
fi
printf '# Written by hq-intake-provision.\nHQ_LISTEN=%s\n' "$listen" > "$ETC/hq-intake.env"
chmod 0644 "$ETC/hq-intake.env"

# ---- the service --------------------------------------------------------------------------------
systemctl enable hq-intake.service >/dev/null 2>&1
if [ "$start" -eq 1 ] && [ -d /run/systemd/system ] && ! systemd-detect-virt --chroot -q 2>/dev/null; then
  systemctl daemon-reload
  systemctl restart hq-intake.service
  say "hq-intake.service listening on $listen"
else
  say "files written; hq-intake.service starts at the next boot"
fi

say "for every kiosk's provisioning (intake-kiosk-provision), copy:"
echo "   $HQ/seal.pub $HQ/sign.pub $HQ/recovery.pub   (--hq-keys DIR)"
echo "   $ETC/tls.crt   (--hq-cert; its SHA-256: $(openssl x509 -in "$ETC/tls.crt" -noout -fingerprint -sha256 | cut -d= -f2))"
echo "   recovery.key never leaves HQ: keep an offline copy (docs/operations.md, Recovering a device)"
