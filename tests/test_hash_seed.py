"""The filing tie-out decides the same under every string hash seed: where candidates are equal, no set's
iteration order picks one.  A hand-made filing holds the three ties the engine once left to hash order:

- two items one label names ("interest expense": InterestExpense, and InterestExpenseNonoperating without its
  qualifier) with one value: the first item the filing gives is taken, in prose and in a table row;
- a column whose figures are facts of two periods alike: the column names neither period;
- a quarter the text names ("Q3 2025") near two of the filing's periods: the one ending nearest it.

Each run is a fresh interpreter under its own PYTHONHASHSEED; seeds 0 and 1 gave different reports before."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from test_filing_narrative import TAG, write

from conftest import ROOT

_FACTS = (("InterestExpense", "q3", "1,250"), ("InterestExpenseNonoperating", "q3", "1,250"),
          ("Revenues", "q3", "500"), ("Revenues", "q3py", "500"), ("CostOfRevenue", "q3", "300"),
          ("CostOfRevenue", "q3py", "300"), ("Revenues", "q3w", "480"))
_Q3W = ('<xbrli:context id="q3w"><xbrli:entity><xbrli:identifier scheme="http://www.sec.gov/CIK">0000000001'
        '</xbrli:identifier></xbrli:entity><xbrli:period><xbrli:startDate>2025-06-29</xbrli:startDate>'
        '<xbrli:endDate>2025-09-28</xbrli:endDate></xbrli:period></xbrli:context>')     # a 13-week quarter
_BODY = ('<div style="display:none">{}</div>'
         "<p>Revenues were $500 million in Q3 2025.</p>"
         "<p>Interest expense was $1,250 million for the three months ended September 30, 2025.</p>"
         "<p>(in millions)</p><table><tr><td></td><td>Three months ended September 30</td></tr>"
         "<tr><td>Interest expense</td><td>1,250</td></tr></table>"
         "<p>(in millions)</p><table><tr><td></td><td>Three months ended September 30</td></tr>"
         "<tr><td>Revenues</td><td>500</td></tr><tr><td>Cost of revenue</td><td>300</td></tr></table>")
_RUN = """
import json, sys
from pathlib import Path
from qfin_docs.verify.filingtie import tieout_filing
print(json.dumps([[e.text, e.anchor, e.span, e.status, e.confidence, e.explanation,
                   str(e.fact.concept) if e.fact else "", str(e.fact.period) if e.fact else ""]
                  for e in tieout_filing(Path(sys.argv[1])).entries]))
"""


def _filing(tmp_path):
    path = write(tmp_path, _BODY.format("".join(TAG.format(name=name, ctx=ctx, scale=6, text=text)
                                                for name, ctx, text in _FACTS)))
    path.write_text(path.read_text(encoding="utf-8").replace("</ix:resources>", _Q3W + "</ix:resources>", 1),
                    encoding="utf-8")
    return path


def _report(path, seed: int) -> list:
    env = {**os.environ, "PYTHONHASHSEED": str(seed),
           "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", _RUN, str(path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_equal_candidates_are_decided_alike_under_every_hash_seed(tmp_path):
    path = _filing(tmp_path)
    first, second = _report(path, 0), _report(path, 1)
    assert first == second
    found = {(text, anchor): (status, concept, period) for text, anchor, _, status, _, _, concept, period in first}
    q3 = "2025-07-01/2025-09-30"
    assert found["$500 million", "/html/body/p[1]"] == ("tied", "us-gaap:Revenues", q3)     # not the 13 weeks
    assert found["$1,250 million", "/html/body/p[2]"] == ("tied", "us-gaap:InterestExpense", q3)
    assert found["1,250", "/html/body/table[1]/tr[2]/td[2]"] == ("tied", "us-gaap:InterestExpense", q3)
    assert found["500", "/html/body/table[2]/tr[2]/td[2]"] == ("tied", "us-gaap:Revenues", q3)
    assert found["300", "/html/body/table[2]/tr[3]/td[2]"] == ("tied", "us-gaap:CostOfRevenue", q3)
