"""Timings of the pipeline stages and of the checkers (not a test: run with `make bench`).

Each stage runs REPEAT times in one process after a warm-up; the median is reported, with each
stage's ratio to the whole build, so that results compare across machines.
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
REPEAT = 7


def median_seconds(function, repeat: int = REPEAT) -> float:
    function()                                   # warm-up: imports, caches
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    from qfin_docs.facts import checks
    from qfin_docs.render import html as render
    from qfin_docs.render.pdf import render_pdf
    from qfin_docs.render.templating import ASSETS
    from qfin_docs.pipeline import build, load
    from qfin_docs.verify.strict import check_build
    from qfin_docs.verify.tieout import tieout_draft

    release = ROOT / "releases" / "qfin-2024q2"
    out = ROOT / "build" / "qfin-2024q2"
    reference = release / "reference" / "press-release.txt"
    loaded = load(release)
    html, _ = render.render(loaded.release, loaded.taxonomy, "html")
    stages = {
        "load (YAML, schema, taxonomy)": lambda: load(release),
        "fact checks": lambda: checks.check_facts(loaded.release, loaded.taxonomy),
        "render HTML": lambda: render.render(loaded.release, loaded.taxonomy, "html"),
        "render iXBRL": lambda: render.render(loaded.release, loaded.taxonomy, "ixbrl"),
        "PDF (WeasyPrint)": lambda: render_pdf(html.text, ASSETS),
        "strict check of the build (HTML, iXBRL, PDF)": lambda: check_build(release, out),
        "tie-out of the reference text": lambda: tieout_draft(release, reference),
    }
    whole = median_seconds(lambda: build(release, ROOT / "build" / "bench"), repeat=3)
    print(f"{'stage':<48} {'median s':>9} {'x build':>8}")
    print(f"{'whole build (all outputs, written)':<48} {whole:9.3f} {1:8.2f}")
    for name, function in stages.items():
        seconds = median_seconds(function)
        print(f"{name:<48} {seconds:9.3f} {seconds / whole:8.2f}")


    print()
    check_vs_arelle(release, out)
    check_process_vs_arelle(release, out)
    print()
    preview_latency(release)
    print()
    scaling()


def check_vs_arelle(release: Path, out: Path) -> None:
    """The strict check against Arelle's validation of the same iXBRL document (both in-process, medians)."""
    from qfin_docs.verify.strict import check_build
    from qfin_docs.verify.validate import run_arelle
    check = median_seconds(lambda: check_build(release, out))
    arelle = median_seconds(lambda: run_arelle(out / "qfin-20240630.htm"), repeat=3)
    print(f"qfin-docs check {check:.3f} s, Arelle {arelle:.3f} s: check/Arelle = {check / arelle:.2f} (goal <= 0.25)")


def check_process_vs_arelle(release: Path, out: Path) -> None:
    """``qfin-docs check`` as a whole process (start-up, imports, pdftotext) against Arelle's validation of the
    same document (a process too), medians."""
    import os
    import subprocess
    from qfin_docs.verify.validate import run_arelle
    command = [sys.executable, "-m", "qfin_docs", "check", str(release), "--out", str(out)]
    # As installed: Python may keep its compiled modules (Arelle's were compiled when pip installed it; ours are
    # on the warm-up run), whatever PYTHONDONTWRITEBYTECODE the shell running the benchmark sets.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    check = median_seconds(lambda: subprocess.run(command, capture_output=True, check=False, env=env), repeat=7)
    arelle = median_seconds(lambda: run_arelle(out / "qfin-20240630.htm"), repeat=3)
    print(f"qfin-docs check (whole process) {check:.3f} s, Arelle {arelle:.3f} s: check/Arelle = "
          f"{check / arelle:.2f} (goal <= 0.25)")


