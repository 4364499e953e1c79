"""The filing tie-out's narrative (#15): tagged figures checked against their own tags, tables' stated scales,
the filer's labels, figures of listed periods, text laid out in tables, the non-financial numbers of filings,
element paths, and the filing written back with every number marked (--html)."""
from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from lxml import etree

from qfin_docs.cli import main
from qfin_docs.verify.filing import Filing
from qfin_docs.verify.filingtie import tieout_filing
from qfin_docs.verify.scan import tokens

from test_filing import HEAD

TAG = '<ix:nonFraction name="us-gaap:{name}" contextRef="{ctx}" unitRef="usd" decimals="-6" scale="{scale}" ' \
      'format="ixt:num-dot-decimal">{text}</ix:nonFraction>'
DEC31 = '<xbrli:context id="py"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001' \
        '</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:instant>2024-12-31</xbrli:instant></xbrli:period>' \
        '</xbrli:context></ix:resources>'


def write(tmp_path, body: str, name: str = "abc-20250930.htm"):
    path = tmp_path / name
    path.write_text(HEAD.replace("</ix:resources>", DEC31) + body + "</body></html>", encoding="utf-8")
    return path


def statuses(path) -> dict[str, tuple[str, str]]:
    return {e.text: (e.status, e.explanation) for e in tieout_filing(path).entries}


def test_a_tagged_figure_is_checked_against_its_own_tag(tmp_path):
    right = TAG.format(name="Revenues", ctx="q3", scale=9, text="94.9")
    wrong = TAG.format(name="CostOfRevenue", ctx="q3", scale=6, text="51.2")       # scale 6 under "billion"
    found = statuses(write(tmp_path, f"<p>Net sales were ${right} billion and cost of sales ${wrong} billion.</p>"))
    assert found["$94.9 billion"][0] == "tied" and found["$94.9 billion"][1].startswith("tagged: ")
    status, why = found["$51.2 billion"]
    assert status == "inconsistent" and "CostOfRevenue (scale 6) is 51,200,000" in why


def test_a_tagged_cell_must_have_the_scale_its_table_states(tmp_path):
    cells = (f'<tr><td>Net sales</td><td>{TAG.format(name="Revenues", ctx="q3", scale=6, text="94,900")}</td></tr>'
             f'<tr><td>Cost of sales</td><td>{TAG.format(name="CostOfRevenue", ctx="q3", scale=3, text="51,200")}'
             f'</td></tr>')
    found = statuses(write(tmp_path, f"<p>(in millions)</p><table>{cells}</table>"))
    assert found["94,900"][0] == "tied"
    assert found["51,200"][0] == "inconsistent" and "the table states millions" in found["51,200"][1]


def test_labels_come_from_the_filers_label_linkbase_beside_the_document(tmp_path):
    (tmp_path / "abc-20250930.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:link="http://www.xbrl.org/2003/linkbase" '
        'xmlns:xlink="http://www.w3.org/1999/xlink"><xs:annotation><xs:appinfo>'
        '<link:linkbaseRef xlink:type="simple" xlink:href="abc-20250930_lab.xml" '
        'xlink:role="http://www.xbrl.org/2003/role/labelLinkbaseRef"/></xs:appinfo></xs:annotation></xs:schema>')
    (tmp_path / "abc-20250930_lab.xml").write_text(
        '<link:linkbase xmlns:link="http://www.xbrl.org/2003/linkbase" xmlns:xlink="http://www.w3.org/1999/xlink">'
        '<link:labelLink xlink:type="extended" xlink:role="http://www.xbrl.org/2003/role/link">'
        '<link:loc xlink:type="locator" xlink:label="loc" xlink:href="https://xbrl.fasb.org/us-gaap.xsd#us-gaap_Cash"/>'
        '<link:label xlink:type="resource" xlink:label="lab" xlink:role="http://www.xbrl.org/2003/role/label" '
        'xml:lang="en-US">Cash on hand [Member]</link:label>'
        '<link:labelArc xlink:type="arc" xlink:from="loc" xlink:to="lab" '
        'xlink:arcrole="http://www.xbrl.org/2003/arcrole/concept-label"/></link:labelLink></link:linkbase>')
    body = ('<div style="display:none"><ix:references><link:schemaRef xmlns:link="http://www.xbrl.org/2003/linkbase" '
            'xmlns:xlink="http://www.w3.org/1999/xlink" xlink:type="simple" '
            'xlink:href="https://example.com/abc-20250930.xsd"/></ix:references></div>'
            f'<p>Cash was ${TAG.format(name="Cash", ctx="bs", scale=6, text="12,345")} million.</p>')
    filing = Filing(write(tmp_path, body))
    concept = next(c for q, c in filing.loaded().taxonomy.concepts.items() if q.local == "Cash")
    assert concept.label == "Cash on hand" and "cash" in concept.synonyms        # the filer's label, then the name
    (tmp_path / "abc-20250930_lab.xml").unlink()
    concept = next(c for q, c in Filing(tmp_path / "abc-20250930.htm").loaded().taxonomy.concepts.items()
                   if q.local == "Cash")
    assert concept.label == "cash"


