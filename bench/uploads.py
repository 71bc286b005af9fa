"""Measure the memory one upload costs while it is decoded (docs/benchmarks.md, "Upload memory").

Run: .venv/bin/python bench/uploads.py [--parallel 8] [--slots N]

Each case runs in a fresh Python process: it builds the file, reads its peak resident memory
(ru_maxrss), runs generation.images.normalise_upload on it (what a web pod does with a
screenshot) and reads the peak again; the difference is what the upload added. The worst
case issue 12 found was a 131 KB single-colour PNG of 6300 x 6300, under the 40 MP cap.
`--parallel` uploads of the case that cost the most then run in threads of one process, as
requests do in one web pod. `--slots N` lets N decodes run at once instead of the product's
DECODES_AT_ONCE, to show what the bound is worth.
"""

from __future__ import annotations

import argparse
import io
import json
import platform
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# name -> (Pillow mode, size, format): the kinds of file that cost the most once decoded.
CASES = {
    "png-6300-single-colour": ("RGB", (6300, 6300), "PNG"),
    "png-6300-rgba": ("RGBA", (6300, 6300), "PNG"),
    "png-6300-palette": ("P", (6300, 6300), "PNG"),
    "png-6300-16-bit-grey": ("I;16", (6300, 6300), "PNG"),
    "jpeg-7700x5100": ("RGB", (7700, 5100), "JPEG"),
    "png-2000x1200-screenshot": ("RGB", (2000, 1200), "PNG"),
}


def build(case: str) -> bytes:
    from PIL import Image

    mode, size, image_format = CASES[case]
    buffer = io.BytesIO()
    Image.new(mode, size, 7 if mode in {"P", "I;16"} else (90, 120, 200)).save(buffer, image_format)
    return buffer.getvalue()


def child(case: str, parallel: int, slots: int | None) -> None:
    """Measure one case in this (fresh) process and print a JSON line."""
    import threading

    sys.path.insert(0, str(ROOT))
    from generation import images

    if slots is not None:
        images._decode_slots = threading.BoundedSemaphore(slots)
    data = build(case)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    threads = [
        threading.Thread(target=images.normalise_upload, args=(data,)) for _ in range(parallel)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"file_kib": len(data) // 1024, "added_mib": (after - before) / 1024}))


def measure(case: str, parallel: int = 1, slots: int | None = None) -> dict:
    command = [sys.executable, __file__, "--child", case, "--parallel", str(parallel)]
    if slots is not None:
        command += ["--slots", str(slots)]
    out = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parallel", type=int, default=8)
    parser.add_argument("--slots", type=int, help="decodes at once (default: the product's)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.parallel, args.slots)
        return

    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(f"{'case':28} {'file':>9} {'added while decoding':>21}")
    added = {}
    for case in CASES:
        result = measure(case, slots=args.slots)
        added[case] = result["added_mib"]
        print(f"{case:28} {result['file_kib']:>6} KiB {result['added_mib']:>17.0f} MiB")
    worst = max(added, key=added.__getitem__)
    result = measure(worst, parallel=args.parallel, slots=args.slots)
    print(f"{args.parallel} x {worst} at once: {result['added_mib']:.0f} MiB added")


if __name__ == "__main__":
    main()
