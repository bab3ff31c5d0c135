#!/usr/bin/python3
"""Independent reader of sealed bundles (.ikb) and receipts (.ikr), format v1.

Written from docs/bundle-format.md, tests/vectors/README.md and bundles/index.json alone (no C++
of the project was read), with Python's standard library and PyNaCl (Debian: python3-nacl). It
opens, verifies and rejects every vector of tests/vectors/bundles/ and checks that its answers
agree with index.json: one line per vector, no payload content printed, exit status 1 if any
vector disagrees.

    /usr/bin/python3 tests/vectors/spec_reader.py tests/vectors/bundles
"""

import hashlib
import json
import os
import struct
import sys

try:
    import nacl.bindings as sodium
    import nacl.exceptions
except ImportError:  # pragma: no cover - environment problem, not a vector failure
    sys.stderr.write("spec_reader: PyNaCl is missing (apt-get install python3-nacl; "
                     "run with /usr/bin/python3)\n")
    sys.exit(2)

# --- Notation -----------------------------------------------------------------------------------

MiB = 1024 * 1024
KiB = 1024
HEADER_BYTES = 124                     # magic 8, version 1, reserved 3, key id 8, sealed 80, stream 24
MANIFEST_BYTES = 130
SIGNATURE_BYTES = 64
TRAILER_BYTES = MANIFEST_BYTES + SIGNATURE_BYTES   # 194
PIECE = 65536                          # plaintext chunk size and payload-hash piece size
ABYTES = sodium.crypto_secretstream_xchacha20poly1305_ABYTES   # 17
MIN_CHUNK = ABYTES
MAX_CHUNK = PIECE + ABYTES
MAX_PAYLOAD = 64 * MiB
MAX_INNER = TRAILER_BYTES + MAX_PAYLOAD
# Rule 1 says "<= 64 MiB + 64 KiB" but names `max_bundle_bytes` = 67,108,864 + 1,048,576 (1 MiB),
# and the paragraph before the rules says "(64 MiB + 1 MiB per file)". Two of three statements say
# 1 MiB, so that is what this reader uses; no vector is large enough to tell them apart.
MAX_BUNDLE_BYTES = 64 * MiB + 1 * MiB
MIN_BUNDLE_BYTES = HEADER_BYTES + 4 + ABYTES      # 145

TAG_MESSAGE = sodium.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE   # 0x00
TAG_FINAL = sodium.crypto_secretstream_xchacha20poly1305_TAG_FINAL       # 0x03

KIND = {"device-sign": 1, "hq-seal": 2, "hq-sign": 3, "hq-recovery": 4}
STATUS = {1: "accepted", 2: "duplicate", 3: "rejected"}
ZERO32 = bytes(32)


def blake2b256(data):
    return hashlib.blake2b(data, digest_size=32).digest()


def H(label, x):
    """H(label, x) = BLAKE2b-256(label || x), label ASCII, no terminator."""
    return blake2b256(label.encode("ascii") + x)


def u64(n):
    return struct.pack("<Q", n)


def key_id(kind, public_key):
    """First 8 bytes of BLAKE2b-256("intake-kiosk/key-id/v1" || kind:u8 || public key:32)."""
    return blake2b256(b"intake-kiosk/key-id/v1" + bytes([KIND[kind]]) + public_key)[:8]


def signed_message(ctx, m):
    """Sign(ctx, m) is Ed25519 over "intake-kiosk/" || ctx || 0x00 || m."""
    return b"intake-kiosk/" + ctx.encode("ascii") + b"\x00" + m


def sign(ctx, m, secret_key):
    return sodium.crypto_sign(signed_message(ctx, m), secret_key)[:SIGNATURE_BYTES]


def verify(ctx, m, signature, public_key):
    if len(signature) != SIGNATURE_BYTES:
        return False
    try:
        sodium.crypto_sign_open(signature + signed_message(ctx, m), public_key)
        return True
    except nacl.exceptions.CryptoError:
        return False


def payload_hash(payload):
    """"Payload hash": leaves over 64 KiB pieces, root over u64(N) || leaves."""
    n = len(payload)
    leaves = b"".join(
        H("intake-kiosk/payload-piece/v1", u64(i) + payload[off:off + PIECE])
        for i, off in enumerate(range(0, n, PIECE)))
    return H("intake-kiosk/payload/v1", u64(n) + leaves)


def bundle_hash(manifest, signature):
    return H("intake-kiosk/bundle/v1", manifest + signature)