def test_figures_of_a_list_of_dates_are_each_of_their_own(tmp_path):
    hidden = TAG.format(name="Cash", ctx="bs", scale=6, text="12,345") + \
        TAG.format(name="Cash", ctx="py", scale=6, text="11,000")
    text = ("<p>As of September 30, 2025 and December 31, 2024, cash was $12.3 billion and $11.0 billion, "
            "respectively.</p>")
    found = statuses(write(tmp_path, f'<div style="display:none">{hidden}</div>{text}'))
    assert found["$12.3 billion"][0] == "tied" and found["$11.0 billion"][0] == "tied"
    stale = text.replace(" and December 31, 2024,", ",").replace(" and $11.0 billion, respectively", "")
    stale = stale.replace("$12.3 billion", "$11.0 billion")
    found = statuses(write(tmp_path, f'<div style="display:none">{hidden}</div>{stale}'))
    assert found["$11.0 billion"][0] == "inconsistent"          # one date named: the other date's figure is wrong


@pytest.mark.parametrize("text, kind", [
    ("See Item 8 of Part II", "reference"), ("Note 5 — Debt", "reference"), ("Rule 12b-2 of the Act", "code"),
    ("SECTION 13 OR 15(d) OF THE ACT", "reference"), ("ECCN 3A090.a", "code"), ("COVID-19 pandemic", "code"),
    ("Washington, D.C. 20549", "postal code"), ("(206) 266-1000", "telephone"), ("48", "page number"),
    ("the registrant (1) has filed", "list marker"), ("Jan 26, 2025", "date"), ("At 31 December 2019", "date"),
    ("on this 3rd day of May, 2022", "date"), ("incorporated in April 1993", "year"), ("the past 90 days", "duration"),
    ("2.3 Government Grants", "section number"), ("9. Net Loss Per Share", "section number"),
    ("4.5/4.6", "note reference"), ("St. Alban-Vorstadt 5, 4002 Basel", "address"), ("IAS 17", "reference"),
    ("FOR THE YEAR ENDED 31 DECEMBER 2019", "date"), ("scope 3 emissions", "reference"), ("1 - 2", "page number"),
    ("Sections 14(a), 10(b), and 20(a)", "reference"), ("captioned 4:19-cv-00341-HSG", "code"),
])
def test_the_non_financial_numbers_of_filings(text, kind):
    kinds = [t.kind for t in tokens(text)]
    assert kind in kinds and all(kinds), [(t.text, t.kind) for t in tokens(text)]


def test_figures_stay_figures():
    assert [t.kind for t in tokens("Revenue was $(2.8) billion, up 5%, 1.5x; RMB-4,153.2 million")] == ["", "", "", ""]
    assert tokens("$(2.8) billion")[0].printed.value < 0 and tokens("$2.7 trillion")[0].printed.value == 27 * 10 ** 11


def test_text_laid_out_in_tables_and_note_columns(tmp_path):
    layout = ('<table><tr><td><table><tr><td>Turnover</td><td>4</td><td>110,379,685</td><td>109,927,857</td></tr>'
              '<tr><td>Cost of sales</td><td></td><td>(62,992,600)</td><td>(55,467,299)</td></tr></table></td></tr>'
              '<tr><td>Stock recognised as an expense was $67,647,708 (2018 - $54,954,123).</td></tr></table>')
    filing = Filing(write(tmp_path, layout))
    assert [r.label for r in filing.rows] == ["Turnover", "Cost of sales"]            # the nested rows, once
    assert filing.rows[0].kinds == ["note reference", "", ""]
    assert any("Stock recognised as an expense was $67,647,708" in p.text for p in filing.paragraphs)
    found = statuses(tmp_path / "abc-20250930.htm")
    assert found["4"][0] == "non-financial" and found["$67,647,708"][0] == "unverifiable"


