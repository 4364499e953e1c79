"""What a reviewer gets: a tagged, described PDF and a review page where every figure says what it is."""
from __future__ import annotations

import subprocess

import lxml.html
import pypdf

from qfin_docs.model import FigureKind
from qfin_docs.strict import read_figures


def test_the_pdf_is_tagged_and_described(built):
    info = subprocess.run(["pdfinfo", str(built / "press-release.pdf")], capture_output=True, text=True,
                          check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Tagged"].strip() == "yes"
    assert fields["Author"].strip() == "Qifu Technology"
    assert "Second Quarter and Interim 2024" in fields["Subject"] and "qfin-2024q2" in fields["Keywords"]
    assert fields["Title"].strip().startswith("Qifu Technology Announces Second Quarter")
    reader = pypdf.PdfReader(built / "press-release.pdf")
    assert reader.trailer["/Root"]["/Lang"] == "en"
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
    assert kinds["/Table"] >= 9 and kinds["/TH"] >= 200 and kinds["/TD"] >= 400   # tables with header cells
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
