"""The command line: ``qfin-docs build|check|tieout|validate|viewer``.

Exit status: 0 success, 1 findings, 2 bad input, 3 internal error (a bug: please report it).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TextIO

from .model import BadInput, Problem, Source

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL, EXIT_DRAFT = 0, 1, 2, 3, 4
DRAFT_HELP = "work on the release as a draft (as 'status: draft' in release.yaml does): placeholders and carried " \
             "items are open items, listed once, never findings; the outputs say DRAFT and the exit status is 4, " \
             "never 0"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="qfin-docs", description="Compile an earnings release from tagged facts.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("release", type=Path, metavar="RELEASE_DIR", help="a release folder, e.g. releases/qfin-2024q2")
        sub.add_argument("--out", type=Path, help="output folder (default: build/<release id>)")
        sub.add_argument("--draft", action="store_true", help=DRAFT_HELP)
        return sub

    build = command("build", "build the HTML, PDF and Inline XBRL document set of a release")
    new_quarter = commands.add_parser("new-quarter", help="start the next quarter's release from this one",
                                      description="start the next quarter's release from this one: periods "
                                      "shifted, comparatives carried, every new figure TODO")
    new_quarter.add_argument("release", type=Path, metavar="FROM", help="the release to roll forward")
    new_quarter.add_argument("target", type=Path, metavar="TO", help="the new release folder (must not exist)")
    new_quarter.add_argument("--quarters", type=int, default=1, choices=range(1, 5), metavar="N",
                             help="how many quarters on (default 1; 4 = the same quarter a year later)")
    check = command("check", "prove every number in the built outputs traces to a fact or a declared derivation")
    check.add_argument("--format", choices=("text", "json"), default="text")
    check.add_argument("--verbose", "-v", action="store_true", help="list every number and what it is")
    tieout = commands.add_parser("tieout", help="tie every number of a draft (.txt, .html, .pdf) to the facts; "
                                 "with one argument, an Inline XBRL filing's narrative to its own tags")
    tieout.add_argument("release", type=Path, metavar="RELEASE_DIR|FILING")
    tieout.add_argument("draft_file", type=Path, metavar="DRAFT", nargs="?")
    tieout.add_argument("--draft", action="store_true", help=DRAFT_HELP)
    tieout.add_argument("--format", choices=("text", "json"), default="text")
    tieout.add_argument("--verbose", "-v", action="store_true", help="list every number and what it is")
    tieout.add_argument("--html", type=Path, metavar="OUT.html",
                        help="a filing only: write it with each number highlighted by status, with its explanation")
    command("validate", "validate the Inline XBRL submission offline (Arelle, and the EDGAR rules checked here); "
            "it says what it checked and what it did not")
    command("viewer", "write an interactive ixbrl-viewer page next to the document")
    command("facts", "load and check the fact base only, and list the facts")
    diff = commands.add_parser("diff", help="redline: the figures and prose that changed between two drafts",
                               description="redline: the figures and prose that changed between two drafts "
                               "(release folders, build folders, or a release at a git revision with --rev)")
    diff.add_argument("old", type=Path, metavar="OLD", help="a release or build folder")
    diff.add_argument("new", type=Path, nargs="?", metavar="NEW", help="a release or build folder (default: OLD)")
    diff.add_argument("--rev", help="compare OLD as committed at this git revision (e.g. HEAD~1) with NEW")
    diff.add_argument("--out", type=Path, help="folder for redline.html and redline.pdf (default: build/<NEW>/review)")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    serve = commands.add_parser("serve", help="serve a live preview on 127.0.0.1, rebuilt when the sources change",
                                description="serve a live preview on 127.0.0.1, rebuilt when the sources change")
    serve.add_argument("release", type=Path, nargs="?", metavar="RELEASE_DIR",
                       help="a release folder (default: the only one under releases/)")
    serve.add_argument("--out", type=Path, help="output folder (default: build/<release id>)")
    serve.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: a free one)")
    serve.add_argument("--draft", action="store_true", help=DRAFT_HELP)
    commands.add_parser("stubs", help="regenerate schema/standard-taxonomies/ from schema/taxonomy.yaml")
    catalog = commands.add_parser("catalog-check", help="check schema/standard-elements.yaml against EDGAR's lists "
                                  "(maintenance: the lists are third-party files, never committed)")
    catalog.add_argument("--edgar-data", type=Path, required=True, metavar="DIR",
                         help="the folder of EDGAR's lists (us-gaap/dei/srt deprecated concepts, us-gaap-rels-2024, "
                         "dqcrt-us-2024-constants)")
    catalog.add_argument("--catalog", type=Path, help="the catalog (default: schema/standard-elements.yaml)")
    catalog.add_argument("--record", action="store_true",
                         help="write what the lists confirm into the catalog's verified: keys")
    return parser


def main(argv: list[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run one command; returns the exit status.  No input ends in a traceback: a problem of the input is
    reported as ``file:line: CODE message`` (exit 2); anything unexpected as ``INTERNAL`` (exit 3)."""
    out, err = stdout or sys.stdout, stderr or sys.stderr
    args = _parser().parse_args(argv)
    try:
        return _run(args, out, err)
    except BadInput as exc:
        _report(exc.problems, err)
        print(f"qfin-docs: {len(exc.problems)} problem(s); nothing was written", file=err)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("qfin-docs: interrupted; nothing was written", file=err)
        return 130
    except BrokenPipeError:     # the reader stopped reading (``| head``): not an error of ours
        sys.stderr = open(os.devnull, "w")      # noqa: SIM115 -- Python's exit flush must not fail again
        return EXIT_OK
    except Exception as exc:   # the last resort: a bug, reported in one line (QFIN_TRACEBACK=1 for the whole)
        if os.environ.get("QFIN_TRACEBACK"):
            raise
        import traceback        # only for a bug: not imported by every command
        where = traceback.extract_tb(exc.__traceback__)[-1]
        print(f"{Path(where.filename).name}:{where.lineno}: INTERNAL {type(exc).__name__}: {str(exc)[:300]}", file=err)
        print("qfin-docs: internal error (a bug): please report it with the command and its input; "
              "QFIN_TRACEBACK=1 shows the traceback", file=err)
        return EXIT_INTERNAL


