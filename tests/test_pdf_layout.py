"""The PDF set as US earnings releases are, measured from the PDF itself (pdfplumber's word boxes and drawn
rules): a double rule under each statement's final totals and a single rule over other totals, no row label
over two lines, column headers ending where the digits end, centred column-group headings with a rule each,
PDF/UA identification, one footnote-marker style, typographic quotes, the English dateline, no chart boxes."""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pdfplumber
import pypdf
import pytest

from test_fact_base import expected_cell

NUMBER = re.compile(r"^\(?\d{1,3}(,\d{3})*(\.\d+)?%?\)?$")


@pytest.fixture(scope="module")
def pages(built):
    with pdfplumber.open(built / "press-release.pdf") as pdf:
        # rules: stroked lines, and the edges of filled shapes (WeasyPrint fills the border of an inline box)
        yield [(page.extract_words(keep_blank_chars=False, use_text_flow=False),
                page.lines + [dict(r, top=r["bottom"]) for r in page.rects], page.height)
               for page in pdf.pages]


def lines_of(words, tolerance: float = 1.5) -> list[list[dict]]:
    """Words grouped into text lines (same top), top to bottom, each left to right."""
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= tolerance:
            rows[-1].append(word)
        else:
            rows.append([word])
    return [sorted(r, key=lambda w: w["x0"]) for r in rows]


def figure_rows(loaded):
    """(table, row, printed cells) of every statement row, in document order."""
    for table in loaded.release.tables:
        statement = loaded.taxonomy.statements[table.statement]
        for row in statement.rows:
            if not row.is_heading:
                yield table, statement, row, [c for c in (expected_cell(loaded, table, row, col)
                                                          for col in table.columns) if c]


def locate(pages, start, cells):
    """The first text line at or after ``start`` (page, line) whose figures are ``cells``: (page, words)."""
    page_no, line_no = start
    while page_no < len(pages):
        lines = lines_of(pages[page_no][0])
        for index in range(line_no, len(lines)):
            figures = [w for w in lines[index] if NUMBER.match(w["text"]) or w["text"] == "-"]
            if [w["text"] for w in figures[-len(cells):]] == cells and len(figures) >= len(cells):
                return (page_no, index + 1), figures[-len(cells):]
        page_no, line_no = page_no + 1, 0
    raise AssertionError(f"row not found: {cells}")


def rules_near(rules, word, below: bool, reach: float = 6.0) -> list[float]:
    """The y of every horizontal rule that spans ``word`` horizontally, just below (or above) it."""
    found = []
    for rule in rules:
        if rule["x0"] > word["x0"] + 0.5 or rule["x1"] < word["x1"] - 0.5:
            continue
        y = rule["top"]
        if (below and word["bottom"] <= y <= word["bottom"] + reach) or \
                (not below and word["top"] - reach <= y <= word["top"]):
            found.append(round(y, 2))
    return sorted(set(found))


def test_double_rule_under_each_statements_final_totals_and_a_single_rule_over_totals(pages, loaded):
    position = (0, 0)
    checked = {"grand": 0, "total": 0}
    finals = set()
    for table, statement, row, cells in figure_rows(loaded):
        position, words = locate(pages, position, cells)
        rules = pages[position[0]][1]
        for word in words:
            # a figure sits on its label's first line: the rule under the row is up to a line lower
            under, over = rules_near(rules, word, below=True, reach=14), rules_near(rules, word, below=False)
            if row.style == "grand":
                assert len(under) == 2 and 0.8 <= under[1] - under[0] <= 3, (statement.id, row.label, word["text"], under)
            else:
                under = rules_near(rules, word, below=True)
                assert len(under) <= 1, (statement.id, row.label, word["text"], under)   # never a double rule
            if row.style in ("grand", "total"):
                assert len(over) >= 1, (statement.id, row.label, word["text"], "no rule over a total")
        if row.style in checked:
            checked[row.style] += 1
        last_total = [r for r in statement.rows if r.style in ("total", "grand")][-1]
        if row is last_total:
            assert row.style == "grand", f"{statement.id}: its final total {row.label} has no double rule"
            finals.add(statement.id)
    assert finals == set(loaded.taxonomy.statements) and checked["grand"] >= 12 and checked["total"] >= 12, checked


def label_lines(pages, loaded) -> list[tuple[str, str, int]]:
    """How many text lines each statement row label takes in the PDF."""
    counts = []
    position = (0, 0)
    for table, statement, row, cells in figure_rows(loaded):
        position, figures = locate(pages, position, cells)
        page_no, after = position
        lines = lines_of(pages[page_no][0])
        first = after - 1
        left = figures[0]["x0"] - 1

        def text(line):
            return " ".join(w["text"] for w in line if w["x1"] <= left)
        joined, used = text(lines[first]), 1
        while joined != row.label and first + used < len(lines):
            more = text(lines[first + used])
            candidate = joined + more if joined.endswith("-") else joined + " " + more
            if not more or not row.label.startswith(candidate):
                break
            joined, used = candidate, used + 1
        assert joined == row.label, (statement.id, row.label, joined)
        counts.append((table.id, row.label, used))
    return counts


def test_no_statement_label_wraps_more_than_twice(pages, loaded):
    counts = label_lines(pages, loaded)
    assert len(counts) == len(list(figure_rows(loaded))) > 100
    assert max(n for *_, n in counts) <= 2, [c for c in counts if c[2] > 2]
    assert sum(1 for *_, n in counts if n == 2) <= 20, [c for c in counts if c[2] == 2]