def file_hash(data):
    return H("intake-kiosk/bundle-file/v1", data)


class Reject(Exception):
    def __init__(self, reason, detail=""):
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


# --- Keys ---------------------------------------------------------------------------------------

class Key:
    pass


def derive_keys(index, folder):
    """Rebuild every vector key from its public seed (README, index.json "keys")."""
    keys, problems = {}, []
    for name, info in index["keys"].items():
        k = Key()
        k.name, k.kind = name, info["kind"]
        seed = H("intake-kiosk/test-vector-seed/v1", name.encode("utf-8"))
        if k.kind in ("device-sign", "hq-sign"):
            k.public, k.secret = sodium.crypto_sign_seed_keypair(seed)
        else:
            k.public, k.secret = sodium.crypto_box_seed_keypair(seed)
        k.key_id = key_id(k.kind, k.public)
        with open(os.path.join(folder, info["secret_file"]), "rb") as f:
            secret_file = f.read()
        for what, mine, theirs in (("seed", seed.hex(), info["seed"]),
                                   ("public", k.public.hex(), info["public"]),
                                   ("key_id", k.key_id.hex(), info["key_id"]),
                                   ("secret_file", k.secret.hex(), secret_file.hex())):
            if mine != theirs:
                problems.append(f"{what} differs")
        keys[name] = (k, problems[:])
        problems.clear()
    return keys


# --- Bundles: rules 1-7 (open), 9-10 (verify) ---------------------------------------------------

class Opened:
    pass


def parse_manifest(m):
    (magic, version, bundle_id, device_key_id, recipient_key_id, sequence, created_at,
     payload_kind, payload_length, p_hash, previous_hash) = struct.unpack(
        "<8sB16s8s8sQqBQ32s32s", m)
    return {
        "magic": magic, "version": version,
        "bundle_id": bundle_id.hex(), "device_key_id": device_key_id.hex(),
        "recipient_key_id": recipient_key_id.hex(), "sequence": sequence,
        "created_at": created_at, "payload_kind": payload_kind,
        "payload_length": payload_length, "payload_hash": p_hash.hex(),
        "previous_hash": previous_hash.hex(),
    }


