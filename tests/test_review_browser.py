"""The review page in a real browser (headless Chromium over the DevTools protocol): every figure shows a
fully visible provenance card on hover and on keyboard focus, and a reviewer's ticks are kept and exported."""
from __future__ import annotations

import hashlib
import json

import pytest

from browser import Browser
from qfin_docs.verify.strict import read_figures

# Where a card is, and whether all of it can be seen: inside the viewport, not cut by an ancestor's box, not
# scrolled inside itself, not covered by anything (the element at each corner is the card).
CARD_VISIBLE = """(function (el) {
  var card = document.getElementById('prov-card');
  if (card.hidden) return 'no card';
  if (card.textContent !== el.getAttribute('data-prov')) return 'another card: ' + card.textContent.slice(0, 40);
  var r = card.getBoundingClientRect(), w = document.documentElement.clientWidth,
      h = document.documentElement.clientHeight;
  if (r.width < 20 || r.height < 10) return 'empty card';
  if (r.left < 0 || r.top < 0 || r.right > w || r.bottom > h) return 'off screen ' + JSON.stringify(r);
  if (card.scrollHeight > card.clientHeight + 1 || card.scrollWidth > card.clientWidth + 1) return 'scrolled inside';
  for (var a = card.parentElement; a && a !== document.documentElement; a = a.parentElement) {
    var s = getComputedStyle(a);
    if (s.overflowX !== 'visible' || s.overflowY !== 'visible') {
      var b = a.getBoundingClientRect();
      if (r.left < b.left || r.right > b.right || r.top < b.top || r.bottom > b.bottom) return 'clipped by ' + a.tagName;
    }
  }
  var corners = [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]];
  card.style.pointerEvents = 'auto';
  var covered = corners.some(function (p) { var e = document.elementFromPoint(p[0], p[1]); return !(e && card.contains(e)); });
  card.style.pointerEvents = '';
  return covered ? 'covered' : 'ok';
})"""

POINT = """(function (i) {
  var el = document.querySelectorAll('[data-prov]')[i];
  el.scrollIntoView({block: 'center', inline: 'nearest'});
  var r = el.getClientRects()[0];
  var x = r.left + Math.min(r.width / 2, 6), y = r.top + r.height / 2, hit = document.elementFromPoint(x, y);
  return {x: x, y: y, id: el.id, hit: !!hit && el.contains(hit)};
})"""


@pytest.fixture()
def browser(tmp_path):
    opened = []

    def start(width=1280, height=800):
        b = Browser(tmp_path / f"profile-{len(opened)}", width, height)
        opened.append(b)
        return b
    yield start
    for b in opened:
        b.close()


@pytest.mark.parametrize("width,height", [(1280, 800), (640, 700)])
def test_every_figure_shows_a_fully_visible_card_on_hover(built, browser, width, height):
    figures = read_figures(built / "figures.json")
    page = browser(width, height)
    page.open((built / "review" / "press-release-review.html").as_uri())
    count = page.js("document.querySelectorAll('[data-prov]').length")
    assert count == len(figures) + page.js("document.querySelectorAll('mark.dir[data-prov]').length")
    assert page.js("document.querySelectorAll('table.fin td .fig[data-prov]').length") == 499
    failures = []
    for index in range(count):
        point = page.js(f"{POINT}({index})")
        assert point["hit"], point                     # the pointer lands on the figure itself
        page.mouse_move(point["x"], point["y"])
        verdict = page.js(f"{CARD_VISIBLE}(document.querySelectorAll('[data-prov]')[{index}])")
        if verdict != "ok":
            failures.append((point["id"], verdict))
    assert failures == [], failures[:10]


def test_every_figure_shows_a_fully_visible_card_on_keyboard_focus(built, browser):
    figures = read_figures(built / "figures.json")
    page = browser(1280, 800)
    page.open((built / "review" / "press-release-review.html").as_uri())
    page.mouse_move(1, 1)
    focused, failures = set(), []
    for _ in range(6000):
        page.key("Tab", "Tab", 9)
        state = page.js("""(function () { var el = document.activeElement;
            return {id: el.id, prov: el.hasAttribute('data-prov'), fig: el.classList.contains('fig'),
                    register: !!el.closest('#register')}; })()""")
        if state["register"]:
            break
        if state["prov"]:
            verdict = page.js(f"{CARD_VISIBLE}(document.activeElement)")
            if verdict != "ok":
                failures.append((state["id"], verdict))
            if state["fig"]:
                focused.add(int(state["id"].partition("-")[2]))
    assert failures == [], failures[:10]
    assert focused == set(figures)


def test_a_reviewer_ticks_figures_and_sections_and_exports_a_signoff_record(built, browser):
    page = browser(1280, 800)
    url = (built / "review" / "press-release-review.html").as_uri()
    page.open(url)
    page.js("localStorage.clear()")
    page.open(url)
    page.js("var who = document.getElementById('signoff-reviewer'); who.value = 'A. Reviewer';"
            "who.dispatchEvent(new Event('input'))")
    ticked = []
    for selector in ("table.fin .fig[data-prov]", "li .fig[data-prov]"):
        point = page.js(f"""(function () {{ var el = document.querySelector('{selector}');
            el.scrollIntoView({{block: 'center'}}); var r = el.getClientRects()[0];
            return {{x: r.left + 3, y: r.top + r.height / 2, id: el.id}}; }})()""")
        page.click(point["x"], point["y"])
        ticked.append(int(point["id"].partition("-")[2]))
    # a third figure by keyboard: focus it and press Enter
    third = page.js("var f = document.querySelectorAll('p .fig[data-prov]')[5]; f.focus(); f.id")
    page.key("Enter", "Enter", 13)
    ticked.append(int(third.partition("-")[2]))
    page.js("var box = document.querySelector('input.section-tick'); box.click(); box.getAttribute('data-section')")
    page.open(url)                                     # the ticks survive a reload (kept in the browser)
    assert page.js("document.querySelectorAll('.fig.reviewed').length") == 3
    assert page.js("document.getElementById('signoff-reviewer').value") == "A. Reviewer"
    page.js("document.getElementById('signoff-export').click()")
    record = json.loads(page.js("document.getElementById('signoff-record').textContent"))
    assert record["reviewer"] == "A. Reviewer" and record["exported_at"].startswith("20")
    assert record["build_hash"] == hashlib.sha256((built / "press-release.html").read_bytes()).hexdigest()
    assert sorted(f["id"] for f in record["figures"]) == sorted(ticked)
    assert all(f["reviewed_at"] and f["source"].startswith(("templates/", "releases/")) for f in record["figures"])
    assert record["figures_total"] == len(read_figures(built / "figures.json"))
    assert len(record["sections_reviewed"]) == 1 and "Business Highlights" in record["sections_reviewed"][0]["section"]
