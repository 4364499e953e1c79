"""The tie-out's yardstick over a folder of Inline XBRL filings: blind re-identification of each filing's own
tagged figures (qfin_docs/verify/yardstick.py), digit-run coverage, and the findings on the unmodified filing.

    .venv/bin/python benchmarks/yardstick.py FOLDER [--held-out NAME ...] [--jobs N] [--show OUTCOME --count K]

Filings named by ``--held-out`` (default: the list in benchmarks/held-out.txt) are reported apart: they are
the ones no rule was written from.  ``--show OUTCOME --count K`` prints K figures of each filing with that outcome, to read.
"""
from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qfin_docs.verify.filingtie import tieout_filing  # noqa: E402
from qfin_docs.verify.yardstick import OUTCOMES, PLANTS, measure, planted  # noqa: E402


def one(job):
    path, plants, seed = job
    result = measure(path)
    findings = sum(1 for e in tieout_filing(path).entries if e.status == "inconsistent")
    return result, findings, {kind: planted(path, kind, plants, random.Random(f"{seed}{path.name}{kind}"))
                              for kind in (PLANTS if plants else ())}


def short(fact) -> str:
    return f"{fact.concept.local}{''.join(f'[{m.local}]' for _, m in fact.dimensions)} {fact.period}"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--held-out", nargs="*",
                        default=(ROOT / "benchmarks" / "held-out.txt").read_text(encoding="utf-8").split())
    parser.add_argument("--jobs", "-j", type=int, default=2)
    parser.add_argument("--show", default="wrong", help="the outcome whose figures --count prints")
    parser.add_argument("--count", type=int, default=0, help="print this many figures of --show per filing")
    parser.add_argument("--only", nargs="*", help="these filings of the folder only")
    parser.add_argument("--plants", type=int, default=0, help="plant this many mistakes of each kind per filing")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    filings = sorted(p for p in args.folder.glob("*") if p.suffix in (".htm", ".html", ".xhtml")
                     and (not args.only or p.name in args.only))
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = dict(zip(filings, pool.map(one, [(p, args.plants, args.seed) for p in filings])))
    for title, chosen in (("development", [p for p in filings if p.name not in args.held_out]),
                          ("held out", [p for p in filings if p.name in args.held_out])):
        print(f"\n{title}\n\n| filing | hidden | " + " | ".join(OUTCOMES)
              + " | own % | wrong % | own, members too | coverage | inconsistent (unmodified) |")
        print("|---|---:|" + "---:|" * (len(OUTCOMES) + 5))
        totals = {k: 0 for k in OUTCOMES}
        for path in chosen:
            result, findings, _ = results[path]
            for k in OUTCOMES:
                totals[k] += result.outcomes[k]
            covered, runs = result.coverage
            print(f"| {path.name} | {result.total} | " + " | ".join(str(result.outcomes[k]) for k in OUTCOMES)
                  + f" | {100 * result.share('own'):.1f} | {100 * result.share('wrong'):.1f} | {result.members}"
                  f" | {covered}/{runs} | {findings} |")
        total = sum(totals.values()) or 1
        print(f"| all | {total} | " + " | ".join(str(totals[k]) for k in OUTCOMES)
              + f" | {100 * totals['own'] / total:.1f} | {100 * totals['wrong'] / total:.1f} | | | |")
        if args.plants:
            print("\n| kind | changed | caught (inconsistent) | with the expected value | flagged | missed | unread |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for kind in PLANTS:
                c = sum((results[p][2][kind] for p in chosen), Counter())
                n = c["changed"] or 1
                print(f"| {kind} | {c['changed']} | {c['caught']} ({100 * c['caught'] / n:.0f}%) | {c['expected']} "
                      f"({100 * c['expected'] / n:.0f}%) | {c['flagged']} | {c['missed']} | {c['unread']} |")
        if args.count:
            for path in chosen:
                for hidden, entry in results[path][0].examples.get(args.show, [])[:args.count]:
                    where = "cell" if hidden.span is None else "prose"
                    print(f"  {path.name} {where} {hidden.text!r} is {short(hidden.fact)}; engine: "
                          + (f"{entry.status} " + (short(entry.fact) if entry.fact else entry.explanation[:150])
                             if entry else "nothing"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