def test_every_number_has_an_element_path(tmp_path):
    body = f'<div><p>Cash was ${TAG.format(name="Cash", ctx="bs", scale=6, text="12,345")} million.</p></div>'
    path = write(tmp_path, body)
    entry = next(e for e in tieout_filing(path).entries if e.text == "$12,345 million")
    assert entry.anchor == "/html/body/div[2]/p" and entry.span == (9, 24)
    element = Filing(path).root.xpath("/x:html/x:body/x:div[2]/x:p", namespaces={"x": "http://www.w3.org/1999/xhtml"})
    assert "Cash was $12,345 million." in "".join(element[0].itertext())


BODY = ('<p onclick="steal()">Net sales were ${} billion; other income was $7.7 billion.</p>'
        '<script>document.title = "RAN"</script><iframe src="https://example.com/"></iframe>')


def test_the_marked_filing(tmp_path):
    path = write(tmp_path, BODY.format(TAG.format(name="Revenues", ctx="q3", scale=9, text="94.9")))
    out = tmp_path / "marked.html"
    assert main(["tieout", str(path), "--html", str(out)]) == 0
    root = etree.fromstring(out.read_bytes())
    x = {"x": "http://www.w3.org/1999/xhtml"}
    marks = {"".join(s.itertext()): s for s in root.xpath("//x:span[contains(@class, 'qf ')]", namespaces=x)}
    assert marks["94.9"].get("class") == "qf qf-tied" and marks["94.9"].get("data-qf").startswith("tied: tagged")
    assert marks["$7.7 billion"].get("class") == "qf qf-unverifiable"
    assert marks["$"].get("id") and marks[" billion"].get("class") == "qf qf-tied"     # one number, three pieces
    assert not root.xpath("//x:script|//x:iframe|//@onclick", namespaces=x)
    assert "default-src 'none'" in root.xpath("//x:meta[@http-equiv]/@content", namespaces=x)[0]
    text = " ".join("".join(root.find("x:body", x).itertext()).split())
    assert "Net sales were $94.9 billion; other income was $7.7 billion." in text      # the text is unchanged
    assert main(["tieout", str(path), "--html", str(out)]) == 0                        # its own file: rewritten


def test_the_marked_filing_never_overwrites_a_file_it_did_not_write(tmp_path, capsys):
    path = write(tmp_path, BODY.format("94.9"))
    mine = tmp_path / "notes.html"
    mine.write_text("my notes", encoding="utf-8")
    assert main(["tieout", str(path), "--html", str(mine)]) == 2
    assert mine.read_text(encoding="utf-8") == "my notes" and "QF-OUT-EXISTS" in capsys.readouterr().err
    assert main(["tieout", "releases/qfin-2024q2", str(path), "--html", str(tmp_path / "x.html")]) == 2


def test_the_marked_filing_in_a_browser_shows_marks_and_runs_nothing(tmp_path):
    chromium = shutil.which("chromium")
    assert chromium, "chromium is not installed: run 'make test' as root, or apt-get install chromium"
    path = write(tmp_path, BODY.format(TAG.format(name="Revenues", ctx="q3", scale=9, text="94.9")))
    out = tmp_path / "marked.html"
    assert main(["tieout", str(path), "--html", str(out), "--format", "json"]) == 0
    dom = subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=3000", "--dump-dom",
                          out.as_uri()], capture_output=True, text=True, timeout=120).stdout
    assert 'class="qf qf-tied"' in dom and "qf-panel" in dom and "<title>RAN</title>" not in dom


def test_json_reports_carry_anchors(tmp_path, capsys):
    path = write(tmp_path, BODY.format("94.9"))
    assert main(["tieout", str(path), "--format", "json"]) == 0
    numbers = json.loads(capsys.readouterr().out)["numbers"]
    assert all(n["anchor"].startswith("/html/body/") for n in numbers)


def test_a_change_cell_is_derived_from_its_rows_facts(tmp_path):
    new, old = (TAG.format(name="SellingAndMarketingExpense", ctx=ctx, scale=3, text=text).replace("-6", "-3")
                for ctx, text in (("q3", "56,100"), ("q3py", "41,035")))
    row = "<table><tr><td>Sales and marketing</td><td>{}</td><td>{}</td><td>{}</td></tr></table>"
    found = statuses(write(tmp_path, "<p>(in thousands)</p>" + row.format(new, old, "36.7%")))
    assert found["36.7%"][0] == "derived" and "SellingAndMarketingExpense" in found["36.7%"][1]
    found = statuses(write(tmp_path, "<p>(in thousands)</p>" + row.format(new, old, "37.7%")))
    assert found["37.7%"][0] == "unverifiable"


