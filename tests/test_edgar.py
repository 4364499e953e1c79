"""The SEC's own rules for an Inline XBRL submission (the EDGAR Filer Manual, applied by the SEC's validation
plugin, which is not installable here): one test per convention, on the built document set."""
from __future__ import annotations

import re
from collections import defaultdict
from decimal import Decimal

import pytest
from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
LINK = "{http://www.xbrl.org/2003/linkbase}"
XLINK = "{http://www.w3.org/1999/xlink}"
XBRLI = "{http://www.xbrl.org/2003/instance}"
XBRLDI = "{http://xbrl.org/2006/xbrldi}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="module")
def docs(built):
    name = next(p.stem for p in built.glob("qfin-*.xsd"))
    return {kind: built / f"{name}{suffix}" for kind, suffix in (
        ("htm", ".htm"), ("xsd", ".xsd"), ("lab", "_lab.xml"), ("pre", "_pre.xml"), ("cal", "_cal.xml"),
        ("def", "_def.xml"))} | {"instance": built / "review" / f"{name}_htm.xml"}


def _xml(path):
    return etree.parse(str(path)).getroot()


def test_labels_and_document_are_in_us_english(docs):
    labels = list(_xml(docs["lab"]).iter(f"{LINK}label"))
    assert labels and {label.get(XML_LANG) for label in labels} == {"en-US"}
    assert _xml(docs["htm"]).get(XML_LANG) == "en-US"


def test_calculations_use_the_xbrl_21_arcrole_edgar_accepts(docs):
    root = _xml(docs["cal"])
    arcs = list(root.iter(f"{LINK}calculationArc"))
    assert len(arcs) > 40
    assert {arc.get(f"{XLINK}arcrole") for arc in arcs} == {"http://www.xbrl.org/2003/arcrole/summation-item"}
    assert not list(root.iter(f"{LINK}arcroleRef"))          # no Calculation 1.1 arcrole declared


def test_the_document_is_ascii_and_keeps_its_text(docs):
    raw = docs["htm"].read_bytes()
    assert max(raw) < 0x80
    assert raw.startswith(b"<?xml version='1.0' encoding='ASCII'?>")
    text = "".join(_xml(docs["htm"]).itertext())
    assert "Company’s" in text and "“ADS”" in text         # the characters are references, not lost


def test_no_style_element_no_links_out_and_the_styling_kept(docs):
    root = _xml(docs["htm"])
    assert not list(root.iter(f"{XHTML}style"))
    hrefs = [a.get("href") for a in root.iter(f"{XHTML}a") if a.get("href")]
    assert all(href.startswith("#") for href in hrefs), hrefs
    assert "https://ir.qifu.tech" in "".join(root.itertext())            # the address is still printed
    tables = [t for t in root.iter(f"{XHTML}table") if "fin" in (t.get("class") or "").split()]
    assert tables and all("border-collapse" in (t.get("style") or "") for t in tables)
    assert root.get("style") is None                                      # XHTML allows no style on <html>


def test_every_fact_is_in_a_presentation_group_dimensional_ones_in_a_table(docs):
    instance = _xml(docs["instance"])
    facts = [e for e in instance if e.get("contextRef")]
    contexts = {c.get("id"): [m.get("dimension") for m in c.iter(f"{XBRLDI}explicitMember")]
                for c in instance.iter(f"{XBRLI}context")}
    presented = defaultdict(set)                                          # concept -> roles
    role_elements = defaultdict(set)
    for link in _xml(docs["pre"]).iter(f"{LINK}presentationLink"):
        for loc in link.iter(f"{LINK}loc"):
            name = loc.get(f"{XLINK}href").rpartition("#")[2]
            presented[name].add(link.get(f"{XLINK}role"))
            role_elements[link.get(f"{XLINK}role")].add(name)
    assert len(facts) > 500
    for fact in facts:
        qname = etree.QName(fact)
        prefix = fact.prefix
        element_id = f"{prefix}_{qname.localname}"
        assert presented[element_id], f"{element_id} is in no presentation group"
        for axis in contexts[fact.get("contextRef")]:
            axis_id = axis.replace(":", "_")
            roles = [r for r in presented[element_id] if axis_id in role_elements[r]]
            assert roles, f"{element_id} on {axis} is in no presentation table with that axis"
            assert any(e.endswith("Table") for e in role_elements[roles[0]])
            assert any(e.endswith("LineItems") for e in role_elements[roles[0]])


