"""The tie-out of every Inline XBRL filing in a folder against its own tags: one report each (``--out``) and
a summary table (`make filings FILINGS=folder`).

    .venv/bin/python benchmarks/filings.py FOLDER [--out DIR] [--jobs N] [--sample N --seed S]

``--sample N`` then prints, per filing, N numbers drawn (seeded) from those not tied, with their status,
explanation and the words around them: the sheet for reading them by hand.

The filings are third-party documents: they are read where they are, never copied into the repository.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STATUSES = ("tied", "derived", "non-financial", "unverifiable", "inconsistent")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "filings")
    parser.add_argument("--sample", type=int, default=0, help="print N non-tied numbers per filing, to read")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                        help="filings tied out at once, each in its own process (timings are per filing)")
    args = parser.parse_args()
    filings = sorted(p for p in args.folder.glob("*") if p.suffix in (".htm", ".html", ".xhtml"))
    if not filings:
        print(f"no Inline XBRL filings in {args.folder}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    samples: list[str] = []
    print("| filing | numbers | " + " | ".join(STATUSES) + " | seconds | peak RSS, MB |")
    print("|---|---:|" + "---:|" * len(STATUSES) + "---:|---:|")
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(tie_one, filings))
    for filing, code, output, seconds, peak in results:
        if code not in (0, 1):
            print(f"| {filing.name} | {output.strip().splitlines()[-1] if output.strip() else code} |")
            continue
        report = json.loads(output)
        (args.out / f"{filing.stem}.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
        counts = report["summary"]
        print(f"| {filing.name} | {sum(counts.values())} | " + " | ".join(str(counts.get(s, 0)) for s in STATUSES)
              + f" | {seconds:.1f} | {peak:.0f} |")
        if args.sample:
            samples.append(sample(filing, report, args.sample, args.seed))
    for sheet in samples:
        print(sheet)
    return 0


def tie_one(filing: Path) -> tuple[Path, int, str, float, float]:
    """One filing's tie-out in its own process: (filing, exit status, its JSON or error, seconds, peak RSS)."""
    with tempfile.TemporaryFile("w+", encoding="utf-8") as out, tempfile.TemporaryFile("w+", encoding="utf-8") as err:
        start = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "qfin_docs", "tieout", str(filing), "--format", "json"],
                                   stdout=out, stderr=err, cwd=ROOT, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        output = out.read() if process.returncode in (0, 1) else err.read()
        return filing, process.returncode, output, seconds, usage.ru_maxrss / 1024


def sample(path: Path, report: dict, size: int, seed: int) -> str:
    """``size`` numbers the tie-out did not tie, each with the words around it (or its table row)."""
    sys.path.insert(0, str(ROOT))
    from qfin_docs.verify.filing import Filing
    filing = Filing(path)
    rows = {anchor: row for row in filing.rows for anchor in row.anchors}
    paragraphs = {p.anchor: p for p in filing.paragraphs}
    pool = [n for n in report["numbers"] if n["status"] != "tied"]
    lines = [f"\n## {path.name}: {min(size, len(pool))} of {len(pool)} numbers not tied (seed {seed})"]
    for index, number in enumerate(random.Random(seed).sample(pool, min(size, len(pool))), 1):
        anchor = number.get("anchor", "")
        if number.get("span") and anchor in paragraphs:
            text, (start, end) = paragraphs[anchor].text, number["span"]
            around = f"...{text[max(0, start - 100):start]}[[{text[start:end]}]]{text[end:end + 60]}..."
        elif anchor in rows:
            around = f"row {rows[anchor].label[:80]!r}: {' | '.join(rows[anchor].cells)}"
        else:
            around = anchor
        lines.append(f"{index}. {number['status']}: {number['text']!r} ({number['explanation'][:90]})\n   {around}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
