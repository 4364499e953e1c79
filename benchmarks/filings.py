"""The tie-out of every Inline XBRL filing in a folder against its own tags: one report each (``--out``) and
a summary table (`make filings FILINGS=folder`).

    .venv/bin/python benchmarks/filings.py FOLDER [--out DIR]

The filings are third-party documents: they are read where they are, never copied into the repository.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("tied", "derived", "non-financial", "unverifiable", "inconsistent")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "filings")
    args = parser.parse_args()
    filings = sorted(p for p in args.folder.glob("*") if p.suffix in (".htm", ".html", ".xhtml"))
    if not filings:
        print(f"no Inline XBRL filings in {args.folder}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    print("| filing | numbers | " + " | ".join(STATUSES) + " | seconds | max RSS so far, MB |")
    print("|---|---:|" + "---:|" * len(STATUSES) + "---:|---:|")
    for filing in filings:
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "qfin_docs", "tieout", str(filing), "--format", "json"],
                              capture_output=True, text=True, cwd=ROOT)
        seconds = time.perf_counter() - start
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        if done.returncode not in (0, 1):
            print(f"| {filing.name} | {done.stderr.strip().splitlines()[-1] if done.stderr else done.returncode} |")
            continue
        report = json.loads(done.stdout)
        (args.out / f"{filing.stem}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        counts = report["summary"]
        print(f"| {filing.name} | {sum(counts.values())} | " + " | ".join(str(counts.get(s, 0)) for s in STATUSES)
              + f" | {seconds:.1f} | {peak:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