def preview_latency(release: Path, edits: int = 7) -> None:
    """``qfin-docs serve`` on a copy of the release: seconds from a fact edit to the served HTML showing it,
    on an idle server and while the slow outputs of the previous edit are building (medians)."""
    import shutil
    import subprocess
    import urllib.error
    import urllib.request
    folder = ROOT / "build" / "bench-serve"
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(release, folder / "release")
    facts = folder / "release" / "facts" / "metrics.yaml"
    original = facts.read_text(encoding="utf-8")
    line = next(x for x in original.splitlines() if "NumberOfFinancialInstitutionalPartners" in x)
    server = subprocess.Popen([sys.executable, "-m", "qfin_docs", "serve", str(folder / "release"), "--out",
                               str(folder / "out")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    base = server.stdout.readline().split(" on ")[1].split()[0].rstrip("/")

    def get(path: str) -> bytes:
        try:
            with urllib.request.urlopen(base + path, timeout=10) as response:
                return response.read()
        except urllib.error.HTTPError:          # not built yet
            return b""

    def wait(condition, limit: float = 300.0) -> float:
        start = time.perf_counter()
        while not condition():
            if time.perf_counter() - start > limit:
                raise TimeoutError("the served page did not change")
            time.sleep(0.02)
        return time.perf_counter() - start

    def edit(number: int) -> float:
        facts.write_text(original.replace(line, line.replace('value: "160"', f'value: "{number}"')), encoding="utf-8")
        return wait(lambda: f">{number}</span> financial".encode() in get("/press-release.html"))

    try:
        wait(lambda: b"up to date" in get("/"))
        idle, busy = [], []
        for number in range(161, 161 + edits):
            idle.append(edit(number))
            wait(lambda: b"up to date" in get("/"))
        for number in range(201, 201 + edits):
            edit(number)                     # its slow outputs start building ...
            time.sleep(0.5)
            busy.append(edit(number + 100))  # ... and this edit comes while they do
        print(f"serve: fact edit to served HTML, median {statistics.median(idle):.2f} s idle, "
              f"{statistics.median(busy):.2f} s while the slow outputs build (goal <= 1 s; {edits} edits each)")
    finally:
        server.terminate()
        server.wait(timeout=30)


def synthetic_release(factor: int, folder: Path) -> Path:
    """The Q2 2024 release with ``factor`` copies of its facts and tables, each copy two years apart
    (copies k = -factor/2 .. factor/2 - 1, so every date stays in 1900-2200), and the prose of copy 0."""
    import re
    import shutil
    source = ROOT / "releases" / "qfin-2024q2"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(source / "prose", folder / "prose")
    release_text = (source / "release.yaml").read_text(encoding="utf-8")
    names = re.findall(r"^  ([A-Z][A-Z0-9-]*): ", release_text, re.MULTILINE)
    fact_files, periods = [], []
    for k in range(-(factor // 2), factor - factor // 2):
        def shift(text: str) -> str:
            text = re.sub(r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: f"{int(m[1]) + 2 * k}-{m[2]}-{m[3]}", text)
            if k:
                text = re.sub(r"\b(" + "|".join(map(re.escape, names)) + r")\b(?!-K)", rf"\1-K{k + 1000}", text)
            return text
        for name in ("tables.yaml", "metrics.yaml"):
            target = folder / "facts" / f"k{k + 1000}-{name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(shift((source / "facts" / name).read_text(encoding="utf-8")), encoding="utf-8")
            fact_files.append(f"facts/{target.name}")
        block = release_text.split("periods:\n", 1)[1].split("\n\n", 1)[0]
        periods.append(shift(block) if k else block)
    head, rest = release_text.split("periods:\n", 1)
    rest = rest.split("\n\n", 1)[1]
    text = head + "periods:\n" + "\n".join(periods) + "\n\n" + rest
    text = re.sub(r"fact_files: \[.*\]", "fact_files: [" + ", ".join(fact_files) + "]", text)
    (folder / "release.yaml").write_text(text, encoding="utf-8")
    return folder


def scaling() -> None:
    """load + fact checks + render + strict check at 1x, 10x and 100x the facts: time and peak memory."""
    import subprocess
    results = {}
    for factor in (1, 10, 100):
        folder = synthetic_release(factor, ROOT / "build" / f"synthetic-{factor}x")
        script = ("import time, sys; sys.path.insert(0, %r)\n"
                  "from pathlib import Path\nfrom qfin_docs.facts import checks, load\nfrom qfin_docs.render import html as render\nfrom qfin_docs.render.ixbrl import document_set\n"
                  "t = time.perf_counter(); loaded = load.load(Path(%r))\n"
                  "assert not [p for p in checks.check_facts(loaded.release, loaded.taxonomy) if p.severity.value == 'error']\n"
                  "html, problems = render.render(loaded.release, loaded.taxonomy, 'html'); assert html, problems\n"
                  "from qfin_docs.verify.strict import check_html; from qfin_docs.verify.report import Report\n"
                  "figures = {f.id: f for f in html.figures}; report = Report()\n"
                  "check_html(html.text.encode(), figures, loaded, report, 'x')\n"
                  "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
                  "print(time.perf_counter() - t, int(peak) / 1024,"
                  " len(loaded.release.facts), len(report.findings))") % (str(ROOT), str(folder))
        samples = []
        for _ in range(3 if factor < 100 else 1):
            done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
            seconds, megabytes, facts, findings = done.stdout.split()
            samples.append(float(seconds))
        results[factor] = (statistics.median(samples), float(megabytes), int(facts), int(findings))
        print(f"{factor:>4}x: {int(facts):>6} facts, load + fact checks + render + strict check "
              f"{results[factor][0]:7.2f} s, peak {float(megabytes):6.0f} MB, {findings} findings")
    print(f"t10/t1 = {results[10][0] / results[1][0]:.1f}, t100/t10 = {results[100][0] / results[10][0]:.1f} "
          f"(goal <= 11), peak at 100x {results[100][1]:.0f} MB (goal < 300 MB)")


if __name__ == "__main__":
    main()