def test_roles_are_declared_as_edgar_requires(docs):
    schema = _xml(docs["xsd"])
    declared = {}
    for role in schema.iter(f"{LINK}roleType"):
        definition = role.find(f"{LINK}definition").text
        assert re.fullmatch(r"[0-9]{4} - (Document|Statement|Disclosure|Schedule) - .+", definition), definition
        declared[role.get("roleURI")] = {u.text for u in role.iter(f"{LINK}usedOn")}
    codes = [d.find(f"{LINK}definition").text[:4] for d in schema.iter(f"{LINK}roleType")]
    assert len(codes) == len(set(codes))
    for kind, tag in (("pre", "presentationLink"), ("cal", "calculationLink"), ("def", "definitionLink")):
        for link in _xml(docs[kind]).iter(f"{LINK}{tag}"):
            role = link.get(f"{XLINK}role")
            assert f"link:{tag}" in declared[role], f"{role} is not declared for {tag}"


def test_extension_namespace_and_file_names_follow_the_period(docs, loaded):
    schema = _xml(docs["xsd"])
    end = str(loaded.release.meta["document_period_end"]).replace("-", "")
    assert schema.get("targetNamespace") == f"http://ir.qifu.tech/{end}"
    assert docs["xsd"].name == f"qfin-{end}.xsd"
    assert re.fullmatch(r"http://[a-z0-9.-]+/[0-9]{8}", schema.get("targetNamespace"))


def test_dei_facts_are_on_the_year_to_date_context(docs):
    instance = _xml(docs["instance"])
    periods = {}
    for context in instance.iter(f"{XBRLI}context"):
        start, end = context.find(f".//{XBRLI}startDate"), context.find(f".//{XBRLI}endDate")
        periods[context.get("id")] = (start.text, end.text) if start is not None else None
    dei = [e for e in instance if e.get("contextRef") and etree.QName(e).namespace.startswith("http://xbrl.sec.gov/dei")]
    end = next(e.text for e in dei if etree.QName(e).localname == "DocumentPeriodEndDate")
    assert len(dei) >= 6          # the 6-K carries no exchange name or trading symbol (EFM 6.5.46)
    for fact in dei:
        assert periods[fact.get("contextRef")] == (f"{end[:4]}-01-01", end), etree.QName(fact).localname


def test_attribution_is_computed_as_the_taxonomy_does(docs):
    root = _xml(docs["cal"])
    arcs = defaultdict(dict)
    for link in root.iter(f"{LINK}calculationLink"):
        locs = {loc.get(f"{XLINK}label"): loc.get(f"{XLINK}href").rpartition("#")[2] for loc in link.iter(f"{LINK}loc")}
        for arc in link.iter(f"{LINK}calculationArc"):
            arcs[locs[arc.get(f"{XLINK}from")]][locs[arc.get(f"{XLINK}to")]] = arc.get("weight")
    assert arcs["us-gaap_NetIncomeLoss"] == {"us-gaap_ProfitLoss": "1.0",
                                             "us-gaap_NetIncomeLossAttributableToNoncontrollingInterest": "-1.0"}
    assert "us-gaap_NetIncomeLoss" not in arcs["us-gaap_ProfitLoss"]


def test_forecasts_are_standard_elements_on_the_scenario_axis(docs):
    instance = _xml(docs["instance"])
    contexts = {c.get("id"): ({m.get("dimension"): m.text for m in c.iter(f"{XBRLDI}explicitMember")},
                              c.findtext(f".//{XBRLI}endDate"))
                for c in instance.iter(f"{XBRLI}context")}
    future = [e for e in instance if e.get("contextRef") and contexts[e.get("contextRef")][1] == "2024-09-30"]
    assert {etree.QName(e).localname for e in future} >= {"ProfitLoss", "NonGaapNetIncomeOutlook"}
    for fact in future:
        dims = contexts[fact.get("contextRef")][0]
        assert dims.get("srt:StatementScenarioAxis") == "srt:ScenarioForecastMember", etree.QName(fact).localname
        assert dims.get("srt:RangeAxis") in ("srt:MinimumMember", "srt:MaximumMember")


RELATED_PARTY_LINES = {      # the balance-sheet line (item of a face summation) -> the standard base element
    "qfin:AmountsDueFromRelatedPartiesCurrent": "us-gaap:OtherReceivablesNetCurrent",
    "qfin:AmountsDueFromRelatedPartiesNoncurrent": "us-gaap:OtherReceivableAfterAllowanceForCreditLossNoncurrent",
    "qfin:AmountsDueToRelatedPartiesCurrent": "us-gaap:OtherLiabilitiesCurrent",
}
IX = "{http://www.xbrl.org/2013/inlineXBRL}"