def test_a_year_over_year_change_of_an_item_the_sentence_names(tmp_path):
    facts = '<div style="display:none">{}{}</div>'.format(
        TAG.format(name="Revenues", ctx="q3na", scale=6, text="55,400"),
        TAG.format(name="Revenues", ctx="q3py", scale=6, text="90,400").replace('q3py"', 'q3pyna"'))
    context = ('<xbrli:context id="q3pyna"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001'
               '</xbrli:identifier><xbrli:segment><xbrldi:explicitMember dimension="srt:StatementGeographicalAxis">'
               'srt:NorthAmericaMember</xbrldi:explicitMember></xbrli:segment></xbrli:entity><xbrli:period>'
               '<xbrli:startDate>2024-07-01</xbrli:startDate><xbrli:endDate>2024-09-30</xbrli:endDate></xbrli:period>'
               '</xbrli:context></ix:resources>')
    facts = facts.replace("90,400", "51,296")                        # 55,400 / 51,296 - 1 = 8.0%
    path = write(tmp_path, facts + "<p>North America revenues increased 8.0% compared with the prior year.</p>")
    path.write_text(path.read_text(encoding="utf-8").replace("</ix:resources>", context, 1), encoding="utf-8")
    assert statuses(path)["8.0%"][0] == "derived"
    path.write_text(path.read_text(encoding="utf-8").replace("increased 8.0%", "increased 9.0%"), encoding="utf-8")
    assert statuses(path)["9.0%"][0] == "unverifiable"


def test_a_mix_table_cell_is_a_share_of_revenue_of_the_rows_item(tmp_path):
    amounts = ("<p>(in millions)</p><table><tr><td>Net sales</td><td>{}</td></tr><tr><td>North America</td><td>{}</td>"
               "</tr></table>").format(TAG.format(name="Revenues", ctx="q3", scale=6, text="94,900"),
                                       TAG.format(name="Revenues", ctx="q3na", scale=6, text="55,400"))
    mix = "<p>Net sales mix:</p><table><tr><td>North America</td><td>{}</td></tr></table>"
    found = statuses(write(tmp_path, amounts + mix.format("58.4")))       # 55,400 / 94,900 = 58.38%
    assert found["58.4"][0] == "derived" and "NorthAmericaMember" in found["58.4"][1]
    found = statuses(write(tmp_path, amounts + mix.format("57.4")))
    assert found["57.4"][0] == "unverifiable"


def _interest(tmp_path, text: str):
    hidden = '<div style="display:none">{}{}</div>'.format(
        TAG.format(name="InterestExpenseNonoperating", ctx="q3", scale=6, text="538"),
        TAG.format(name="InterestExpenseNonoperating", ctx="q3py", scale=6, text="603"))
    return statuses(write(tmp_path, hidden + f"<p>{text}</p>"))


def test_figures_of_listed_periods_each_of_its_own(tmp_path):
    found = _interest(tmp_path, "Interest expense was $603 million and $538 million during Q3 2024 and Q3 2025.")
    assert found["$603 million"][0] == found["$538 million"][0] == "tied"
    found = _interest(tmp_path, "Interest expense was $538 million and $603 million during Q3 2024 and Q3 2025.")
    assert found["$538 million"][0] == found["$603 million"][0] == "inconsistent"        # swapped periods
    assert found["$538 million"][1] == "the text names us-gaap:InterestExpenseNonoperating for " \
        "2024-07-01/2024-09-30, where the fact is 603,000,000"                   # the expected value, named
    found = _interest(tmp_path, "Interest expense was $603 million and $540 million during Q3 2024 and Q3 2025.")
    assert found["$540 million"] == ("inconsistent", "the text names us-gaap:InterestExpenseNonoperating for "
                                     "2025-07-01/2025-09-30, where the fact is 538,000,000")     # the name as words
    found = _interest(tmp_path, "In Q3 2025, interest expense was $603 million.")
    assert found["$603 million"][0] == "inconsistent"                                   # one period named before


def test_a_figure_equal_to_an_unrelated_items_fact_is_not_called_stale(tmp_path):
    found = _interest(tmp_path, "In Q3 2025, the adverse impact of a 10% rate change would have been $603 million.")
    assert found["$603 million"][0] != "inconsistent"       # no word of the item in the sentence


