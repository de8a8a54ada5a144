"""pyHanko's side of the validation benchmark (BENCHMARKS.md).

Validates, in-process with pyHanko 0.38, the signed files that `cargo bench -p pades --bench
validate` wrote to target/bench-inputs/ (B-B signatures with a B-LT document security store):
each run parses the file, reads the DSS into a ValidationContext with the dev root as the only
trust root, no fetching and revocation mode soft-fail, and validates the signature (integrity,
chain, revocation from the DSS, difference analysis of the DSS revision). It prints Markdown
rows like the Rust benchmark's, which runs this script with its floors (file:key=ms) so that both
tables share one baseline; run alone, the ratio column stays empty.

Before timing, each file is validated once with revocation mode hard-fail as well, so that the
timed soft-fail runs are known to find and use the revocation data rather than skip it.

    target/oracles-venv/bin/python crates/pades/benches/pyhanko_validate.py \
        target/bench-inputs 30 3 [text-100k.pdf:leader-rsa=0.95 ...]
"""

import sys
import time
from io import BytesIO
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.dss import DocumentSecurityStore

FILES = ["text-100k.pdf", "image-5m.pdf"]
KEYS = [("leader-rsa", "RSA-2048"), ("leader-p256", "P-256")]
CERTS_DEV = Path(__file__).resolve().parents[3] / "certs-dev"


def load_root():
    data = (CERTS_DEV / "root-ca.pem").read_bytes()
    _, _, der = pem.unarmor(data)
    return x509.Certificate.load(der)


def validate_once(data, root, revocation_mode="soft-fail"):
    reader = PdfFileReader(BytesIO(data))
    context = DocumentSecurityStore.read_dss(reader).as_validation_context(
        {
            "trust_roots": [root],
            "allow_fetching": False,
            "revocation_mode": revocation_mode,
        }
    )
    (signature,) = reader.embedded_signatures
    return validate_pdf_signature(signature, context)


def check(data, root, name):
    for mode in ("hard-fail", "soft-fail"):
        status = validate_once(data, root, mode)
        if not (status.bottom_line and status.intact and status.valid and status.trusted):
            sys.exit(f"{name}: pyHanko does not pass it with {mode}: {status.pretty_print_details()}")


def measure(data, root, iterations, warmups):
    for _ in range(warmups):
        validate_once(data, root)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        status = validate_once(data, root)
        samples.append(time.perf_counter() - start)
        assert status.bottom_line
    samples.sort()

    def rank(percent):
        index = max(-(-len(samples) * percent // 100) - 1, 0)
        return samples[index] * 1e3

    return rank(50), rank(95), rank(0)


def main():
    inputs = Path(sys.argv[1])
    iterations = int(sys.argv[2])
    warmups = int(sys.argv[3])
    floors = {}
    for spec in sys.argv[4:]:
        case, value = spec.split("=")
        floors[case] = float(value)
    root = load_root()
    print(f"pyHanko 0.38 in-process, {iterations} runs after {warmups} warm-ups; times in ms.")
    print()
    print("| validator | file | key | p50 | p95 | min | floor p50 | p50 / floor |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for name in FILES:
        stem = name.removesuffix(".pdf")
        for key, label in KEYS:
            path = inputs / f"{stem}-lt-{key}.pdf"
            if not path.exists():
                continue
            data = path.read_bytes()
            original = (inputs / name).read_bytes()
            check(data, root, path.name)
            p50, p95, low = measure(data, root, iterations, warmups)
            floor = floors.get(f"{name}:{key}")
            floor_text = f"{floor:.3f}" if floor else ""
            ratio_text = f"{p50 / floor:.0f}×" if floor else ""
            print(
                f"| pyHanko | {name} ({len(original)} bytes), signed: {len(data)} bytes | {label} "
                f"| {p50:.3f} | {p95:.3f} | {low:.3f} | {floor_text} | {ratio_text} |"
            )
    print()


if __name__ == "__main__":
    main()
