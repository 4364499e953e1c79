"""The redline as a blackline, between the Q2 2024 release and a rolled, partly filled Q3 2024 draft: facts
paired by the role of their period, restated comparatives marked, changed figures shown old -> new in their
sentence (checked in headless Chromium), and a PDF whose every page shows every column (from its word boxes)."""
from __future__ import annotations

import io
import json
import shutil
import time

import pdfplumber
import pytest

from browser import Browser
from conftest import RELEASE
from qfin_docs.cli import main
from qfin_docs.quarter import new_quarter


def fill(draft):
    """Fill a few facts of the rolled draft, and restate one comparative (the prior quarter's financing income)."""
    tables = draft / "facts" / "tables.yaml"
    text = tables.read_text(encoding="utf-8")
    row = '      "us-gaap:Revenues": [TODO, TODO, TODO, TODO, TODO, TODO]'
    assert text.count(row) == 1
    tables.write_text(text.replace(row, '      "us-gaap:Revenues": [4407000, 4301000, TODO, TODO, TODO, TODO]'),
                      encoding="utf-8")
    metrics = draft / "facts" / "metrics.yaml"
    text = metrics.read_text(encoding="utf-8")
    for old, new in (
            ('{concept: "qfin:CumulativeRegisteredUsers", period: "2024-09-30", value: "TODO"}',
             '{concept: "qfin:CumulativeRegisteredUsers", period: "2024-09-30", value: "252.1 million"}'),
            ('{concept: "qfin:CumulativeRegisteredUsers", period: "2023-09-30", value: "TODO"}',
             '{concept: "qfin:CumulativeRegisteredUsers", period: "2023-09-30", value: "225.3 million"}'),
            ('period: "Q2-2024", value: "RMB1690110 thousand"}', 'period: "Q2-2024", value: "RMB1690210 thousand"}')):
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    metrics.write_text(text, encoding="utf-8")


@pytest.fixture()
def redline(tmp_path):
    draft = tmp_path / "qfin-2024q3"
    new_quarter(RELEASE, draft)
    fill(draft)
    out = io.StringIO()
    started = time.perf_counter()
    cpu = time.process_time()
    status = main(["diff", str(RELEASE), str(draft), "--out", str(tmp_path / "review"), "--format", "json"], out,
                  io.StringIO())
    timing = (time.perf_counter() - started, time.process_time() - cpu)
    assert status == 1
    return json.loads(out.getvalue()), tmp_path / "review", timing


def test_facts_are_paired_by_role_and_restatements_marked(redline):
    result, _, (wall, cpu) = redline
    facts = {(f["item"], f["role"]): f for f in result["facts"]}
    revenue = facts[("Total net revenue", "current quarter")]
    assert (revenue["old_printed"], revenue["new_printed"]) == ("RMB4,160,063 thousand", "RMB4,301,000 thousand")
    assert (revenue["old_period"], revenue["new_period"]) == ("3 months to June 30, 2024", "3 months to Sept. 30, 2024")
    year_ago = facts[("Total net revenue", "same quarter last year")]
    assert (year_ago["old_printed"], year_ago["new_printed"]) == ("RMB3,914,324 thousand", "RMB4,407,000 thousand")
    users = facts[("Cumulative registered users", "end of quarter")]
    assert (users["old_printed"], users["new_printed"], users["unit_words"]) == ("247.6 million", "252.1 million", "pure")
    financing = facts[("Total net revenue - Financing income", "prior quarter")]
    assert financing["note"].startswith("restated: RMB1,690,110 thousand")
    assert sum(f["note"].startswith("restated") for f in result["facts"]) == 1
    assert not any(f["note"] in ("new", "removed") and f["role"] in ("current quarter", "same quarter last year")
                   for f in result["facts"])                  # nothing is "removed and added" for want of a date
    assert len(result["facts"]) < 60
    assert cpu < 5.0, f"the redline took {cpu:.1f} s of CPU ({wall:.1f} s wall)"


