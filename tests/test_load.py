"""The loader: every error class, with its exact code, message and line, on small inline fixtures."""
from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from textwrap import dedent

import pytest

from qfin_docs.facts.load import load_release
from qfin_docs.model import CNY, PURE, Period, QName
from qfin_docs.facts.taxonomy import load_taxonomy
from qfin_docs.facts.yamlio import parse_yaml

TAXONOMY, _ = load_taxonomy()


def problems_for(folder: Path, facts: str | bytes | None = None, release: str | None = None) -> list[str]:
    """Load the mini release with its facts.yaml (and optionally release.yaml) replaced."""
    if facts is not None:
        data = facts if isinstance(facts, bytes) else dedent(facts).encode("utf-8")
        (folder / "facts.yaml").write_bytes(data)
    if release is not None:
        (folder / "release.yaml").write_text(dedent(release), encoding="utf-8")
    loaded, problems = load_release(folder, TAXONOMY)
    assert (loaded is None) == bool(problems)
    return [str(p).replace(str(folder) + "/", "") for p in problems]


RATE = '  - {concept: us-gaap:ForeignCurrencyExchangeRateTranslation1, period: 2024-06-28, value: "7.2672"}\n'


def facts(*lines: str) -> str:
    return "facts:\n" + RATE + "".join(f"  - {line}\n" for line in lines)


def test_mini_release_loads(mini):
    release, problems = load_release(mini, TAXONOMY)
    assert problems == []
    by_key = {(f.concept, f.period, f.unit): f for f in release.facts}
    users = by_key[(QName("qfin", "CumulativeRegisteredUsers"), Period(dt.date(2024, 6, 30)), PURE)]
    assert users.value == Decimal("247600000") and users.decimals == -5
    income = by_key[(QName("us-gaap", "ProfitLoss"), Period(dt.date(2024, 6, 30), dt.date(2024, 4, 1)), CNY)]
    assert income.value == Decimal("1376508000") and income.decimals == -3
    assert income.source.line == 6
    nci = [f for f in release.facts if f.concept.local == "ComprehensiveIncomeNetOfTaxAttributableToNoncontrollingInterest"]
    assert sorted(f.value for f in nci)[0] == Decimal("-4063000")


def test_numbers_never_pass_through_float(mini):
    problems = problems_for(mini, facts('{concept: us-gaap:ShortTermInvestments, period: 2024-06-30, value: "RMB0.1 million"}'))
    assert problems == []
    release, _ = load_release(mini, TAXONOMY)
    value = next(f.value for f in release.facts if f.concept.local == "ShortTermInvestments")
    assert value == Decimal("100000") and isinstance(value, Decimal)


