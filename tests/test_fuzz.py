"""Property tests: number formatting and parsing agree, and the loader never raises on mutated input.

`make fuzz` runs 10,000 examples of each (QFIN_FUZZ_EXAMPLES); `make test` runs fewer.
"""
from __future__ import annotations

import os
import shutil
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qfin_docs.facts.load import load_release
from qfin_docs.facts.numbers import CURRENCY_MARKS, SCALE_NAMES, digits, is_negative_when_shown, parse_printed
from qfin_docs.verify.scan import tokens
from qfin_docs.facts.taxonomy import load_taxonomy
from qfin_docs.facts.yamlio import parse_yaml

EXAMPLES = int(os.environ.get("QFIN_FUZZ_EXAMPLES", "300"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
TAXONOMY, _ = load_taxonomy()
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"
MINI_FACTS = (MINI / "facts.yaml").read_bytes()

values = st.decimals(min_value=Decimal("-1e13"), max_value=Decimal("1e13"), allow_nan=False, allow_infinity=False,
                     places=4)


@FUZZ
@given(value=values, scale=st.sampled_from([0, 3, 6, 9]), places=st.integers(0, 3),
       currency=st.sampled_from([None, "CNY", "USD"]))
def test_a_formatted_amount_parses_back_to_an_interval_holding_it(value, scale, places, currency):
    sign = "-" if is_negative_when_shown(value, scale, places) else ""
    mark = CURRENCY_MARKS[currency] if currency else ""
    word = f" {SCALE_NAMES[scale]}" if scale else ""
    text = f"{mark}{sign}{digits(value, scale, places)}{word}"
    printed = parse_printed(text)
    assert printed is not None, text
    low, high = printed.interval()
    assert low <= value <= high, (text, value)
    assert printed.currency == currency
    assert printed.decimals == places - scale


@FUZZ
@given(value=st.decimals(min_value=Decimal("-10"), max_value=Decimal("10"), places=6), places=st.integers(0, 3))
def test_a_formatted_percentage_parses_back(value, places):
    sign = "-" if is_negative_when_shown(value, -2, places) else ""
    printed = parse_printed(f"{sign}{digits(value, -2, places)}%")
    low, high = printed.interval()
    assert printed.percent and low <= value <= high


@FUZZ
@given(st.text(alphabet=st.sampled_from(list("0123456789,.%()-$RMBUS millionbilthousand月¹²³ \n")), max_size=120))
def test_scanning_any_text_never_fails(text):
    for token in tokens(text):
        assert text[token.start:token.end] == token.text
        assert token.printed is None or token.printed.value.is_finite()


def _mutate(data: bytes, edits: list[tuple[int, int, bytes]]) -> bytes:
    out = bytearray(data)
    for kind, position, payload in edits:
        position %= max(len(out), 1)
        if kind == 0:
            out[position:position + 1] = payload          # replace a byte
        elif kind == 1:
            out[position:position] = payload              # insert
        else:
            del out[position:position + len(payload) + 1]  # delete
    return bytes(out)


EDITS = st.lists(st.tuples(st.integers(0, 2), st.integers(0, 10_000),
                           st.sampled_from([b":", b"-", b" ", b"\n", b"[", b"]", b"{", b"}", b"&a", b"*a", b"!!",
                                            b"%", b"RMB", b"1,2", b"\t", b"\xff", b"'", b'"', b"#", b"0", b"~"])),
                 min_size=1, max_size=6)


@FUZZ
@given(edits=EDITS)
def test_the_yaml_reader_never_raises(edits):
    data, problems = parse_yaml(_mutate(MINI_FACTS, edits), "facts.yaml")
    assert (data is None) == bool(problems)
    for problem in problems:
        assert problem.source.line >= 1 and problem.code.startswith("QF-")


@FUZZ
@given(edits=EDITS)
def test_the_loader_loads_or_reports_problems(edits, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    release = folder / "mini"
    shutil.copytree(MINI, release)
    (release / "facts.yaml").write_bytes(_mutate(MINI_FACTS, edits))
    loaded, problems = load_release(release, TAXONOMY)
    assert (loaded is None) == bool(problems)
    for problem in problems:
        assert str(problem).startswith(str(release)) and " QF-" in str(problem)
    shutil.rmtree(folder)
