"""The PDF: every table value row by row, headings in order, a real CJK font, and a fetcher that refuses."""
from __future__ import annotations

import http.server
import re
import subprocess
import threading
from pathlib import Path

import lxml.html
import pytest

from qfin_docs.pdf import PdfError, render_pdf
from qfin_docs.render import ASSETS

from test_fact_base import expected_cell

CELL = re.compile(r"^(\(?\d{1,3}(,\d{3})*(\.\d+)?%?\)?|-)$")


def pdftotext(pdf: Path, *flags: str) -> str:
    return subprocess.run(["pdftotext", *flags, str(pdf), "-"], check=True, capture_output=True, text=True).stdout


def layout_rows(text: str) -> list[tuple[str, list[str]]]:
    """Lines of ``pdftotext -layout`` that end in figures: (label, figures)."""
    rows = []
    for line in text.splitlines():
        tokens = line.split()
        cells = []
        while tokens and CELL.match(tokens[-1]):
            cells.insert(0, tokens.pop())
        label = " ".join(tokens)
        if cells and label and not label.startswith("Page") and re.search(r"[A-Za-z]", label):
            rows.append((label, cells))
    return rows


def test_pdf_has_every_table_value_row_by_row(built, loaded):
    text = pdftotext(built / "press-release.pdf", "-layout")
    statements = text[text.index("Unaudited Condensed Consolidated Balance Sheets"):]
    actual = layout_rows(statements)
    expected = []
    for table in loaded.release.tables:
        for row in loaded.taxonomy.statements[table.statement].rows:
            if not row.is_heading:
                cells = [expected_cell(loaded, table, row, c) for c in table.columns]
                expected.append((row.label, [c for c in cells if c]))
    assert [cells for _, cells in actual] == [cells for _, cells in expected]
    for (label, _), (full_label, _) in zip(actual, expected):
        assert full_label.startswith(label) or label.startswith(full_label.split()[0]), (label, full_label)
    assert sum(len(c) for _, c in actual) == 499


def test_pdf_section_headings_in_order(built):
    root = lxml.html.parse(str(built / "press-release.html")).getroot()
    headings = [" ".join(h.text_content().split()) for h in root.iter("h1", "h2")]
    text = " ".join(pdftotext(built / "press-release.pdf").split())
    position = 0
    for heading in headings:
        found = text.find(heading, position)
        assert found >= 0, f"heading missing or out of order: {heading}"
        position = found + len(heading)
    assert len(headings) > 15


def test_pdf_layout_features(built):
    text = pdftotext(built / "press-release.pdf", "-layout")
    pages = text.split("\f")
    total = len([p for p in pages if p.strip()])
    assert f"Page 1 of {total}" in pages[0] and f"Page {total} of {total}" in pages[total - 1]
    assert all("Qifu Technology · Second Quarter and Interim 2024 Unaudited Results" in p for p in pages[1:total])
    for title in ("Balance Sheets", "Statements of Operations", "Statements of Cash Flows"):
        page = next(p for p in pages if f"Unaudited Condensed Consolidated {title}" in p)
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[1] == f"Unaudited Condensed Consolidated {title}", "a statement must start a new page"
    info = subprocess.run(["pdfinfo", str(built / "press-release.pdf")], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def test_table_headers_repeat_on_every_page_a_statement_spans(built, loaded):
    pages = pdftotext(built / "press-release.pdf", "-layout").split("\f")
    start = next(i for i, page in enumerate(pages) if "Unaudited Condensed Consolidated Balance Sheets" in page)
    pages = pages[start:]
    first_rows = {loaded.taxonomy.statements[t.statement].rows[0].label for t in loaded.release.tables}
    spanned = 0
    for page in pages:
        rows = [label for label, _ in layout_rows(page)]
        titled = re.search(r"Unaudited (Condensed|Reconciliations)", page)
        if rows and not titled and rows[0] not in first_rows:
            spanned += 1        # a statement continues here from the page before
            assert re.search(r"^\s*(?:(?:RMB|USD)\s+)*USD\s*$", page, re.MULTILINE), "continued table without its header"
    assert spanned >= 2     # the balance sheet and the statement of operations run over two pages


def test_cjk_font_embedded_and_no_missing_glyph(built):
    fonts = subprocess.run(["pdffonts", str(built / "press-release.pdf")], check=True, capture_output=True,
                           text=True).stdout.splitlines()[2:]
    assert any("Noto-Sans-CJK-SC" in line for line in fonts)
    for line in fonts:
        assert "Identity-H" in line, f"a font fell back to a custom encoding (missing glyphs?): {line}"
        assert line.split()[-5:-2] == ["yes", "yes", "yes"], f"font not embedded and subset: {line}"
    assert "8月 13, 2024" in pdftotext(built / "press-release.pdf")


def test_missing_glyph_fails_the_build():
    with pytest.raises(PdfError) as error:
        render_pdf("<html><body><p>private use \ue000 glyph</p></body></html>", ASSETS)
    assert any("U+E000" in m for m in error.value.messages)


@pytest.fixture()
def loopback_server():
    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()


HOSTILE = {
    "img file": '<img src="file:///etc/passwd">',
    "css url": '<div style="background: url(file:///etc/passwd)">x</div>',
    "css import": '<style>@import url("file:///etc/passwd");</style>',
    "attachment": '<a rel="attachment" href="file:///etc/passwd">x</a>',
    "relative traversal": '<img src="../../../../../../etc/passwd">',
    "loopback http": '<img src="{server}/image.png">',
    "loopback css": '<link rel="stylesheet" href="{server}/style.css">',
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_fetcher_refuses_anything_outside_the_assets(name, loopback_server):
    server, hits = loopback_server
    html = "<html><head></head><body><p>text</p>" + HOSTILE[name].format(server=server) + "</body></html>"
    with pytest.raises(PdfError) as error:
        render_pdf(html, ASSETS)
    assert any("blocked URL" in m for m in error.value.messages), error.value.messages
    assert hits == [], "the loopback server was contacted"


def test_fetcher_serves_the_asset_folder(tmp_path):
    """The stylesheet is fetched from the asset folder and applied: its page footer is in the PDF."""
    pdf = render_pdf('<html lang="en"><head><link rel="stylesheet" href="release.css"></head><body><p>ok</p></body></html>',
                     ASSETS)
    (tmp_path / "x.pdf").write_bytes(pdf)
    assert "Page 1 of 1" in pdftotext(tmp_path / "x.pdf")
