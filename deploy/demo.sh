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
  --passphrase-file "$DEMO/admin.pass" --hq-recovery-pub "$DEMO/hq/recovery.pub" "${KDF[@]}"

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
  --to "$DEMO/backup.ikb"
"$BIN/intakectl" restore --from "$DEMO/backup.ikb" --data-dir "$DEMO/restored" --user "Demo Admin" \
  --passphrase-file "$DEMO/admin.pass"

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