def test_related_party_lines_carry_the_standard_element_on_related_party_member(docs):
    """Each printed related-party amount is the standard base element on RelatedPartyTransactionsByRelatedPartyAxis
    = RelatedPartyMember (the 2024 pattern), nested in the line's own fact, which stays in the default context as
    the item its face total sums; both have the printed value, the same period and unit."""
    from qfin_docs.render.ixbrl import fact_value
    root = _xml(docs["htm"])
    contexts = {}
    for context in root.iter(f"{XBRLI}context"):
        dims = {m.get("dimension"): m.text for m in context.iter(f"{XBRLDI}explicitMember")}
        contexts[context.get("id")] = (dims, context.findtext(f".//{XBRLI}instant"))
    seen = defaultdict(int)
    for outer in root.iter(f"{IX}nonFraction"):
        if outer.get("name") not in RELATED_PARTY_LINES:
            continue
        inner = outer.findall(f"{IX}nonFraction")
        assert len(inner) == 1, f"{outer.get('name')} carries no standard element"
        inner = inner[0]
        assert inner.get("name") == RELATED_PARTY_LINES[outer.get("name")]
        assert contexts[outer.get("contextRef")][0] == {}                  # the item of the face summation
        dims, instant = contexts[inner.get("contextRef")]
        assert dims == {"us-gaap:RelatedPartyTransactionsByRelatedPartyAxis": "us-gaap:RelatedPartyMember"}
        assert instant == contexts[outer.get("contextRef")][1]
        assert (inner.get("unitRef"), inner.get("decimals")) == (outer.get("unitRef"), outer.get("decimals"))
        assert fact_value(inner) == fact_value(outer) and Decimal(fact_value(inner)) > 0
        seen[outer.get("name")] += 1
    assert dict(seen) == {name: 3 for name in RELATED_PARTY_LINES}     # two balance-sheet dates, and USD
    # the extension is still the summation item; the standard element is a line item of the related-party table
    cal = "".join(loc.get(f"{XLINK}href") for loc in _xml(docs["cal"]).iter(f"{LINK}loc"))
    primaries = defaultdict(set)
    for link in _xml(docs["def"]).iter(f"{LINK}definitionLink"):
        hrefs = {loc.get(f"{XLINK}href").rpartition("#")[2] for loc in link.iter(f"{LINK}loc")}
        primaries[link.get(f"{XLINK}role")] = hrefs
    related = [h for h in primaries.values() if "us-gaap_RelatedPartyTransactionsByRelatedPartyAxis" in h]
    assert len(related) == 1 and "us-gaap_RelatedPartyMember" in related[0]
    for line, base in RELATED_PARTY_LINES.items():
        assert f"#{line.replace(':', '_')}" in cal and f"#{base.replace(':', '_')}" not in cal
        assert base.replace(":", "_") in related[0]


# ---------------------------------------------------------------------- the project's own EFM checks
# Each rule of the EDGAR Filer Manual the project checks itself (qfin_docs/verify/efm.py) holds on the built set:
# 6.07.11 usedOn, 6.10.04 unique standard labels, 6.12.05 preferred labels under one parent, 6.11.05 monetary
# balance or documentation, 6.08.05 LC3 names, 5.02.05 the submission's HTML, 5.02.05.14 hidden facts,
# 6.05.46 cover elements of the form, and no deprecated element.
from qfin_docs.verify import efm as efm_rules  # noqa: E402


def _rule_findings(built, code):
    from qfin_docs.facts.standard import load_catalog
    catalog, _ = load_catalog()
    name = next(p.stem for p in built.glob("qfin-*.xsd"))
    entry = next(r for r in efm_rules.RULES if r.code == code)
    return entry.check(efm_rules.DocumentSet(built, name, frozenset(catalog.deprecated)))


@pytest.mark.parametrize("code", ["6.07.11", "6.10.04", "6.12.05", "6.11.05", "6.08.05", "5.02.05", "5.02.05.14",
                                  "6.05.46", "deprecated"])
def test_the_built_set_keeps_the_efm_rule(built, code):
    assert _rule_findings(built, code) == []


def test_every_rule_the_issue_names_is_registered():
    assert {r.code for r in efm_rules.RULES} >= {"6.07.11", "6.10.04", "6.12.05", "6.11.05", "6.08.05", "5.02.05",
                                                  "5.02.05.14", "6.05.46", "deprecated"}


def test_lc3_is_the_label_in_camel_case():
    assert efm_rules.lc3("Amounts due from related parties, current") == "AmountsDueFromRelatedPartiesCurrent"
    assert efm_rules.lc3("Other services fees, platform services [Member]") == "OtherServicesFeesPlatformServicesMember"
    assert efm_rules.lc3("Product and Service [Line Items]") == "ProductAndServiceLineItems"
    assert efm_rules.lc3("Non-GAAP net income") == "NonGAAPNetIncome"


