#!/usr/bin/env bash
# The main job, end to end, on synthetic data in build/demo/: headquarters and a device are
# provisioned, a staff member is added, the device is unlocked, a record is written and read
# back, and the database is shown to be unreadable without the key — and readable with the key
# HQ recovers from the device's recovery slot.
set -euo pipefail
BUILD=${1:-build}
BIN="$BUILD/bin"
DEMO="$BUILD/demo"
rm -rf "$DEMO"
mkdir -p "$DEMO"
chmod 700 "$DEMO"

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# Demo passphrases: synthetic, printed on purpose so a newcomer can unlock the demo device.
printf 'demo-admin-passphrase\n' > "$DEMO/admin.pass"
printf 'demo-officer-passphrase\n' > "$DEMO/officer.pass"
printf 'demo-auditor-passphrase\n' > "$DEMO/auditor.pass"
printf 'not-the-passphrase\n' > "$DEMO/wrong.pass"
chmod 600 "$DEMO"/*.pass
KDF=(--kdf-ms 500 --kdf-mem-mib 64)

say "Headquarters creates its keys"
"$BIN/hq-intake" init --hq-dir "$DEMO/hq"

say "A device is provisioned with HQ's recovery key (first admin: 'Demo Admin')"
"$BIN/intakectl" init --data-dir "$DEMO/device" --admin "Demo Admin" \
  --passphrase-file "$DEMO/admin.pass" --hq-recovery-pub "$DEMO/hq/recovery.pub" \
  --hq-seal-pub "$DEMO/hq/seal.pub" --hq-sign-pub "$DEMO/hq/sign.pub" "${KDF[@]}"

say "The admin adds an intake officer ('Demo Officer')"
"$BIN/intakectl" user add --data-dir "$DEMO/device" --as "Demo Admin" \
  --admin-passphrase-file "$DEMO/admin.pass" --user "Demo Officer" --role officer \
  --passphrase-file "$DEMO/officer.pass" "${KDF[@]}"

say "… and an auditor ('Demo Auditor')"
"$BIN/intakectl" user add --data-dir "$DEMO/device" --as "Demo Admin" \
  --admin-passphrase-file "$DEMO/admin.pass" --user "Demo Auditor" --role auditor \
  --passphrase-file "$DEMO/auditor.pass" "${KDF[@]}"

say "Unlock and verify, as the officer"
"$BIN/intakectl" check --data-dir "$DEMO/device" --user "Demo Officer" --passphrase-file "$DEMO/officer.pass"

say "A wrong passphrase is refused and counted"
if "$BIN/intakectl" check --data-dir "$DEMO/device" --user "Demo Officer" --passphrase-file "$DEMO/wrong.pass"; then
  echo "demo: a wrong passphrase was accepted" >&2; exit 1
fi

MARKER="DEMO-RECORD Synthetic Shelter Nº1 (Zərifə Ёлкина)"
say "Write an encrypted record and read it back"
"$BIN/intakectl" setting set --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass" \
  --key shelter.name --value "$MARKER"
"$BIN/intakectl" setting get --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass" \
  --key shelter.name

say "The shelter's 50 beds, and synthetic records (every family name means 'sample' or 'test')"
"$BIN/intakectl" beds configure --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"
"$BIN/intakectl" demo-data --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass" \
  --intakes 120 --calls 300
"$BIN/intakectl" stats --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"

say "The auditor proves the audit log's hash chain intact"
"$BIN/intakectl" audit verify --data-dir "$DEMO/device" --user "Demo Auditor" --passphrase-file "$DEMO/auditor.pass"

say "The database file on disk"
ls -l "$DEMO/device"
if grep -aq "DEMO-RECORD" "$DEMO/device/intake.db"; then echo "demo: plaintext found in the database!" >&2; exit 1; fi
echo "no trace of the record in intake.db (grep finds nothing); first bytes:"
head -c 64 "$DEMO/device/intake.db" | od -An -tx1 | head -2
echo "the sqlcipher shell without the key says:"
echo "SELECT count(*) FROM settings;" | sqlcipher "$DEMO/device/intake.db" 2>&1 | sed 's/^/  /' || true

say "HQ recovers the database key from the device's recovery slot (no staff needed)"
KEY=$("$BIN/hq-intake" recover --hq-dir "$DEMO/hq" --keyslots "$DEMO/device/keyslots" 2>/dev/null)
echo "recovered a ${#KEY}-hex-digit key; the sqlcipher shell with it reads:"
printf "PRAGMA key = \"x'%s'\";\nPRAGMA cipher_page_size = 4096;\nSELECT CAST(value AS TEXT) FROM settings WHERE key = 'shelter.name';\n" "$KEY" \
  | sqlcipher "$DEMO/device/intake.db" | sed 's/^/  /'
unset KEY

say "Encrypted backup, restored into a new directory"
"$BIN/intakectl" backup --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass" \
  --to "$DEMO/backup.db"
"$BIN/intakectl" restore --from "$DEMO/backup.db" --data-dir "$DEMO/restored" --user "Demo Admin" \
  --passphrase-file "$DEMO/admin.pass"

say "HQ enrols the device (the fingerprint printed at provisioning is compared on both screens)"
"$BIN/hq-intake" enroll --hq-dir "$DEMO/hq" --device-pub "$DEMO/device/device.pub" --label "Demo Shelter"

say "The device seals its changed records into outbox/: signed by the device, readable only by HQ"
"$BIN/intakectl" outbox --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"
ls -l "$DEMO/device/outbox"
if grep -raq "Nümunəova\|Fiktivova\|Uydurmaova\|case_number" "$DEMO/device/outbox"; then
  echo "demo: plaintext found in a bundle!" >&2; exit 1
fi
echo "no synthetic name and no JSON member name appears in the bundles (grep finds nothing)"

say "Sync by USB stick (a folder here). The sync agent needs no passphrase and reads no record"
mkdir -p "$DEMO/usb-stick"
"$BIN/intakectl" sync --data-dir "$DEMO/device" --usb "$DEMO/usb-stick"
find "$DEMO/usb-stick" -type f | sed "s|$DEMO/||"

say "HQ imports the stick (verify, decrypt in memory, import in one transaction) and writes signed receipts on it"
"$BIN/hq-intake" import --hq-dir "$DEMO/hq" --from "$DEMO/usb-stick"
echo "… and the same stick again changes nothing:"
"$BIN/hq-intake" import --hq-dir "$DEMO/hq" --from "$DEMO/usb-stick"

say "The stick goes back to the shelter: receipts in, verified by the device, delivered bundles removed"
"$BIN/intakectl" sync --data-dir "$DEMO/device" --usb "$DEMO/usb-stick"
"$BIN/intakectl" outbox --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"

say "More records, synced over HTTPS to HQ's server on loopback (its certificate pinned by the device)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$DEMO/hq/tls.key" -out "$DEMO/hq/tls.pem" 2>/dev/null
"$BIN/hq-intake" serve --hq-dir "$DEMO/hq" --listen 127.0.0.1:0 --tls-cert "$DEMO/hq/tls.pem" \
  --tls-key "$DEMO/hq/tls.key" > "$DEMO/hq-serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "listening on" "$DEMO/hq-serve.log" && break; sleep 0.1; done
PORT=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$DEMO/hq-serve.log" | head -1)
[ -n "$PORT" ] || { echo "demo: hq-intake serve did not start" >&2; cat "$DEMO/hq-serve.log" >&2; exit 1; }
"$BIN/intakectl" demo-data --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass" \
  --intakes 10 --calls 20 --seed 2
"$BIN/intakectl" outbox --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"
"$BIN/intakectl" sync --data-dir "$DEMO/device" --hq-url "https://127.0.0.1:$PORT" --hq-cert "$DEMO/hq/tls.pem"
"$BIN/intakectl" outbox --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"
echo "… the stubs retention left (names gone, codes kept) go to HQ too, and the outbox empties:"
"$BIN/intakectl" sync --data-dir "$DEMO/device" --hq-url "https://127.0.0.1:$PORT" --hq-cert "$DEMO/hq/tls.pem"
"$BIN/intakectl" outbox --data-dir "$DEMO/device" --user "Demo Admin" --passphrase-file "$DEMO/admin.pass"
ls -A "$DEMO/device/outbox" | grep -q . && { echo "demo: outbox/ is not empty" >&2; exit 1; }
kill $SERVER; wait $SERVER 2>/dev/null || true
trap - EXIT

say "Headquarters reports: counts, the monthly HTML page, the CTDC export (k-anonymised)"
"$BIN/hq-intake" stats --hq-dir "$DEMO/hq"
"$BIN/hq-intake" report --hq-dir "$DEMO/hq" --period "$(date -u +%Y-%m)" --out "$DEMO/hq-report.html"
# k = 11, as CTDC: 130 synthetic people spread over six quasi-identifiers form almost no group of
# 11, so cells are suppressed (counts printed, never values) rather than rows dropped
# (docs/data-dictionary.md, "The CTDC export").
"$BIN/hq-intake" export-ctdc --hq-dir "$DEMO/hq" --k 11 --out "$DEMO/ctdc.csv"
echo "written: $DEMO/hq-report.html and $DEMO/ctdc.csv"

say "The kiosk"
if [ -n "${DISPLAY:-}" ] && [ -z "${CI:-}" ]; then
  echo "Opening the kiosk in a window on the demo device (close the window to finish)."
  echo "Staff: 'Demo Admin' / demo-admin-passphrase, 'Demo Officer' / demo-officer-passphrase, 'Demo Auditor' / demo-auditor-passphrase"
  "$BIN/intake-kiosk" --windowed --data-dir "$DEMO/device"
else
  echo "No display: rendering every screen in az, ru and en under Xvfb (a throwaway demo device)…"
  xvfb-run -a -s "-screen 0 1280x800x24" "$BIN/intake-kiosk" --screenshots "$DEMO/screenshots"
  ls "$DEMO/screenshots" | head -5
  echo "… see $DEMO/screenshots/"
fi

say "Done. Demo staff: 'Demo Admin' / demo-admin-passphrase, 'Demo Officer' / demo-officer-passphrase, 'Demo Auditor' / demo-auditor-passphrase"
echo "Everything is in $DEMO"