def open_bundle(path, seal):
    """Rules 1-7 with HQ's hq-seal key; returns Opened or raises Reject(reason)."""
    # 1. size, before reading the file whole
    size = os.path.getsize(path)
    if size < MIN_BUNDLE_BYTES or size > MAX_BUNDLE_BYTES:
        raise Reject("size", f"{size} bytes")
    with open(path, "rb") as f:
        data = f.read()
    if len(data) != size:
        raise Reject("size", "file changed while read")
    header = data[:HEADER_BYTES]
    # 2. magic, version, reserved
    if header[0:8] != b"IKBUNDLE":
        raise Reject("magic")
    if header[8] != 0x01:
        raise Reject("version", f"version {header[8]}")
    if header[9:12] != b"\x00\x00\x00":
        raise Reject("reserved")
    # 3. recipient key id, before any secret-dependent work
    recipient = header[12:20]
    if recipient != seal.key_id:
        raise Reject("recipient", f"header names {recipient.hex()}")
    # 4. sealed payload key
    try:
        payload_key = sodium.crypto_box_seal_open(header[20:100], seal.public, seal.secret)
    except nacl.exceptions.CryptoError:
        raise Reject("sealed-key")
    if len(payload_key) != sodium.crypto_secretstream_xchacha20poly1305_KEYBYTES:
        raise Reject("sealed-key", "payload key is not 32 bytes")
    # 5. stream header
    state = sodium.crypto_secretstream_xchacha20poly1305_state()
    try:
        sodium.crypto_secretstream_xchacha20poly1305_init_pull(state, header[100:124], payload_key)
    except nacl.exceptions.CryptoError:
        raise Reject("stream-header")
    # 6. chunks
    pos, inner, chunks = HEADER_BYTES, bytearray(), 0
    while True:
        if pos == len(data):
            raise Reject("truncated", f"end of file before a FINAL chunk, after {chunks} chunks")
        if len(data) - pos < 4:
            raise Reject("truncated", f"chunk {chunks}: length cut")
        (length,) = struct.unpack_from("<I", data, pos)
        pos += 4
        if not MIN_CHUNK <= length <= MAX_CHUNK:
            raise Reject("chunk-length", f"chunk {chunks}: L = {length}")
        if len(data) - pos < length:
            raise Reject("truncated", f"chunk {chunks}: ciphertext cut")
        ciphertext = data[pos:pos + length]
        pos += length
        try:
            plain, tag = sodium.crypto_secretstream_xchacha20poly1305_pull(
                state, ciphertext, header if chunks == 0 else None)
        except nacl.exceptions.CryptoError:
            raise Reject("chunk-auth", f"chunk {chunks}")
        if tag not in (TAG_MESSAGE, TAG_FINAL):
            raise Reject("chunk-tag", f"chunk {chunks}: tag {tag}")
        if tag == TAG_MESSAGE and len(plain) != PIECE:
            raise Reject("chunk-length", f"chunk {chunks}: MESSAGE of {len(plain)} bytes")
        inner += plain
        chunks += 1
        if len(inner) > MAX_INNER:
            raise Reject("size", "inner stream too long")
        if tag == TAG_FINAL:
            if pos != len(data):
                raise Reject("trailing", f"{len(data) - pos} bytes after FINAL")
            break
    # 7. trailer and manifest
    if len(inner) < TRAILER_BYTES:
        raise Reject("inner-length", f"{len(inner)} bytes")
    manifest = bytes(inner[len(inner) - TRAILER_BYTES:len(inner) - SIGNATURE_BYTES])
    signature = bytes(inner[len(inner) - SIGNATURE_BYTES:])
    fields = parse_manifest(manifest)
    if fields["magic"] != b"IKMANIFS":
        raise Reject("manifest-magic")
    if fields["version"] != 0x01:
        raise Reject("manifest-version", f"version {fields['version']}")
    if fields["recipient_key_id"] != recipient.hex():
        raise Reject("recipient", "manifest's recipient differs from the header's")
    if fields["payload_kind"] != 0x01:
        raise Reject("payload-kind", f"kind {fields['payload_kind']}")
    n = len(inner) - TRAILER_BYTES
    if fields["payload_length"] > MAX_PAYLOAD or fields["payload_length"] != n:
        raise Reject("payload-length", f"manifest says {fields['payload_length']}, stream has {n}")
    o = Opened()
    o.manifest, o.signature, o.fields = manifest, signature, fields
    o.payload = bytes(inner[:n])
    o.payload_key = payload_key
    o.chunks, o.file_size, o.data = chunks, size, data
    o.bundle_hash = bundle_hash(manifest, signature)
    return o


def verify_bundle(o, device_public):
    """Rules 9-10 under the device's Ed25519 public key (the one its key id names)."""
    if not verify("bundle-manifest/v1", o.manifest, o.signature, device_public):
        raise Reject("signature")
    if payload_hash(o.payload).hex() != o.fields["payload_hash"]:
        raise Reject("payload-hash")


# --- HQ: rules 8, 11, 12 over index.json's hq_state ----------------------------------------------

def check_json_limits(v):
    if isinstance(v, str):
        if len(v.encode("utf-8")) > 4096:
            raise Reject("payload-json", "a string over 4,096 bytes")
    elif isinstance(v, list):
        if len(v) > 100000:
            raise Reject("payload-json", "an array over 100,000 entries")
        for e in v:
            check_json_limits(e)
    elif isinstance(v, dict):
        for k, e in v.items():
            check_json_limits(k)
            check_json_limits(e)


def check_payload_json(o):
    """Rule 12, as far as the format page states it (required members and limits)."""
    def no_constant(name):
        raise ValueError(f"not JSON: {name}")
    try:
        doc = json.loads(o.payload.decode("utf-8"), parse_constant=no_constant)
    except (UnicodeDecodeError, ValueError):
        raise Reject("payload-json", "does not parse as UTF-8 JSON")
    if not isinstance(doc, dict):
        raise Reject("payload-json", "not a JSON object")
    check_json_limits(doc)
    if doc.get("format") != "intake-kiosk/changes/v1":
        raise Reject("payload-json", "format")
    if doc.get("device_key_id") != o.fields["device_key_id"]:
        raise Reject("payload-json", "device_key_id differs from the manifest's")
    seq = doc.get("sequence")
    if type(seq) is not int or seq != o.fields["sequence"]:
        raise Reject("payload-json", "sequence differs from the manifest's")


def contiguous_through(sequences):
    n = 0
    while n + 1 in sequences:
        n += 1
    return n


