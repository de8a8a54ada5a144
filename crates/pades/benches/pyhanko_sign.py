"""pyHanko's side of the signing benchmark (BENCHMARKS.md).

Signs the inputs that `cargo bench -p pades --bench sign` wrote to target/bench-inputs/ in-process
with pyHanko 0.38, a new invisible field and the same software keys, and prints Markdown rows
like the Rust benchmark's. The Rust benchmark runs this script with its floors (file:key=ms) so
that both tables share one baseline; run alone, the ratio column stays empty.

    target/oracles-venv/bin/python crates/pades/benches/pyhanko_sign.py \
        target/bench-inputs 30 3 [text-100k.pdf:leader-rsa=0.95 ...]
"""

import sys
import time
from io import BytesIO
from pathlib import Path

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

FILES = ["text-100k.pdf", "image-5m.pdf"]
KEYS = [("leader-rsa", "RSA-2048"), ("leader-p256", "P-256")]
CERTS_DEV = Path(__file__).resolve().parents[3] / "certs-dev"


def sign_once(data, signer):
    writer = IncrementalPdfFileWriter(BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name="Sig")
    return signers.sign_pdf(writer, meta, signer=signer).getvalue()


def measure(data, signer, iterations, warmups):
    for _ in range(warmups):
        sign_once(data, signer)
    samples = []
    for _ in range(iterations):
        start = time.perf_counter()
        sign_once(data, signer)
        samples.append(time.perf_counter() - start)
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
    print(f"pyHanko 0.38 in-process, {iterations} runs after {warmups} warm-ups; times in ms.")
    print()
    print("| signer | file | key | p50 | p95 | min | floor p50 | p50 / floor |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for name in FILES:
        data = (inputs / name).read_bytes()
        for key, label in KEYS:
            signer = signers.SimpleSigner.load_pkcs12(
                str(CERTS_DEV / f"{key}.p12"), passphrase=b"vanthu-dev"
            )
            p50, p95, low = measure(data, signer, iterations, warmups)
            floor = floors.get(f"{name}:{key}")
            floor_text = f"{floor:.3f}" if floor else ""
            ratio_text = f"{p50 / floor:.0f}×" if floor else ""
            print(
                f"| pyHanko | {name} ({len(data)} bytes) | {label} | {p50:.3f} | {p95:.3f} "
                f"| {low:.3f} | {floor_text} | {ratio_text} |"
            )
    print()


if __name__ == "__main__":
    main()
