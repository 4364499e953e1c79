"""The rendered HTML reads like the reference: paragraph by paragraph, number by number."""
from __future__ import annotations

import lxml.html
import pytest

from reference import normalise, number_tokens, prose_paragraphs

# Every place the output deliberately differs from the reference, with its reason (reference/SOURCE.md).
DATELINE = 1            # the reference's "8月 13, 2024": a locale artefact of the wire copy it was taken from
DATELINE_TEXT = "Aug. 13, 2024"      # an English release prints the date in English (from qfin:ReleaseDate)
CHARTS = (79, 80)       # two chart image links: the charts' data is not in the source; one note says so
NOTE_CLASS = "chart-note"


def output_blocks(html_path) -> list[tuple[str, str]]:
    """Text blocks of the release body (statements excluded), in document order, normalised, with their class."""
    root = lxml.html.parse(str(html_path)).getroot()
    blocks = []
    for element in root.iter("h1", "h2", "p", "li"):
        if element.xpath("ancestor::div[contains(@class, 'statement')] | ancestor::div[@class='running']"):
            continue
        blocks.append((normalise(element.text_content()), element.get("class") or ""))
    return blocks


def output_paragraphs(html_path) -> list[str]:
    return [text for text, _ in output_blocks(html_path)]


def expected_from_reference(reference: list[str]) -> list[str | None]:
    """The reference with its documented differences applied (None: the chart note stands there)."""
    assert reference[DATELINE] == "8月 13, 2024", "the documented artefact is where SOURCE.md says"
    expected: list[str | None] = list(reference)
    expected[DATELINE] = DATELINE_TEXT
    assert all(reference[i].startswith("http") for i in CHARTS)
    expected[CHARTS[0]:CHARTS[-1] + 1] = [None]
    return expected


def test_prose_matches_reference_paragraph_by_paragraph(built, reference_text):
    expected = expected_from_reference(prose_paragraphs(reference_text))
    output = output_blocks(built / "press-release.html")
    assert len(output) == len(expected)
    for index, (want, (actual, css)) in enumerate(zip(expected, output)):
        if want is None:
            assert css == NOTE_CLASS and "not reproduced" in actual, f"paragraph {index}"
        else:
            assert actual == want, f"paragraph {index}"


def test_only_the_documented_differences_remain(built, reference_text):
    """Compared raw, the output differs from the reference at the dateline and the charts and nowhere else."""
    reference = prose_paragraphs(reference_text)
    output = output_paragraphs(built / "press-release.html")
    shift = len(CHARTS) - 1
    differing = [i for i in range(len(reference)) if i not in CHARTS[1:]
                 and reference[i] != output[i if i < CHARTS[0] else i - shift]]
    assert differing == [DATELINE, CHARTS[0]], differing


def test_number_tokens_in_same_order(built, reference_text):
    expected = expected_from_reference(prose_paragraphs(reference_text))
    reference = [t for p in expected if p is not None for t in number_tokens(p)]
    output = [t for (text, css) in output_blocks(built / "press-release.html") if css != NOTE_CLASS
              for t in number_tokens(text)]
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