def hq_decide(o, state):
    """Rules 8-12 against hq_state; returns (status, received_through, reason)."""
    f = o.fields
    dev = f["device_key_id"]
    enrolled = {e["key_id"]: bytes.fromhex(e["public"]) for e in state["enrolled"]}
    revoked = set(state["revoked"])
    # 8. enrolled, not revoked
    if dev not in enrolled:
        raise Reject("unknown-device")
    if dev in revoked:
        raise Reject("revoked-device")
    # 9-10.
    verify_bundle(o, enrolled[dev])
    # 11. sequence, per device
    held = {e["sequence"]: e["bundle_hash"] for e in state["imported"]
            if e["device_key_id"] == dev}
    seq, bh = f["sequence"], o.bundle_hash.hex()
    if seq == 0 or (seq == 1 and f["previous_hash"] != "00" * 32):
        raise Reject("replay", "no history of the device holds it")
    if seq in held:
        if held[seq] == bh:
            return "duplicate", contiguous_through(held), "duplicate"
        raise Reject("replay", "same sequence, different bundle hash")
    # "What HQ's importer decides": a previous hash that disagrees with the bundle held for
    # sequence-1 is a forked history (the other direction needs sequence+1's previous hash,
    # which hq_state does not give).
    if seq - 1 in held and held[seq - 1] != f["previous_hash"]:
        raise Reject("replay", "forked history")
    # 12. payload JSON
    check_payload_json(o)
    return "accepted", contiguous_through(set(held) | {seq}), ""


# --- Receipts -----------------------------------------------------------------------------------

def read_receipt(data, signer):
    if not 163 <= len(data) <= 363:
        raise Reject("size", f"{len(data)} bytes")
    if data[0:8] != b"IKRECEIP":
        raise Reject("magic")
    if data[8] != 0x01:
        raise Reject("version", f"version {data[8]}")
    if data[9:17] != signer.key_id:
        raise Reject("signer", f"signer {data[9:17].hex()}")
    r = data[98]
    if 163 + r != len(data):
        raise Reject("length", f"R = {r}, {len(data)} bytes")
    reason = data[99:99 + r]
    if any(not 0x20 <= b <= 0x7E for b in reason):
        raise Reject("reason")
    if not 1 <= data[89] <= 3:
        raise Reject("status", f"status {data[89]}")
    if not verify("receipt/v1", data[:99 + r], data[99 + r:], signer.public):
        raise Reject("signature")
    (device, bundle_id, sequence, bh, received_at, status, through) = struct.unpack_from(
        "<8s16sQ32sqBQ", data, 17)
    return {
        "device_key_id": device.hex(), "bundle_id": bundle_id.hex(), "sequence": sequence,
        "bundle_hash": bh.hex(), "received_at": received_at, "status": STATUS[status],
        "received_through": through, "reason": reason.decode("ascii"),
    }


def write_receipt(fields, signer):
    status = {v: k for k, v in STATUS.items()}[fields["status"]]
    reason = fields["reason"].encode("ascii")
    body = (b"IKRECEIP" + b"\x01" + signer.key_id + bytes.fromhex(fields["device_key_id"])
            + bytes.fromhex(fields["bundle_id"]) + u64(fields["sequence"])
            + bytes.fromhex(fields["bundle_hash"]) + struct.pack("<q", fields["received_at"])
            + bytes([status]) + u64(fields["received_through"]) + bytes([len(reason)]) + reason)
    return body + sign("receipt/v1", body, signer.secret)


# --- Running the vectors ------------------------------------------------------------------------

