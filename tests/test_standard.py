"""Tags that exist: every us-gaap, srt and dei element the project uses is in the catalog of the published 2024
taxonomies (schema/standard-elements.yaml), not deprecated, declared as published; the offline stubs Arelle
validates against are written from that catalog, not from the project's own concept table."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from qfin_docs.facts.standard import CATALOG, STANDARD_PREFIXES, load_catalog, xbrl_type
from qfin_docs.facts.taxonomy import load_taxonomy
from qfin_docs.model import QName
from qfin_docs.render.stubs import STUB_DIR

from conftest import ROOT

XS = "{http://www.w3.org/2001/XMLSchema}"
XBRLI = "{http://www.xbrl.org/2003/instance}"


@pytest.fixture(scope="module")
def catalog():
    catalog, problems = load_catalog()
    assert problems == []
    return catalog


def _used(taxonomy) -> dict[QName, object]:
    used = {c.name: c for c in taxonomy.concepts.values()}
    for axis in taxonomy.axes.values():
        used[axis.name] = axis
        used.update({member: None for member in (axis.domain, *axis.members)})
    return {name: what for name, what in used.items() if name.prefix in STANDARD_PREFIXES}


def test_every_standard_element_used_is_in_the_catalog_as_published(loaded, catalog):
    used = _used(loaded.taxonomy)
    assert len(used) > 80
    for name, concept in sorted(used.items(), key=lambda item: str(item[0])):
        assert name not in catalog.deprecated, f"{name} is deprecated"
        element = catalog.elements.get(name)
        assert element is not None, f"{name} is not in the catalog"
        if hasattr(concept, "period_type"):
            assert (element.type, element.period, element.balance) == \
                (xbrl_type(concept), concept.period_type, concept.balance), name
            assert not element.abstract and element.substitution == "xbrli:item"
        elif concept is not None:
            assert element.substitution == "xbrldt:dimensionItem" and element.abstract
        else:
            assert element.type == "dtr-types:domainItemType" and element.abstract


def test_the_catalog_names_its_sources(catalog):
    text = CATALOG.read_text(encoding="utf-8")
    header = text.split("\ntaxonomy_year:")[0]
    sources = set(re.findall(r"^#   ([a-z0-9-]+)\s", header, re.MULTILINE))
    assert {"fasb-2024", "sec-dei-2024", "edgar-deprecated", "filings", "element-pages", "dqc"} <= sources
    checked = set(re.findall(r"checked: \[([a-z0-9, -]+)\]", text.split("\nelements:")[1]))
    assert checked and all(source.strip() in sources for group in checked for source in group.split(","))
    assert "39d6ecdd4d53dc5ae2e43c7cdcc5ef01314a5713" in header          # the deprecation list, pinned
    assert all(entry["source"] in sources for entry in catalog.deprecated.values())
    # the findings are recorded with what replaced them
    for old in ("us-gaap:AmericanDepositarySharesMember", "us-gaap:DueToRelatedPartiesCurrent",
                "us-gaap:DividendsPayableDateToBePaidDayMonthAndYear"):
        assert QName.parse(old) in catalog.deprecated


@pytest.mark.parametrize("change, code, where", [
    ("qfin:AmountsDueToRelatedPartiesCurrent:", "QF-STANDARD-DEPRECATED", "us-gaap:DueToRelatedPartiesCurrent:"),
    ("us-gaap:Goodwill:", "QF-STANDARD-UNKNOWN", "us-gaap:GoodwillOfTheYear:"),
    ("us-gaap:NetCashProvidedByUsedInOperatingActivities: {type: monetary, period: duration,",
     "QF-STANDARD-MISMATCH",
     "us-gaap:NetCashProvidedByUsedInOperatingActivities: {type: monetary, period: duration, balance: debit,"),
    ("dei:AdrMember:", "QF-STANDARD-DEPRECATED", "us-gaap:AmericanDepositarySharesMember:"),
])
def test_a_concept_table_using_what_does_not_exist_is_refused(tmp_path, change, code, where):
    text = (ROOT / "schema" / "taxonomy.yaml").read_text(encoding="utf-8")
    assert change in text
    if change.endswith(":"):        # a name: replace every use of it
        text = re.sub(re.escape(change.rstrip(":")) + r"\b", where.rstrip(":"), text)
    else:
        text = text.replace(change, where)
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text, encoding="utf-8")
    taxonomy, problems = load_taxonomy(path)
    assert taxonomy is None
    assert any(p.code == code and p.source.line > 0 for p in problems), [str(p) for p in problems]


@pytest.mark.parametrize("also, code", [
    ('also: "us-gaap:OtherReceivablesNetCurrent[us-gaap:RelatedPartyMember]"}', None),
    ('also: "us-gaap:OtherLiabilitiesCurrent[us-gaap:RelatedPartyMember]"}', "QF-TAXONOMY"),   # credit, not debit
    ('also: "us-gaap:OtherReceivablesNetCurrent[us-gaap:NoSuchMember]"}', "QF-UNKNOWN-MEMBER"),
    ('also: "us-gaap:NoSuchElement[us-gaap:RelatedPartyMember]"}', "QF-UNKNOWN-CONCEPT"),
])
def test_also_must_name_a_standard_element_declared_as_the_line_on_a_member(tmp_path, also, code):
    text = (ROOT / "schema" / "taxonomy.yaml").read_text(encoding="utf-8")
    line_no, line = next((n, ln) for n, ln in enumerate(text.splitlines(), 1)
                         if ln.startswith("  qfin:AmountsDueFromRelatedPartiesCurrent:"))
    assert line.endswith('also: "us-gaap:OtherReceivablesNetCurrent[us-gaap:RelatedPartyMember]"}')
    path = tmp_path / "taxonomy.yaml"
    path.write_text(text.replace(line, line[:line.index("also: ")] + also), encoding="utf-8")
    taxonomy, problems = load_taxonomy(path)
    if code is None:
        assert problems == [] and taxonomy.concepts[QName("qfin", "AmountsDueFromRelatedPartiesCurrent")].also
    else:
        assert taxonomy is None
        assert any(p.code == code and p.source.line == line_no for p in problems), [str(p) for p in problems]


def test_the_stubs_declare_the_catalog_and_nothing_else(catalog):
    declared = {}
    for path in (STUB_DIR / "qfin-standard-stubs").glob("*.xsd"):
        root = etree.parse(str(path)).getroot()
        prefix = {"us-gaap-2024.xsd": "us-gaap", "srt-2024.xsd": "srt", "dei-2024.xsd": "dei"}[path.name]
        assert "standard-elements.yaml" in root[0].text          # the comment names its source
        for element in root.iterfind(f"{XS}element"):
            declared[QName(prefix, element.get("name"))] = element
        if prefix == "dei":
            types = {t.get("name"): t for t in root.iterfind(f"{XS}complexType")}
            fiscal = types["fiscalPeriodItemType"].find(f".//{XS}restriction")
            assert "Q2" in [e.get("value") for e in fiscal.iterfind(f"{XS}enumeration")]
            assert types["centralIndexKeyItemType"].find(f".//{XS}pattern").get("value") == "[0-9]{10}"
    assert set(declared) == set(catalog.elements)
    for name, element in catalog.elements.items():
        xsd = declared[name]
        assert (xsd.get("type"), xsd.get(f"{XBRLI}periodType"), xsd.get(f"{XBRLI}balance")) == \
            (element.type, element.period, element.balance), name
        assert xsd.get("substitutionGroup") == element.substitution
        assert xsd.get("abstract") == ("true" if element.abstract else "false")


def test_the_dividend_per_ads_is_the_standard_element_on_the_adr_member_and_is_checked(tmp_path, loaded):
    """The per-ADS dividend is us-gaap:CommonStockDividendsPerShareDeclared on dei:AdrMember (no extension),
    and it must be the ADS ratio times the same element on the Class A ordinary share."""
    import shutil
    from qfin_docs.facts import checks
    from qfin_docs.facts.load import load
    from conftest import RELEASE
    per_ads = [f for f in loaded.release.facts if str(f.concept) == "us-gaap:CommonStockDividendsPerShareDeclared"
               and any(str(m) == "dei:AdrMember" for _, m in f.dimensions)]
    assert len(per_ads) == 1 and str(per_ads[0].value) == "0.60"
    assert not any(c.name.local.startswith("DividendsPerAds") for c in loaded.taxonomy.concepts.values())
    release = tmp_path / "release"
    shutil.copytree(RELEASE, release)
    facts = release / "facts" / "metrics.yaml"
    facts.write_text(facts.read_text(encoding="utf-8").replace(
        'CommonStockDividendsPerShareDeclared[dei:AdrMember]", period: H1-2024, value: "US$0.60"',
        'CommonStockDividendsPerShareDeclared[dei:AdrMember]", period: H1-2024, value: "US$0.70"'), encoding="utf-8")
    wrong = load(release)
    problems = [p for p in checks.check_facts(wrong.release, wrong.taxonomy) if p.code == "QF-PER-ADS"]
    assert len(problems) == 1 and "gives 0.60" in problems[0].message, problems


def test_the_repurchase_period_is_a_duration_and_a_bad_one_is_refused(tmp_path, loaded):
    """us-gaap:StockRepurchaseProgramPeriodInForce1 is an xbrli:durationItemType fact (P12M), printed as
    "12-month" from it; a value that is not a duration is a located error."""
    import shutil
    from qfin_docs.model import BadInput
    from qfin_docs.facts.load import load
    from conftest import RELEASE
    fact = next(f for f in loaded.release.facts if f.concept.local == "StockRepurchaseProgramPeriodInForce1")
    assert fact.value == "P12M"
    release = tmp_path / "release"
    shutil.copytree(RELEASE, release)
    facts = release / "facts" / "metrics.yaml"
    text = facts.read_text(encoding="utf-8")
    facts.write_text(text.replace("value: P12M", 'value: "12 months"'), encoding="utf-8")
    line = next(n for n, l in enumerate(text.splitlines(), 1) if "StockRepurchaseProgramPeriodInForce1" in l)
    with pytest.raises(BadInput) as refused:
        load(release)
    assert [(p.code, p.source.line) for p in refused.value.problems] == [("QF-DURATION", line)]