def _run(args, out: TextIO, err: TextIO) -> int:
    if args.command == "stubs":
        from .render.stubs import write_stubs
        from .facts.taxonomy import load_taxonomy
        taxonomy, problems = load_taxonomy()
        if taxonomy is None:
            _report(problems, err)
            return EXIT_BAD_INPUT
        for path in write_stubs(taxonomy):
            print(f"wrote {path}", file=out)
        return EXIT_OK
    if args.command == "catalog-check":
        return _catalog_check(args, out, err)
    if args.command == "new-quarter":
        from .quarter import new_quarter
        for line in new_quarter(args.release, args.target, quarters=args.quarters):
            print(line, file=out)
        return EXIT_OK
    if args.command == "diff":
        return _diff(args, out)
    if args.command == "serve" and args.release is None:
        found = sorted(p.parent for p in Path("releases").glob("*/release.yaml"))
        if len(found) != 1:
            raise BadInput([Problem(Source("releases"), "QF-RELEASE", f"{len(found)} releases here: name one")])
        args.release = found[0]
    out_dir = getattr(args, "out", None) or Path("build") / args.release.resolve().name
    if args.command == "build":
        return _build(args, out_dir, out, err)
    if args.command == "facts":
        from .facts.load import load
        from .facts.checks import check_facts
        loaded = load(args.release, args.draft)
        findings = check_facts(loaded.release, loaded.taxonomy)
        for fact in loaded.release.facts:
            print(f"{fact.source}\t{fact.concept}\t{fact.period}\t{fact.unit or ''}\t{fact.value}", file=out)
        _report(findings, err)
        return EXIT_FINDINGS if findings else EXIT_DRAFT if loaded.release.draft else EXIT_OK
    if args.command == "check":
        return _check(args, out_dir, out, err)
    if args.command == "tieout":
        if args.draft_file is None:         # a filing, tied to its own tags: only inconsistent figures are findings
            from .verify.filingtie import tieout_filing
            return _emit(tieout_filing(args.release, args.html), args, out, err)
        if args.html is not None:
            raise BadInput([Problem(Source(str(args.html), 0), "QF-USAGE", "--html is for a filing (one argument)")])
        from .verify.tieout import tieout_draft
        report = tieout_draft(args.release, args.draft_file, args.draft)
        return _emit(report, args, out, err)
    if args.command == "validate":
        from .verify.validate import validate
        from .facts.load import load
        draft = load(args.release, args.draft).release.draft
        return _validated(validate(args.release, out_dir, args.draft), draft, out, err)
    if args.command == "serve":
        from .serve import serve
        serve(args.release, out_dir, args.port, announce=lambda line: print(line, file=out, flush=True),
              draft=args.draft)
        return EXIT_OK
    if args.command == "viewer":
        from .verify.validate import viewer
        path = viewer(args.release, out_dir, args.draft)
        print(f"wrote {path}", file=out)
        return EXIT_OK
    return EXIT_BAD_INPUT


def _build(args, out_dir: Path, out: TextIO, err: TextIO) -> int:
    from .pipeline import build_release
    from .verify.report import open_summary
    from .facts.carried import open_items
    from .facts.taxonomy import load_taxonomy
    findings, release = build_release(args.release, out_dir, args.draft)
    _report(findings, err)
    print(f"built {out_dir}" + (f" (DRAFT: {open_summary(open_items(release, load_taxonomy()[0]))}; "
                                "'qfin-docs check' lists them)" if release.draft else ""), file=out)
    return EXIT_FINDINGS if findings else EXIT_DRAFT if release.draft else EXIT_OK