class Runner:
    def __init__(self, folder):
        self.folder = folder
        with open(os.path.join(folder, "index.json"), encoding="utf-8") as f:
            self.index = json.load(f)
        self.failures = 0
        self.count = 0
        self.keys = {}

    def line(self, name, problems, note):
        self.count += 1
        if problems:
            self.failures += 1
            print(f"{name:40s} FAIL  {'; '.join(problems)}")
        else:
            print(f"{name:40s} OK    {note}")

    def key(self, name):
        return self.keys[name]

    def run_keys(self):
        for name, (k, problems) in derive_keys(self.index, self.folder).items():
            self.keys[name] = k
            self.line(f"key:{name}", problems, f"{k.kind}, key id {k.key_id.hex()}")
        for e in self.index["hq_state"]["enrolled"]:
            k = self.keys.get(e["key"])
            problems = []
            if k is None or k.key_id.hex() != e["key_id"] or k.public.hex() != e["public"]:
                problems.append("hq_state's enrolled key differs from the derived key")
            self.line(f"hq_state:{e['key']}", problems, "enrolled key matches")

    @staticmethod
    def compare_manifest(o, v, problems):
        for k, want in v.get("manifest", {}).items():
            if o.fields[k] != want:
                problems.append(f"manifest {k}: {o.fields[k]!r} != {want!r}")
        if "bundle_hash" in v and o.bundle_hash.hex() != v["bundle_hash"]:
            problems.append("bundle hash differs")

    def run_bundle(self, v):
        path = os.path.join(self.folder, v["file"])
        seal = self.key(v["open_with"])
        problems, note = [], ""
        stage, expect = v["stage"], v["expect"]
        try:
            o = open_bundle(path, seal)
        except Reject as r:
            if stage == "open" and expect == "reject" and r.reason == v["reason"]:
                return self.line(v["name"], [], f"rejected at open: {r.reason}")
            return self.line(v["name"], [f"open refused: {r.reason} ({r.detail}); index says "
                                         f"{stage}/{expect}/{v.get('reason', '')}"], "")
        if stage == "open":
            return self.line(v["name"], [f"opened, index says reject {v['reason']}"], "")

        device = self.key(v["verify_with"])
        if stage == "verify":
            try:
                if o.fields["device_key_id"] != device.key_id.hex():
                    raise Reject("unknown-device", "manifest names another device")
                verify_bundle(o, device.public)
            except Reject as r:
                if expect == "reject" and r.reason == v["reason"]:
                    return self.line(v["name"], [], f"rejected at verify: {r.reason}")
                return self.line(v["name"], [f"verify refused: {r.reason} ({r.detail})"], "")
            if expect == "reject":
                return self.line(v["name"], [f"verified, index says reject {v['reason']}"], "")
            self.check_golden(o, v, problems)
            return self.line(v["name"], problems,
                             f"accepted: sequence {o.fields['sequence']}, {o.chunks} chunks, "
                             f"{len(o.payload)} payload bytes, payload hash and bundle hash "
                             f"recomputed")

        # stage "hq": the crypto stages must pass under the key that signed it ...
        self.compare_manifest(o, v, problems)
        if o.fields["device_key_id"] != device.key_id.hex():
            problems.append("manifest's device key id is not verify_with's")
        try:
            verify_bundle(o, device.public)
        except Reject as r:
            problems.append(f"crypto stage refused: {r.reason}")
        if payload_hash(o.payload).hex() != o.fields["payload_hash"]:
            problems.append("payload hash recomputed differs")
        # ... and HQ's answer follows from hq_state
        try:
            status, through, reason = hq_decide(o, self.index["hq_state"])
            got = ("accept", status, through, reason)
        except Reject as r:
            got = ("reject", None, None, r.reason)
        if got[0] != expect:
            problems.append(f"HQ would {got[0]} ({got[3]}), index says {expect}")
        elif expect == "reject":
            if got[3] != v["reason"]:
                problems.append(f"HQ reason {got[3]}, index says {v['reason']}")
            note = f"opens and verifies; HQ rejects: {got[3]}"
        else:
            if got[1] != v["status"]:
                problems.append(f"HQ status {got[1]}, index says {v['status']}")
            if got[2] != v["received_through"]:
                problems.append(f"received through {got[2]}, index says {v['received_through']}")
            if "reason" in v and got[3] != v["reason"]:
                problems.append(f"HQ reason {got[3]!r}, index says {v['reason']!r}")
            note = (f"opens and verifies; HQ: {got[1]}, received through {got[2]}"
                    + (f", {got[3]}" if got[3] else ""))
        self.line(v["name"], problems, note)

    def check_golden(self, o, v, problems):
        self.compare_manifest(o, v, problems)
        if o.manifest.hex() != v["manifest_hex"]:
            problems.append("manifest bytes differ")
        if o.signature.hex() != v["signature"]:
            problems.append("signature differs")
        device = self.key(v["verify_with"])
        if sign("bundle-manifest/v1", o.manifest, device.secret) != o.signature:
            problems.append("re-signing the manifest gives another signature")
        with open(os.path.join(self.folder, v["payload_file"]), "rb") as f:
            if f.read() != o.payload:
                problems.append("payload differs from payload_file")
        if payload_hash(o.payload).hex() != v["manifest"]["payload_hash"]:
            problems.append("payload hash recomputed differs")
        if bundle_hash(o.manifest, o.signature).hex() != v["bundle_hash"]:
            problems.append("bundle hash recomputed differs")
        if o.file_size != v["file_size"]:
            problems.append(f"file size {o.file_size} != {v['file_size']}")
        if o.chunks != v["chunks"]:
            problems.append(f"{o.chunks} chunks != {v['chunks']}")
        if o.payload_key.hex() != self.index["payload_key"]:
            problems.append("sealed key does not open to index.json's payload_key")

    def run_receipt(self, v):
        signer = self.key(v["read_with"])
        with open(os.path.join(self.folder, v["file"]), "rb") as f:
            data = f.read()
        problems = []
        try:
            got = read_receipt(data, signer)
        except Reject as r:
            if v["expect"] == "reject" and r.reason == v["reason"]:
                return self.line(v["name"], [], f"rejected: {r.reason}")
            return self.line(v["name"], [f"refused: {r.reason} ({r.detail}); index says "
                                         f"{v['expect']} {v.get('reason', '')}"], "")
        if v["expect"] == "reject":
            return self.line(v["name"], [f"read, index says reject {v['reason']}"], "")
        for k, want in v["receipt"].items():
            if got[k] != want:
                problems.append(f"{k}: {got[k]!r} != {want!r}")
        if data.hex() != v["hex"]:
            problems.append("file differs from index.json's hex")
        if write_receipt(v["receipt"], signer) != data:
            problems.append("rewriting the receipt does not give the same bytes")
        note = f"read: {got['status']}, received through {got['received_through']}, rewritten byte for byte"
        if got["status"] == "rejected":
            # names the file hash of the bundle that did not open: find it among the vectors
            named = [b for b in self.index["bundles"]
                     if file_hash(self.read(b["file"])).hex() == got["bundle_hash"]]
            if named:
                b = named[0]
                if b.get("expect") != "reject" or b.get("reason") != got["reason"]:
                    problems.append(f"names {b['name']}, whose answer is not {got['reason']}")
                note += f"; file hash names {b['name']} ({b['reason']})"
        self.line(v["name"], problems, note)

    def read(self, name):
        with open(os.path.join(self.folder, name), "rb") as f:
            return f.read()

    def run_chain(self):
        """valid-multichunk is chained to valid-small (README): previous hash = bundle hash."""
        by_name = {b["name"]: b for b in self.index["bundles"]}
        chain = [by_name[n] for n in ("valid-small", "valid-multichunk", "valid-empty-final")
                 if n in by_name]
        for prev, cur in zip(chain, chain[1:]):
            problems = []
            if cur["manifest"]["previous_hash"] != prev["bundle_hash"]:
                problems.append("previous hash is not the predecessor's bundle hash")
            self.line(f"chain:{prev['name']}->{cur['name']}", problems, "previous hash chains")

    def run_coverage(self):
        """Every .ikb and .ikr file of the folder is a vector of index.json, and vice versa."""
        listed = {v["file"] for v in self.index["bundles"] + self.index["receipts"]}
        present = {f for f in os.listdir(self.folder) if f.endswith((".ikb", ".ikr"))}
        problems = [f"not in index.json: {f}" for f in sorted(present - listed)]
        problems += [f"missing file: {f}" for f in sorted(listed - present)]
        self.line("index.json", problems, f"lists all {len(present)} .ikb/.ikr files")

    def run(self):
        if self.index.get("format") != "intake-kiosk/bundle-vectors/v1":
            self.line("index.json", ["unknown vector format"], "")
            return 1
        self.run_coverage()
        self.run_keys()
        for v in self.index["bundles"]:
            try:
                self.run_bundle(v)
            except Exception as e:  # a reader bug is a failure of that vector, not a crash
                self.line(v.get("name", "?"), [f"reader error: {type(e).__name__}: {e}"], "")
        for v in self.index["receipts"]:
            try:
                self.run_receipt(v)
            except Exception as e:
                self.line(v.get("name", "?"), [f"reader error: {type(e).__name__}: {e}"], "")
        self.run_chain()
        print(f"spec_reader: {self.count - self.failures}/{self.count} agree with index.json"
              + (f", {self.failures} FAIL" if self.failures else ""))
        return 1 if self.failures else 0


def main(argv):
    folder = argv[1] if len(argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                        "bundles")
    if len(argv) > 2 or not os.path.isfile(os.path.join(folder, "index.json")):
        sys.stderr.write("usage: spec_reader.py [tests/vectors/bundles]\n")
        return 2
    return Runner(folder).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv))