CASES = {
    "yaml syntax": ("facts:\n  - {concept: qfin:ReleaseDate, period: Q2-2024\n", None,
                    ["facts.yaml:3: QF-YAML-SYNTAX while parsing a flow mapping; expected ',' or '}', but got '<stream end>'"]),
    "duplicate key": ("facts:\n  - concept: qfin:ReleaseDate\n    concept: qfin:ReleaseDate\n", None,
                      ["facts.yaml:3: QF-YAML-DUPLICATE-KEY duplicate key 'concept' (first on line 2)"]),
    "unknown key": (facts("{concept: qfin:ReleaseDate, period: Q2-2024, value: 2024-08-13, valeu: 1}"), None,
                    ["facts.yaml:3: QF-UNKNOWN-KEY unknown key 'valeu' in facts/1"]),
    "missing required": (facts("{concept: qfin:ReleaseDate, period: Q2-2024}"), None,
                         ["facts.yaml:3: QF-MISSING-KEY missing required key 'value' in facts/1"]),
    "wrong type": (facts("{concept: qfin:ReleaseDate, period: Q2-2024, value: 2024-08-13, footnotes: 3}"), None,
                   ["facts.yaml:3: QF-TYPE facts/1/footnotes: expected array, got 3"]),
    "too many digits": (facts('{concept: qfin:CumulativeBorrowers, period: 2024-06-30, value: "32.05 million", decimals: -5}'),
                        None, ["facts.yaml:3: QF-DECIMALS value 32.05 million has more digits than decimals -5 allow"]),
    "unknown concept": (facts('{concept: us-gaap:Revenue, period: Q2-2024, value: "RMB1 million"}'), None,
                        ["facts.yaml:3: QF-UNKNOWN-CONCEPT unknown concept 'us-gaap:Revenue' (not in schema/taxonomy.yaml)"]),
    "undeclared prefix": (facts('{concept: ifrs:Revenue, period: Q2-2024, value: "RMB1 million"}'), None,
                          ["facts.yaml:3: QF-PREFIX undeclared prefix 'ifrs' in 'ifrs:Revenue'"]),
    "period type": (facts('{concept: us-gaap:Revenues, period: 2024-06-30, value: "RMB1 million"}'), None,
                    ["facts.yaml:3: QF-PERIOD-TYPE 'us-gaap:Revenues' is a duration concept but period '2024-06-30' is an instant"]),
    "end before start": (facts('{concept: us-gaap:Revenues, period: 2024-06-30/2024-04-01, value: "RMB1 million"}'), None,
                         ["facts.yaml:3: QF-PERIOD period '2024-06-30/2024-04-01' ends before it starts"]),
    "invalid date": (facts("{concept: qfin:ReleaseDate, period: Q2-2024, value: 2024-02-30}"), None,
                     ["facts.yaml:3: QF-DATE '2024-02-30' is not a valid date (YYYY-MM-DD)"]),
    "invalid period date": (facts('{concept: us-gaap:Revenues, period: 2024-13-01/2024-06-30, value: "RMB1 million"}'), None,
                            ["facts.yaml:3: QF-PERIOD '2024-13-01/2024-06-30' is not a period name, a date (YYYY-MM-DD) or start/end"]),
    "monetary in shares": (facts('{concept: us-gaap:Revenues, period: Q2-2024, value: "1 million", unit: shares}'), None,
                           ["facts.yaml:3: QF-UNIT unit 'xbrli:shares' does not fit 'us-gaap:Revenues' (monetary)"]),
    "per share in CNY": (facts('{concept: us-gaap:EarningsPerShareBasic, period: Q2-2024, value: "4.54", unit: CNY}'), None,
                         ["facts.yaml:3: QF-UNIT unit 'iso4217:CNY' does not fit 'us-gaap:EarningsPerShareBasic' (perShare)"]),
    "money without currency": (facts('{concept: us-gaap:Revenues, period: Q2-2024, value: "4,160.1 million"}'), None,
                               ["facts.yaml:3: QF-UNIT 'us-gaap:Revenues' is monetary: write the currency, e.g. 'RMB1,234 million'"]),
    "currency on a count": (facts('{concept: qfin:CumulativeBorrowers, period: 2024-06-30, value: "RMB32.0 million"}'), None,
                            ["facts.yaml:3: QF-UNIT 'qfin:CumulativeBorrowers' is not monetary but 'RMB32.0 million' has a currency"]),
    "percent without sign": (facts('{concept: qfin:RepeatBorrowerContribution, period: Q2-2024, value: "93.0"}'), None,
                             ["facts.yaml:3: QF-VALUE 'qfin:RepeatBorrowerContribution' is a percentage: write it with '%', e.g. '12.5%'"]),
    "not a number": (facts('{concept: qfin:CumulativeBorrowers, period: 2024-06-30, value: "about 32 million"}'), None,
                     ["facts.yaml:3: QF-VALUE 'about 32 million' is not a number"]),
    "unknown member": (facts('{concept: "us-gaap:Revenues[qfin:NoSuchMember]", period: Q2-2024, value: "RMB1 million"}'), None,
                       ["facts.yaml:3: QF-UNKNOWN-MEMBER unknown member 'qfin:NoSuchMember' (not in any axis of schema/taxonomy.yaml)"]),
    "two members of one axis": (facts('{concept: "us-gaap:Revenues[qfin:FinancingIncomeMember, qfin:PlatformServicesMember]", period: Q2-2024, value: "RMB1 million"}'), None,
                                ["facts.yaml:3: QF-UNKNOWN-MEMBER two members of axis 'srt:ProductOrServiceAxis': 'qfin:FinancingIncomeMember' and 'qfin:PlatformServicesMember'"]),
    "inconsistent duplicate": (facts('{concept: qfin:CumulativeBorrowers, period: 2024-06-30, value: "32.0 million"}',
                                     '{concept: qfin:CumulativeBorrowers, period: 2024-06-30, value: "32.1 million"}'), None,
                               ["facts.yaml:4: QF-DUPLICATE-FACT qfin:CumulativeBorrowers 2024-06-30 is 32100000 here but 32000000 at facts.yaml:3"]),
    "python tag": (facts("{concept: qfin:ReleaseDate, period: Q2-2024, value: !!python/object/apply:os.system [echo hi]}"), None,
                   ["facts.yaml:3: QF-YAML-TAG tag tag:yaml.org,2002:python/object/apply:os.system is not allowed (fact files hold plain data only)"]),
    "alias": ("facts:\n  - &a {concept: qfin:ReleaseDate, period: Q2-2024, value: 2024-08-13}\n  - *a\n", None,
              ["facts.yaml:2: QF-YAML-ALIAS anchors and aliases are not allowed in fact files"]),
    "empty file": ("# nothing here\n", None, ["facts.yaml:1: QF-FILE-EMPTY file is empty"]),
    "bom": ("\ufefffacts: []\n".encode("utf-8"), None,
            ["facts.yaml:1: QF-FILE-BOM file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM"]),
    "invalid utf-8": (b"facts:\n  - {concept: qfin:ReleaseDate, period: Q2-2024, value: \"\xff\"}\n", None,
                      ["facts.yaml:2: QF-FILE-ENCODING invalid UTF-8 byte 0xff at byte 64"]),
    "table row count": ("tables:\n  comprehensive-income:\n    columns: [Q2-2023 CNY, Q2-2024 CNY]\n    rows:\n      us-gaap:ProfitLoss: [1, 2, 3]\n" + facts(), None,
                        ["facts.yaml:5: QF-COLUMNS 3 values for 2 columns"]),
    "row not in statement": ("tables:\n  comprehensive-income:\n    columns: [Q2-2024 CNY]\n    rows:\n      us-gaap:Revenues: [1]\n" + facts(), None,
                             ["facts.yaml:5: QF-ROW 'us-gaap:Revenues' is not a row of statement 'comprehensive-income'"]),
    "unknown statement": ("tables:\n  income:\n    columns: [Q2-2024 CNY]\n    rows:\n      us-gaap:Revenues: [1]\n" + facts(), None,
                          ["facts.yaml:2: QF-STATEMENT no statement 'income' in schema/taxonomy.yaml"]),
    "bad column": ("tables:\n  comprehensive-income:\n    columns: [Q2-2024 RMB]\n    rows:\n      us-gaap:ProfitLoss: [1]\n" + facts(), None,
                   ["facts.yaml:3: QF-FORMAT tables/comprehensive-income/columns/0: 'Q2-2024 RMB' is not a column as "
                    "'<period> <currency>', e.g. 'Q2-2024 CNY'"]),
    "release missing key": (None, "id: mini\n", [
        "release.yaml:1: QF-MISSING-KEY missing required key 'company' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'document_period_end' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'entity' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'exchange_rate' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'fact_files' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'periods' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'release_date' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'running_header' in (top level)",
        "release.yaml:1: QF-MISSING-KEY missing required key 'title' in (top level)"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_error_class(mini, name):
    facts_text, release_text, expected = CASES[name]
    assert problems_for(mini, facts_text, release_text) == expected


def test_every_problem_is_reported_not_only_the_first(mini):
    problems = problems_for(mini, facts(
        '{concept: us-gaap:Revenue, period: Q2-2024, value: "RMB1 million"}',
        '{concept: qfin:ReleaseDate, period: Q2-2024, value: 2024-02-30}',
        '{concept: us-gaap:Revenues, period: 2024-06-30, value: "RMB1 million"}'))
    assert [p.split(": ")[1].split()[0] for p in problems] == ["QF-UNKNOWN-CONCEPT", "QF-DATE", "QF-PERIOD-TYPE"]
    assert [p.split(":")[1] for p in problems] == ["3", "4", "5"]


def test_unknown_keys_are_all_reported_with_their_lines(mini):
    problems = problems_for(mini, "facts:\n  - concept: qfin:ReleaseDate\n    period: Q2-2024\n    value: 2024-08-13\n"
                                  "    colour: red\n    size: 3\n")
    assert problems == ["facts.yaml:5: QF-UNKNOWN-KEY unknown key 'colour' in facts/0",
                        "facts.yaml:6: QF-UNKNOWN-KEY unknown key 'size' in facts/0"]


def test_missing_fact_file(mini):
    problems = problems_for(mini, release=(mini / "release.yaml").read_text().replace("[facts.yaml]", "[nope.yaml]"))
    assert problems == ["release.yaml:13: QF-FILE-READ fact file 'nope.yaml' does not exist"]


def test_huge_file_is_refused_before_parsing(mini):
    problems = problems_for(mini, b"# " + b"x" * 2_100_000 + b"\n")
    assert problems == ["facts.yaml:1: QF-FILE-SIZE file is 2,100,003 bytes, over the 2,000,000-byte limit"]


def test_yaml_reader_keeps_decimal_text():
    data, problems = parse_yaml(b"a: 1.10\nb: -213267\nc: 1_000\n", "x.yaml")
    assert problems == []
    assert data == {"a": Decimal("1.10"), "b": Decimal("-213267"), "c": Decimal("1000")}
    assert str(data["a"]) == "1.10"


def test_yaml_infinity_is_not_a_number():
    _, problems = parse_yaml(b"a: .inf\n", "x.yaml")
    assert [str(p) for p in problems] == ["x.yaml:1: QF-YAML-NUMBER '.inf' is not a finite number"]


def test_the_libyaml_reader_equals_the_pure_python_reader():
    """Every YAML file of the project reads the same (values, types and lines) through libyaml as through
    PyYAML's pure-Python parser, which gives the error messages; and the strict refusals hold in both."""
    from qfin_docs.facts import yamlio
    from conftest import ROOT

    def shape(node):
        if isinstance(node, dict):
            return node.line, node.key_lines, {k: shape(v) for k, v in node.items()}
        if isinstance(node, list):
            return node.line, node.item_lines, [shape(v) for v in node]
        return type(node).__name__, node
    files = [p for p in [*ROOT.glob("releases/*/*.yaml"), *ROOT.glob("releases/*/facts/*.yaml"),
                         *ROOT.glob("schema/*.yaml"), *ROOT.glob("tests/fixtures/**/*.yaml")]]
    assert len(files) >= 5
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert shape(yamlio._FastLoader(text).get_single_data()) == shape(yamlio._StrictLoader(text).get_single_data())
    for source in ("a: !!str 12", "a: !!float nan", "a: &x 1\nb: *x", "a: {<<: {b: 1}}", "a: 1\na: 2"):
        for loader in (yamlio._FastLoader, yamlio._StrictLoader):
            with pytest.raises(yamlio._LoadError):
                loader(source).get_single_data()


def test_schema_validation_is_skipped_only_for_bytes_that_passed_before(tmp_path, monkeypatch):
    """A file that passed its schema is not validated again while its bytes are unchanged; a changed file, a
    file that failed, and a cache that cannot be read are validated in full (and report every problem)."""
    from qfin_docs.facts import validcache, yamlio
    cache = tmp_path / "build" / ".qfin-schema-valid.json"
    cache.parent.mkdir()
    monkeypatch.setattr(validcache, "VALID_CACHE", cache)
    release = Path(__file__).resolve().parent.parent / "releases" / "qfin-2024q2" / "release.yaml"
    good = tmp_path / "release.yaml"
    good.write_bytes(release.read_bytes())
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(release.read_bytes() + b"\nno_such_key: 1\n")
    validated = []
    real = yamlio.schema_problems

    def counting(*args, **kwargs):
        validated.append(args[2])
        return real(*args, **kwargs)
    monkeypatch.setattr(yamlio, "schema_problems", counting)

    with validcache.cached_validation():                  # as 'check' uses it
        assert yamlio.read_valid(good, "release.schema.json", "good")[1] == []
        assert yamlio.read_valid(good, "release.schema.json", "good")[1] == []        # the same bytes: a hit
        assert validated == ["good"] and len(json.loads(cache.read_text())) == 1
        for _ in range(2):                                                            # a failure is never kept
            problems = yamlio.read_valid(bad, "release.schema.json", "bad")[1]
            assert [p.code for p in problems] == ["QF-UNKNOWN-KEY"] and "no_such_key" in problems[0].message
        assert validated == ["good", "bad", "bad"] and len(json.loads(cache.read_text())) == 1
        good.write_bytes(release.read_bytes() + b"\n# a comment\n")                   # changed bytes: validated again
        assert yamlio.read_valid(good, "release.schema.json", "good")[1] == []
        assert validated[-1] == "good" and len(validated) == 4
        cache.write_text("not json", encoding="utf-8")                                # unreadable: full validation,
        assert yamlio.read_valid(good, "release.schema.json", "good")[1] == []        # and the file is left alone
        assert len(validated) == 5 and cache.read_text(encoding="utf-8") == "not json"
    cache.write_text("[]", encoding="utf-8")
    assert yamlio.read_valid(good, "release.schema.json", "good")[1] == []        # outside the block: no cache
    assert len(validated) == 6 and cache.read_text(encoding="utf-8") == "[]"


def test_serve_keeps_its_validated_keys_in_memory_only(tmp_path, monkeypatch):
    """``serve``'s previews skip the schema validation of bytes that passed before in the same process, validate
    changed bytes and failures every time, and neither read nor write the cache file."""
    from qfin_docs.facts import validcache, yamlio
    cache = tmp_path / "build" / ".qfin-schema-valid.json"
    cache.parent.mkdir()
    monkeypatch.setattr(validcache, "VALID_CACHE", cache)
    release = Path(__file__).resolve().parent.parent / "releases" / "qfin-2024q2" / "release.yaml"
    good, bad = tmp_path / "release.yaml", tmp_path / "bad.yaml"
    good.write_bytes(release.read_bytes())
    bad.write_bytes(release.read_bytes() + b"\nno_such_key: 1\n")
    validated, real = [], yamlio.schema_problems
    monkeypatch.setattr(yamlio, "schema_problems", lambda *a, **k: validated.append(a[2]) or real(*a, **k))
    kept: set[str] = set()
    with validcache.validated_in_memory(kept):
        for _ in range(2):
            assert yamlio.read_valid(good, "release.schema.json", "good")[1] == []
            assert [p.code for p in yamlio.read_valid(bad, "release.schema.json", "bad")[1]] == ["QF-UNKNOWN-KEY"]
        assert validated == ["good", "bad", "bad"] and len(kept) == 1
        good.write_bytes(release.read_bytes() + b"\n# a comment\n")
        assert yamlio.read_valid(good, "release.schema.json", "good")[1] == [] and validated[-1] == "good"
    assert len(kept) == 2 and not cache.exists()
    assert yamlio.read_valid(good, "release.schema.json", "good")[1] == [] and len(validated) == 5   # outside: none
