"""The rendered HTML reads like the reference: paragraph by paragraph, number by number."""
from __future__ import annotations

import lxml.html
import pytest

from reference import normalise, number_tokens, prose_paragraphs

# Every place the output deliberately differs from the reference, with its reason.
KNOWN_DIFFERENCES = {
    79: ("30 day+ delinquency rate by vintage (", ")",
         "the chart is an image link in the original: shown as a captioned placeholder naming it"),
    80: ("180 day+ delinquency rate by vintage (", ")",
         "the chart is an image link in the original: shown as a captioned placeholder naming it"),
}


def output_paragraphs(html_path) -> list[str]:
    """Text blocks of the release body (statements excluded), in document order, normalised."""
    root = lxml.html.parse(str(html_path)).getroot()
    blocks = []
    for element in root.iter("h1", "h2", "p", "li"):
        if element.xpath("ancestor::div[contains(@class, 'statement')] | ancestor::div[@class='running']"):
            continue
        blocks.append(normalise(element.text_content()))
    return blocks


def test_prose_matches_reference_paragraph_by_paragraph(built, reference_text):
    reference = prose_paragraphs(reference_text)
    output = output_paragraphs(built / "press-release.html")
    assert len(output) == len(reference)
    for index, (expected, actual) in enumerate(zip(reference, output)):
        if index in KNOWN_DIFFERENCES:
            before, after, _reason = KNOWN_DIFFERENCES[index]
            expected = before + expected + after
        assert actual == expected, f"paragraph {index}"


def test_number_tokens_in_same_order(built, reference_text):
    reference = [t for p in prose_paragraphs(reference_text) for t in number_tokens(p)]
    paragraphs = output_paragraphs(built / "press-release.html")
    for index, (before, after, _reason) in KNOWN_DIFFERENCES.items():   # the captions add "30" and "180"
        assert paragraphs[index].startswith(before) and paragraphs[index].endswith(after)
        paragraphs[index] = paragraphs[index][len(before):len(paragraphs[index]) - len(after)]
    output = [t for p in paragraphs for t in number_tokens(p)]
    assert output == reference
    assert len(reference) > 300


def test_statement_tables_have_every_row(built, loaded):
    root = lxml.html.parse(str(built / "press-release.html")).getroot()
    tables = root.xpath("//table[@class='fin']")
    assert len(tables) == len(loaded.release.tables) == 7
    for table, spec in zip(tables, loaded.release.tables):
        statement = loaded.taxonomy.statements[spec.statement]
        labels = [th.text_content() for th in table.xpath("./tbody/tr/th")]
        assert labels == [row.label for row in statement.rows]
        assert len(table.xpath("./thead/tr")) in (2, 3)


def test_every_number_in_the_html_comes_from_a_helper(built):
    """Outside the statements, digits of figures only appear inside helper output (span.fig)."""
    root = lxml.html.parse(str(built / "press-release.html")).getroot()
    figures = root.xpath("//span[contains(@class, 'fig')]")
    assert len(figures) > 600
    for span in figures:
        span.drop_tree()
    for cell in root.xpath("//td[@class='num']"):
        assert not cell.text_content().strip(), "a table cell not produced by the cell helper"


def test_html_is_escaped(mini):
    """A text fact holding markup is shown as text, never as markup."""
    from qfin_docs.facts.load import load_release
    from qfin_docs.render.html import render
    from qfin_docs.facts.taxonomy import load_taxonomy

    facts = mini / "facts.yaml"
    facts.write_text(facts.read_text().replace('value: "Mini Co"', 'value: "<script>alert(1)</script> & Co"'))
    taxonomy, _ = load_taxonomy()
    release, problems = load_release(mini, taxonomy)
    assert problems == []
    for mode in ("html", "ixbrl"):
        rendered, problems = render(release, taxonomy, mode)
        assert problems == []
        assert "<script>" not in rendered.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in rendered.text


@pytest.mark.parametrize("template, code, message", [
    ('{{ money("us-gaap:Revenues", "Q2-2024") }}', "QF-RENDER-FACT",
     "no fact us-gaap:Revenues for 2024-04-01/2024-06-30 in iso4217:CNY"),
    ('{{ no_such_helper("x") }}', "QF-RENDER-UNDEFINED", "'no_such_helper' is undefined"),
    ('{{ count("qfin:Nope", "Q2-2024") }}', "QF-RENDER-FACT", "unknown concept 'qfin:Nope'"),
    ('{% if %}', "QF-RENDER-SYNTAX", "Expected an expression, got 'end of statement block'"),
])
def test_template_errors_name_the_template_line(mini, template, code, message):
    from qfin_docs.facts.load import load_release
    from qfin_docs.render.html import render
    from qfin_docs.facts.taxonomy import load_taxonomy

    prose = mini / "prose" / "release.html.j2"
    original = prose.read_text()
    prose.write_text(original + "<p>\n" + template + "\n</p>\n")
    line = len(original.splitlines()) + 2
    taxonomy, _ = load_taxonomy()
    release, _ = load_release(mini, taxonomy)
    rendered, problems = render(release, taxonomy, "html")
    assert rendered is None
    assert [(p.source.file.endswith("prose/release.html.j2"), p.source.line, p.code, p.message)
            for p in problems] == [(True, line, code, message)]
