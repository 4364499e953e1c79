"""What a reviewer gets: a tagged, described PDF and a review page where every figure says what it is."""
from __future__ import annotations

import subprocess

import lxml.html
import pypdf

from qfin_docs.model import FigureKind
from qfin_docs.verify.strict import read_figures


def test_the_pdf_is_tagged_and_described(built):
    info = subprocess.run(["pdfinfo", str(built / "press-release.pdf")], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes"
    assert fields["Author"].strip() == "Qifu Technology"
    assert "Second Quarter and Interim 2024" in fields["Subject"] and "qfin-2024q2" in fields["Keywords"]
    assert fields["Title"].strip().startswith("Qifu Technology Announces Second Quarter")
    reader = pypdf.PdfReader(built / "press-release.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "en-US"
    kinds: dict[str, int] = {}

    def walk(node):
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, pypdf.generic.ArrayObject):
            for child in node:
                walk(child)
        elif isinstance(node, pypdf.generic.DictionaryObject):
            if "/S" in node:
                kinds[str(node["/S"])] = kinds.get(str(node["/S"]), 0) + 1
            if "/K" in node:
                walk(node["/K"])
    walk(reader.trailer["/Root"]["/StructTreeRoot"]["/K"])
    tables = (built / "press-release.html").read_text(encoding="utf-8").count('<table class="fin">')
    assert kinds["/Table"] == kinds["/THead"] == tables >= 7           # every statement, with its header cells
    assert kinds["/TH"] >= 200 and kinds["/TD"] >= 400
    assert kinds["/H1"] == 1 and kinds["/H2"] >= 15 and kinds["/LI"] >= 10


def test_the_review_page_gives_the_provenance_of_every_figure(built):
    figures = read_figures(built / "figures.json")
    root = lxml.html.parse(str(built / "review" / "press-release-review.html")).getroot()
    cards = {int(span.get("id").partition("-")[2]): span.get("data-prov") for span in root.xpath("//span[@data-prov]")}
    assert set(cards) == set(figures)
    for figure_id, figure in figures.items():
        card = cards[figure_id]
        assert f"printed by {figure.source}" in card
        for key in figure.inputs:
            assert str(key.concept) in card and f"period {key.period}" in card
        if figure.kind in (FigureKind.FACT, FigureKind.DATE, FigureKind.TEXT):
            assert "stored " in card and "/facts/" in card            # the value as stored, at its file:line
        if figure.kind is FigureKind.DERIVED:
            assert f"derivation {figure.formula}:" in card
    register = root.xpath("//section[@id='register']//li")
    assert len(register) == len(figures)
    assert all(li.get("id") == f"prov-{li.xpath('./a')[0].get('href')[5:]}" for li in register)


def test_the_redline_lists_exactly_what_changed(tmp_path):
    """Three facts and one sentence changed in a copy of the release: the redline lists those three facts at
    every place they are printed, the one sentence by word, and nothing else."""
    import io
    import json
    import shutil
    from conftest import RELEASE
    from qfin_docs.cli import main
    new = tmp_path / "new"
    shutil.copytree(RELEASE, new)
    metrics = new / "facts" / "metrics.yaml"
    text = metrics.read_text(encoding="utf-8")
    for old, changed in (("period: 2024-06-30, value: 247.6 million", "period: 2024-06-30, value: 248.1 million"),
                         ("value: \"9.97\"}", "value: \"9.95\"}"), ("2024-10-29", "2024-10-30")):
        assert text.count(old) == 1, old
        text = text.replace(old, changed)
    metrics.write_text(text, encoding="utf-8")
    prose = new / "prose" / "release.html.j2"
    sentence = "We continued to make noticeable progress in key areas of our operations"
    prose.write_text(prose.read_text(encoding="utf-8").replace(sentence, sentence.replace("noticeable", "steady")),
                     encoding="utf-8")
    out = io.StringIO()
    assert main(["diff", str(RELEASE), str(new), "--out", str(tmp_path / "review"), "--format", "json"], out,
                io.StringIO()) == 1
    result = json.loads(out.getvalue())
    assert sorted((f["fact"], f["period"], f["old"], f["new"]) for f in result["facts"]) == sorted([
        ("qfin:CumulativeRegisteredUsers", "2024-06-30", "247600000", "248100000"),
        ("qfin:WeightedAverageContractualTenor", "2024-04-01/2024-06-30", "9.97", "9.95"),
        ("us-gaap:DividendPayableDateToBePaidDayMonthAndYear[us-gaap:CommonClassAMember]", "2024-01-01/2024-06-30",
         "2024-10-29", "2024-10-30")])
    users = next(f for f in result["facts"] if f["fact"] == "qfin:CumulativeRegisteredUsers")
    assert len(users["places"]) == 2 and all("release.html.j2" in p for p in users["places"])  # the figure, its change
    assert [(p["deleted"], p["inserted"]) for p in result["prose"] if p["deleted"] or p["inserted"]] == \
        [(["noticeable"], ["steady"])]
    assert sorted(tuple(f) for p in result["prose"] for f in p["figures"]) == sorted([
        ("247.6 million", "248.1 million"), ("an increase of 12.2%", "an increase of 12.5%"), ("9.97", "9.95"),
        ("October 29, 2024", "October 30, 2024")])             # each changed figure, old -> new in its sentence
    printed = {(tuple(f["old"]), tuple(f["new"])) for f in result["figures"]}
    assert (("247.6 million",), ("248.1 million",)) in printed and (("9.97",), ("9.95",)) in printed
    assert (("October 29, 2024",), ("October 30, 2024",)) in printed
    assert all(set(f["facts"]) & {"qfin:CumulativeRegisteredUsers 2024-06-30",
                                  "qfin:WeightedAverageContractualTenor 2024-04-01/2024-06-30",
                                  "us-gaap:DividendPayableDateToBePaidDayMonthAndYear 2024-01-01/2024-06-30"}
               for f in result["figures"])             # nothing else is marked
    page = (tmp_path / "review" / "redline.html").read_text(encoding="utf-8")
    assert "<del>noticeable</del>" in page and "<ins>steady</ins>" in page
    assert (tmp_path / "review" / "redline.pdf").read_bytes().startswith(b"%PDF")


def test_the_same_release_has_no_redline(tmp_path):
    import io
    from conftest import RELEASE
    from qfin_docs.cli import main
    out = io.StringIO()
    assert main(["diff", str(RELEASE), str(RELEASE), "--out", str(tmp_path)], out, io.StringIO()) == 0
    assert out.getvalue().startswith("diff: 0 facts, 0 figures, 0 passages changed")


def test_the_redline_reads_a_git_revision(tmp_path):
    """--rev: the release as committed at HEAD against the working tree (unchanged in a clean checkout)."""
    import io
    import json
    from conftest import RELEASE
    from qfin_docs.cli import main
    out = io.StringIO()
    status = main(["diff", str(RELEASE), "--rev", "HEAD", "--out", str(tmp_path), "--format", "json"], out,
                  io.StringIO())
    result = json.loads(out.getvalue())
    dirty = subprocess.run(["git", "status", "--porcelain", str(RELEASE)], capture_output=True, text=True).stdout
    assert status == (1 if dirty else 0) and (result == {"facts": [], "figures": [], "prose": []} or dirty)
    err = io.StringIO()
    assert main(["diff", str(RELEASE), "--rev", "no-such-revision", "--out", str(tmp_path)], io.StringIO(), err) == 2
    assert "QF-DIFF cannot read" in err.getvalue()