def test_a_change_in_amount_cell_and_a_losss_share(tmp_path):
    new, old = (TAG.format(name="OperatingIncomeLoss", ctx=ctx, scale=6, text=text).replace('format=', 'sign="-" format=')
                for ctx, text in (("q3", "5,085"), ("q3py", "5,846")))
    revenue = TAG.format(name="Revenues", ctx="q3", scale=6, text="38,230")
    table = ("<p>(in millions)</p><table><tr><td>Revenue</td><td>{}</td></tr>"
             "<tr><td>Operating loss</td><td>({})</td><td>({})</td><td>{}</td><td>{}</td></tr></table>")
    found = statuses(write(tmp_path, table.format(revenue, new, old, "761", "(13.3)")))    # -5,085 + 5,846; -5,085/38,230
    assert found["761"][0] == "derived" and found["761"][1].startswith("difference OperatingIncomeLoss")
    assert found["(13.3)"][0] == "derived" and found["(13.3)"][1].startswith("share")
    found = statuses(write(tmp_path, table.format(revenue, new, old, "765", "(14.3)")))
    assert found["765"][0] == found["(14.3)"][0] == "unverifiable"


def test_a_margin_change_in_basis_points(tmp_path):
    facts = '<div style="display:none">{}</div>'.format("".join(
        TAG.format(name=name, ctx=ctx, scale=6, text=text) for name, ctx, text in (
            ("Revenues", "q3", "100,000"), ("Revenues", "q3py", "100,000"),
            ("GrossProfit", "q3", "46,000"), ("GrossProfit", "q3py", "47,200"))))
    found = statuses(write(tmp_path, facts + "<p>Gross margin decreased 120 basis points from a year ago.</p>"))
    assert found["120"][0] == "derived" and "points of GrossProfit" in found["120"][1]
    found = statuses(write(tmp_path, facts + "<p>Gross margin decreased 150 basis points from a year ago.</p>"))
    assert found["150"][0] == "unverifiable"
    found = statuses(write(tmp_path, facts + "<p>Gross margin increased 120 basis points from a year ago.</p>"))
    assert found["120"][0] == "unverifiable"                 # the wrong direction


def test_a_stale_balance_named_in_the_plural(tmp_path):
    hidden = '<div style="display:none">{}{}</div>'.format(
        TAG.format(name="InventoryNet", ctx="bs", scale=6, text="10,080"),
        TAG.format(name="InventoryNet", ctx="py", scale=6, text="5,282"))
    found = statuses(write(tmp_path, hidden + "<p>As of September 30, 2025, our inventories were $5.3 billion.</p>"))
    assert found["$5.3 billion"][0] == "inconsistent" and "2024-12-31" in found["$5.3 billion"][1]
    found = statuses(write(tmp_path, hidden + "<p>As of September 30, 2025, our inventories were $10.1 billion.</p>"))
    assert found["$10.1 billion"][0] == "tied"


def test_a_misprint_of_the_one_item_the_sentence_names(tmp_path):
    found = _interest(tmp_path, "Interest expense for Q3 2025 totaled $545 million.")      # no "was": no subject
    assert found["$545 million"][0] == "inconsistent" and "where the fact is 538,000,000" in found["$545 million"][1]
    found = _interest(tmp_path, "Interest expense for Q3 2025 totaled $900 million.")      # not a misprint of it
    assert found["$900 million"][0] == "unverifiable"
    found = _interest(tmp_path, "For Q3 2025 we paid $545 million, on interest expense.")  # named after the figure
    assert found["$545 million"][0] == "unverifiable"


def test_a_per_share_amount_derived_from_net_income_and_weighted_shares(tmp_path):
    shares = ('<ix:nonFraction name="us-gaap:WeightedAverageNumberOfDilutedSharesOutstanding" contextRef="q3" '
              'unitRef="shares" decimals="-6" scale="6">{}</ix:nonFraction>')
    facts = '<div style="display:none">{}{}</div>'.format(
        TAG.format(name="NetIncomeLoss", ctx="q3", scale=6, text="21,187"), shares.format("10,850"))
    path = write(tmp_path, facts + "<p>Diluted earnings were $1.95 per diluted share in the quarter.</p>")
    path.write_text(path.read_text(encoding="utf-8").replace(
        "</ix:resources>", '<xbrli:unit id="shares"><xbrli:measure>xbrli:shares</xbrli:measure></xbrli:unit>'
        "</ix:resources>", 1).replace('name="us-gaap:EarningsPerShareDiluted" contextRef="q3" unitRef="usdps" '
                                      'decimals="2">1.95', 'name="us-gaap:EarningsPerShareDiluted" contextRef="q3" '
                                      'unitRef="usdps" decimals="2">1.96'), encoding="utf-8")
    found = statuses(path)                                 # 21,187 / 10,850 = 1.9527; the tagged EPS says 1.96
    assert found["$1.95"][0] == "derived" and found["$1.95"][1].startswith("per share: NetIncomeLoss")
    path.write_text(path.read_text(encoding="utf-8").replace("$1.95 per", "$1.99 per"), encoding="utf-8")
    assert statuses(path)["$1.99"][0] == "unverifiable"