def test_the_blackline_in_chromium_shows_old_to_new_figures_in_their_sentences(redline, tmp_path):
    result, folder, _ = redline
    page = Browser(tmp_path / "profile", 1280, 900)
    try:
        page.open((folder / "redline.html").as_uri())
        found = page.js("""(function () {
          var out = [];
          document.querySelectorAll('p.block').forEach(function (p) {
            p.querySelectorAll('.figchange').forEach(function (c) {
              var d = c.querySelector('del'), i = c.querySelector('ins');
              out.push({sentence: p.textContent.replace(/\\s+/g, ' ').slice(0, 120), old: d.textContent,
                        new: i.textContent, struck: getComputedStyle(d).textDecorationLine,
                        under: getComputedStyle(i).textDecorationLine, arrow: c.textContent.indexOf('\\u2192') > 0,
                        visible: c.getClientRects().length > 0});
            });
          });
          return out; })()""")
        rows = page.js("""Array.from(document.querySelectorAll('table.changes')[0].tBodies[0].rows).map(function (r) {
            return Array.from(r.cells).map(function (c) { return c.innerText.replace(/\\s+/g, ' ').trim(); }); })""")
    finally:
        page.close()
    revenue = [f for f in found if f["sentence"].startswith("Total net revenue was")]
    assert revenue and revenue[0]["old"] == "RMB4,160.1 million" and revenue[0]["new"] == "RMB4,301.0 million"
    assert all(f["struck"] == "line-through" and f["under"] == "underline" and f["arrow"] and f["visible"] for f in found)
    users = [f for f in found if f["old"] == "247.6 million"]
    assert users and users[0]["new"] == "252.1 million" and users[0]["sentence"].startswith("As of")
    assert any(r[0] == "Total net revenue" and r[1].startswith("current quarter") and r[3] == "RMB4,160,063 thousand"
               and r[4] == "RMB4,301,000 thousand" for r in rows), rows[:3]
    assert any(r[1].startswith("prior quarter") and r[5].startswith("restated") for r in rows)
    assert len(rows) == len(result["facts"])


def test_every_page_of_the_redline_pdf_shows_every_column(redline):
    """Each page a table runs over shows that table's header with every column (it repeats), no word lies
    past the page's edge, the last column's cells are on the page, and pages are numbered."""
    _, folder, _ = redline
    tables = {"Facts": ["Item", "Period", "Unit", "Old", "New", "Note", "Printed"],
              "Printed figures": ["What", "Old", "New", "Places"]}
    with pdfplumber.open(folder / "redline.pdf") as pdf:
        pages = [(page, page.extract_words(), " ".join(page.extract_text().split())) for page in pdf.pages]
        total = len(pages)
        first = {name: next(n for n, (_, _, text) in enumerate(pages) if f" {name} " in f" {text} ")
                 for name in (*tables, "Text (blackline)")}
        spans = {"Facts": range(first["Facts"], first["Printed figures"] + 1),
                 "Printed figures": range(first["Printed figures"], first["Text (blackline)"] + 1)}
        assert len(spans["Facts"]) >= 2, "the facts table runs over more than one page"
        for number, (page, words, text) in enumerate(pages, 1):
            assert all(0 <= w["x0"] and w["x1"] <= page.width for w in words), number   # nothing cut at the edge
            assert f"Page {number} of {total}" in text
        for name, headers in tables.items():
            for index in spans[name]:
                page, words, text = pages[index]
                if index == spans[name][-1] and index != spans[name][0] and \
                        text.find(next(iter(tables)) if name == "Facts" else "Text (blackline)") < 40:
                    continue                      # the table ended on the previous page
                lines = {}
                for w in words:
                    lines.setdefault(round(w["top"]), []).append(w["text"])
                assert any(all(h in line for h in headers) for line in lines.values()), (name, index + 1)
                last = max((w for w in words if w["text"] == headers[-1]), key=lambda w: w["x0"])
                assert any(w["x0"] >= last["x0"] - 1 and w["top"] > last["bottom"] for w in words), (name, index + 1)


def test_a_side_failing_the_fact_checks_gets_a_warning_block(tmp_path):
    draft = tmp_path / "broken"
    shutil.copytree(RELEASE, draft)
    tables = draft / "facts" / "tables.yaml"
    text = tables.read_text(encoding="utf-8")
    assert text.count("[3914324, 4160063, 572443") == 1
    tables.write_text(text.replace("[3914324, 4160063, 572443", "[3914324, 4170063, 572443"), encoding="utf-8")
    out = io.StringIO()
    assert main(["diff", str(RELEASE), str(draft), "--out", str(tmp_path / "review")], out, io.StringIO()) == 1
    assert "warning: " in out.getvalue() and "fails the fact checks" in out.getvalue()
    page = (tmp_path / "review" / "redline.html").read_text(encoding="utf-8")
    assert "<div class='warning' role='alert'>" in page and "QF-" in page