def _check(args, out_dir: Path, out: TextIO, err: TextIO) -> int:
    """``qfin-docs check``: one run over a bounded build, which makes many objects that live to its end; the
    cyclic garbage collector looks at the young ones every 20,000 allocations instead of 700 (Python's default,
    restored after), which took ~5% of the check's time for nothing."""
    import gc
    threshold = gc.get_threshold()
    gc.set_threshold(20_000, *threshold[1:])
    try:
        from .facts.validcache import cached_validation
        from .verify.strict import check_build
        with cached_validation():           # check reads the build folder anyway: its validation cache too
            report = check_build(args.release, out_dir, args.draft)
    finally:
        gc.set_threshold(*threshold)
    return _emit(report, args, out, err)


def _validated(result, draft: bool, out: TextIO, err: TextIO) -> int:
    """What validate found, what it checked and what it did not: never a bare "clean"."""
    _report(result.problems, err)
    for line in result.checked:
        print(f"checked: {line}", file=out)
    for line in result.not_checked:
        print(f"not checked: {line}", file=out)
    arelle = sum(1 for p in result.problems if p.code.startswith("ARELLE"))
    print(f"validate: {len(result.problems)} findings in what was checked ({arelle} from Arelle, "
          f"{len(result.problems) - arelle} from the EFM rules checked here); not a full EDGAR validation"
          + ("; DRAFT, not final" if draft else ""), file=out)
    return EXIT_FINDINGS if result.problems else EXIT_DRAFT if draft else EXIT_OK


def _catalog_check(args, out: TextIO, err: TextIO) -> int:
    from .facts import edgarlists
    from .facts.standard import CATALOG, load_catalog
    path = args.catalog or CATALOG
    catalog, problems = load_catalog(path)
    if catalog is None:
        raise BadInput(problems)
    findings = edgarlists.check_catalog(catalog, edgarlists.read_lists(args.edgar_data))
    text = path.read_text(encoding="utf-8")
    if args.record:
        path.write_text(edgarlists.record(text, edgarlists.verified(findings)), encoding="utf-8")
        print(f"wrote the verified: keys of {path}", file=out)
        text = path.read_text(encoding="utf-8")
    lines, count = edgarlists.report(findings, catalog, text)
    for line in lines:
        print(line, file=err if line.startswith("schema/") else out)
    return EXIT_FINDINGS if count else EXIT_OK


def _diff(args, out: TextIO) -> int:
    from .render.pdf import render_pdf
    from .verify.redline import compare, read_side
    from .verify.redline_page import render_redline
    from .render.templating import ASSETS
    new_path = args.new or args.old
    old, new = read_side(args.old, args.rev), read_side(new_path)
    result = compare(old, new)
    folder = args.out or Path("build") / new_path.resolve().name / "review"
    folder.mkdir(parents=True, exist_ok=True)
    page = render_redline(result, old, new)
    (folder / "redline.html").write_text(page, encoding="utf-8")
    (folder / "redline.pdf").write_bytes(render_pdf(page, ASSETS))
    if args.format == "json":
        json.dump(result.as_json(), out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        for item in result.warnings:
            print(f"warning: {item}", file=out)
        for item in result.facts:
            print(f"fact {item['item']}, {item['role']}: {item['old_printed']} -> {item['new_printed']}"
                  f"{' (' + item['note'] + ')' if item['note'] else ''} ({len(item['places'])} places)", file=out)
        for item in result.figures:
            print(f"figure {' / '.join(item['old'])} -> {' / '.join(item['new'])}: {', '.join(item['places'])}",
                  file=out)
        for item in result.prose:
            print(f"prose: -{item['deleted']} +{item['inserted']}", file=out)
        print(f"diff: {len(result.facts)} facts, {len(result.figures)} figures, {len(result.prose)} passages "
              f"changed; wrote {folder / 'redline.html'}", file=out)
    return EXIT_FINDINGS if result.changed else EXIT_OK


def _report(problems: list[Problem], err: TextIO) -> None:
    for problem in problems:
        print(problem, file=err)


def _emit(report, args, out: TextIO, err: TextIO) -> int:
    if args.format == "json":
        json.dump(report.as_json(), out, indent=1, ensure_ascii=False)
        out.write("\n")
    else:
        for line in report.lines(args.verbose):
            print(line, file=out)
        print(f"{args.command}: {report.summary_line()}", file=out)
    _report(report.findings, err)
    return EXIT_FINDINGS if report.findings else EXIT_DRAFT if report.draft else EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