@pytest.fixture()
def planted(built, tmp_path):
    """A copy of the built submission to plant one defect in."""
    import shutil
    name = next(p.stem for p in built.glob("qfin-*.xsd"))
    for path in built.glob(f"{name}*"):
        shutil.copy(path, tmp_path / path.name)
    return tmp_path, name


def _plant(planted, suffix, old, new, code):
    folder, name = planted
    path = folder / f"{name}{suffix}"
    text = path.read_text(encoding="ascii" if suffix == ".htm" else "utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="ascii" if suffix == ".htm" else "utf-8")
    entry = next(r for r in efm_rules.RULES if r.code == code)
    return entry.check(efm_rules.DocumentSet(folder, name))


def test_each_check_catches_its_defect(planted):
    assert _plant(planted, ".xsd", "<link:usedOn>link:calculationLink</link:usedOn>", "", "6.07.11")
    empty_cell = re.search(r"<th [^>]*></th>", (planted[0] / f"{planted[1]}.htm").read_text(encoding="ascii")).group(0)
    assert _plant(planted, ".htm", empty_cell, empty_cell.replace("></th>", "/>"), "5.02.05")
    assert _plant(planted, ".htm", "<head>", "<head><meta name=\"viewport\" content=\"width=device-width\"/>",
                  "5.02.05")
    assert _plant(planted, ".htm", "<span", "<a>x</a><span", "5.02.05")
    assert _plant(planted, ".htm", "<html", "<!DOCTYPE html>\n<html", "5.02.05")
    assert _plant(planted, ".htm", "id=\"hidden-1\"", "id=\"hidden-0\"", "5.02.05.14")
    symbol = '<ix:nonNumeric name="dei:TradingSymbol" contextRef="D20240101-20240630">X</ix:nonNumeric>'
    assert _plant(planted, ".htm", "</ix:hidden>", symbol + "</ix:hidden>", "6.05.46")


def test_label_and_presentation_checks_catch_their_defects(planted):
    folder, name = planted
    lab = (folder / f"{name}_lab.xml").read_text(encoding="utf-8")
    first = re.search(r'xlink:role="http://www.xbrl.org/2003/role/label"[^>]*>([^<]+)<', lab).group(1)
    second = re.findall(r'xlink:role="http://www.xbrl.org/2003/role/label"[^>]*>([^<]+)<', lab)[5]
    assert _plant(planted, "_lab.xml", f">{second}<", f">{first}<", "6.10.04")
    pre = (folder / f"{name}_pre.xml").read_text(encoding="utf-8")
    arc = re.search(r"<link:presentationArc [^>]*/>", pre).group(0)
    assert _plant(planted, "_pre.xml", arc, arc + arc.replace('order="', 'order="9'), "6.12.05")
    assert _plant(planted, ".xsd", 'name="NonGaapNetIncome"', 'name="NonGaapIncome"', "6.08.05")


def test_balance_and_deprecation_checks_catch_their_defects(planted):
    assert _plant(planted, ".xsd", 'name="FundingCosts" type="xbrli:monetaryItemType" substitutionGroup="xbrli:item" '
                  'xbrli:periodType="duration" nillable="true" abstract="false" xbrli:balance="debit"',
                  'name="FundingCosts" type="xbrli:monetaryItemType" substitutionGroup="xbrli:item" '
                  'xbrli:periodType="duration" nillable="true" abstract="false"', "6.11.05")
    from qfin_docs.facts.standard import load_catalog
    folder, name = planted
    path = folder / f"{name}.htm"
    path.write_text(path.read_text(encoding="ascii").replace(
        'name="us-gaap:ShortTermBorrowings"', 'name="us-gaap:DueToRelatedPartiesCurrent"', 1), encoding="ascii")
    docs = efm_rules.DocumentSet(folder, name, frozenset(load_catalog()[0].deprecated))
    found = next(r for r in efm_rules.RULES if r.code == "deprecated").check(docs)
    assert found and "us-gaap:DueToRelatedPartiesCurrent is deprecated" in found[0][1]


def test_validate_reports_each_rule_as_a_located_problem(planted):
    folder, name = planted
    assert efm_rules.efm_problems(folder, name) == []
    _plant(planted, ".htm", "<html", "<!DOCTYPE html>\n<html", "5.02.05")
    problems = efm_rules.efm_problems(folder, name)
    assert [str(p) for p in problems] == [f"{folder / name}.htm: EFM-5.02.05 the document has a DOCTYPE declaration"]