def test_column_headers_end_where_the_digits_end_and_groups_are_centred(pages, loaded):
    words, rules, _ = next(p for p in pages if any(w["text"] == "Operations" for w in p[0]))
    lines = lines_of(words)
    group = next(line for line in lines if [w["text"] for w in line[:3]] == ["Three", "months", "ended"])
    currency = next(line for line in lines if [w["text"] for w in line][:2] == ["RMB", "RMB"])
    first_row = next(line for line in lines if line[0]["text"] == "Credit")
    digits = [w for w in first_row if NUMBER.match(w["text"])]
    assert len(currency) == len(digits) == 6
    for header, figure in zip(currency, digits):
        assert abs(header["x1"] - figure["x1"]) < 1.0, (header["text"], header["x1"], figure["x1"])
    # the group heading is centred over its three columns, each group with its own rule
    heads = [line for line in lines if line[0]["text"] in ("Three", "Six") and "ended" in [w["text"] for w in line]]
    spans = []
    for line in [group] + [line for line in heads if line[0]["text"] == "Six"][:1]:
        head_words = [w for w in line]
        cut = next(i for i, w in enumerate(head_words) if i and w["text"] == "Six") if line is group and \
            any(w["text"] == "Six" for w in head_words) else len(head_words)
        for part in (head_words[:cut], head_words[cut:]):
            if part:
                spans.append((part[0]["x0"], part[-1]["x1"], part[-1]["bottom"]))
    assert len(spans) == 2
    group_rules = sorted({(round(r["x0"]), round(r["x1"])) for r in rules if 0 < r["top"] - spans[0][2] < 5})
    assert len(group_rules) == 2 and group_rules[0][1] < group_rules[1][0], group_rules   # two rules, a gap
    for (x0, x1, _), (r0, r1) in zip(spans, group_rules):
        assert abs((x0 + x1) / 2 - (r0 + r1) / 2) < 3, ((x0, x1), (r0, r1))           # centred on its rule


def test_components_are_indented_under_subtotals(pages, loaded):
    words, _, _ = next(p for p in pages if any(w["text"] == "Operations" for w in p[0]))
    starts = {}
    for line in lines_of(words):
        starts.setdefault(" ".join(w["text"] for w in line[:3]), line[0]["x0"])
    margin = starts["Credit driven services"]
    assert starts["Financing income 1,188,738"] - margin > 10           # a member under its subtotal: two levels
    assert 3 < starts["Funding costs 165,225"] - margin < starts["Financing income 1,188,738"] - margin
    assert abs(starts["Total net revenue"] - margin) < 0.5


def test_pdf_ua_identification_and_language(built):
    reader = pypdf.PdfReader(built / "press-release.pdf")
    root = reader.trailer["/Root"]
    assert root["/Lang"] == "en-US"
    xmp = root["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r'pdfuaid:part="1"|<pdfuaid:part>1</pdfuaid:part>', xmp), xmp[:400]
    assert "Qifu Technology Announces Second Quarter" in xmp
    assert root["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in root
    assert root["/ViewerPreferences"]["/DisplayDocTitle"]


def test_one_footnote_marker_style_typographic_quotes_english_dateline_no_chart_boxes(built):
    html = built / "press-release.html"
    root = lxml.html.parse(str(html)).getroot()
    markers = [span.text_content() for span in root.xpath("//span[@class='fn']")]
    assert len(markers) == 15 and all(re.fullmatch("[⁰¹²³⁴⁵⁶⁷⁸⁹]+", m) for m in markers), markers
    text = " ".join(root.xpath("//body")[0].text_content().split())
    assert '"' not in text, text[max(0, text.find('"') - 60):text.find('"') + 60]
    assert not re.search(r"\w'\w|\s'|'\s", text), "a straight apostrophe or single quote"
    assert "8月" not in text and text.count("Aug. 13, 2024") == 2
    assert not root.xpath("//*[contains(@class, 'chart-placeholder')]") and len(root.xpath("//p[@class='chart-note']")) == 1
    assert "globenewswire.com/Resource" not in text


def test_no_page_is_left_mostly_blank_before_a_statement(pages):
    """The page before the statements is not left short by a chart box: every page but the statements' last
    and the document's last is at least 60% full."""
    fills = []
    for words, _, height in pages:
        body = [w for w in words if 60 < w["top"] < height - 50]
        fills.append(max(w["bottom"] for w in body) / (height - 50) if body else 0)
    prose_pages = next(n for n, (words, _, _) in enumerate(pages) if any(w["text"] == "Balance" for w in words)
                       and any(w["text"] == "Sheets" for w in words))
    assert all(fill > 0.6 for fill in fills[:prose_pages - 1]), [round(f, 2) for f in fills]


def test_the_ixbrl_document_carries_the_release_styling_inline(built):
    """EDGAR accepts no <style> element: the Inline XBRL document carries the release's fonts and sizes in
    style attributes."""
    from qfin_docs.xmlio import parse_xml
    doc = parse_xml((built / "qfin-20240630.htm").read_bytes())
    ns = {"h": "http://www.w3.org/1999/xhtml"}
    assert not doc.xpath("//h:style", namespaces=ns)
    body = doc.xpath("//h:body", namespaces=ns)[0]
    assert "font-family" in body.get("style", "") and "font-size: 9pt" in body.get("style", "")
    h1 = doc.xpath("//h:h1", namespaces=ns)[0]
    size = lambda el: float(re.search(r"font-size: ([\d.]+)pt", el.get("style", "")).group(1))   # noqa: E731
    assert size(h1) > size(body) and all(size(h2) > size(body) for h2 in doc.xpath("//h:h2", namespaces=ns))
    grand = doc.xpath("//h:tr[contains(@class, 'grand')]/h:td", namespaces=ns)
    assert grand and all("double" in td.get("style", "") for td in grand)
