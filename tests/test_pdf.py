"""The PDF: every table value row by row, headings in order, a real CJK font, and a fetcher that refuses."""
from __future__ import annotations

import http.server
import re
import subprocess
import threading
from pathlib import Path

import lxml.html
import pytest

from qfin_docs.render.pdf import PdfError, render_pdf
from qfin_docs.render.templating import ASSETS

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
    page = next(p for p in pages if "Unaudited Condensed Consolidated Balance Sheets" in p)
    lines = [line.strip() for line in page.splitlines() if line.strip()]
    assert lines[1] == "Unaudited Condensed Consolidated Balance Sheets", "the statements start on a new page"
    # later statements follow on the same page when they fit whole (test_each_statement_table_keeps_to_one_page)
    info = subprocess.run(["pdfinfo", str(built / "press-release.pdf")], capture_output=True, text=True).stdout
    assert "595.276 x 841.89 pts (A4)" in info


def page_fill(pdf: Path) -> list[float]:
    """How full each page is: the lowest line of body text, as a share of the height between the margins
    (the running header and the page footer left out), from pdftotext's word boxes."""
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    top, bottom = 17 / 25.4 * 72, 15 / 25.4 * 72          # the @page margins of templates/assets/release.css
    fills = []
    for page in out.split("<page ")[1:]:
        height = float(re.search(r'height="([\d.]+)"', page).group(1))
        lows = [float(y1) for y0, y1 in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', page)
                if top + 12 < float(y0) < height - bottom - 4]
        fills.append((max(lows) - top) / (height - top - bottom) if lows else 0.0)
    return fills


def test_no_page_is_under_a_third_full_but_the_last(built):
    fills = page_fill(built / "press-release.pdf")
    assert len(fills) <= 12, len(fills)
    assert all(fill >= 1 / 3 for fill in fills[:-1]), [round(f, 2) for f in fills]


def test_each_statement_table_keeps_to_one_page_with_its_title(built, loaded):
    """Every statement starts with its title and units line and ends on the same page (none is split)."""
    pages = pdftotext(built / "press-release.pdf", "-layout").split("\f")
    for table in loaded.release.tables:
        statement = loaded.taxonomy.statements[table.statement]
        last = next(r.label for r in reversed(statement.rows) if not r.is_heading)
        holding = [n for n, page in enumerate(pages) if statement.title in page]
        assert holding, statement.title
        assert any(statement.caption[0] in pages[n] and last.split()[0] in pages[n] for n in holding), statement.id


def assert_fonts_embedded_without_missing_glyphs(pdf: Path) -> list[str]:
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout.splitlines()[2:]
    for line in fonts:
        assert "Identity-H" in line, f"a font fell back to a custom encoding (missing glyphs?): {line}"
        assert line.split()[-5:-2] == ["yes", "yes", "yes"], f"font not embedded and subset: {line}"
    return fonts


def test_fonts_embedded_and_no_missing_glyph(built):
    assert_fonts_embedded_without_missing_glyphs(built / "press-release.pdf")
    assert "Aug. 13, 2024" in pdftotext(built / "press-release.pdf")


def test_cjk_text_gets_the_cjk_font(tmp_path):
    """A release that prints CJK text (the mini release's dateline "8月 13, 2024") gets the CJK font."""
    html = ('<html lang="en-US"><head><link rel="stylesheet" href="release.css"></head><body>'
            '<p class="dateline-cjk">8月 13, 2024</p></body></html>')
    (tmp_path / "cjk.pdf").write_bytes(render_pdf(html, ASSETS))
    fonts = assert_fonts_embedded_without_missing_glyphs(tmp_path / "cjk.pdf")
    assert any("Noto-Sans-CJK-SC" in line for line in fonts)
    assert "8月 13, 2024" in pdftotext(tmp_path / "cjk.pdf")


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


def test_word_spacing_stays_sane(built):
    """No line of running text has a word space over 2.5x the normal space of its font size (measured from
    the word boxes pdftotext reports; justified lines with unbreakable figures used to stretch to 3.5x)."""
    import statistics
    out = subprocess.run(["pdftotext", "-bbox", str(built / "press-release.pdf"), "-"], check=True,
                         capture_output=True, text=True).stdout
    statements = next(n for n, page in enumerate(pdftotext(built / "press-release.pdf").split("\f"))
                      if "Unaudited Condensed Consolidated Balance Sheets" in page)
    lines: dict[tuple, list] = {}
    for number, page in enumerate(out.split("<page ")[1:statements + 1]):      # the running text
        for x0, y0, x1, y1 in re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"', page):
            size = round(float(y1) - float(y0))
            lines.setdefault((number, round(float(y1)), size), []).append((float(x0), float(x1)))
    gaps_by_size: dict[int, list] = {}
    widest = []
    for (page, _, size), words in lines.items():
        words.sort()
        gaps = [b[0] - a[1] for a, b in zip(words, words[1:]) if 0 < b[0] - a[1] < 40]   # not across table columns
        if len(gaps) >= 3:
            gaps_by_size.setdefault(size, []).extend(gaps)
            widest.append((size, max(gaps), page))
    normal = {size: statistics.median(gaps) for size, gaps in gaps_by_size.items()}
    assert len(widest) > 150
    worst = max(gap / normal[size] for size, gap, _ in widest)
    assert worst <= 2.5, worst
