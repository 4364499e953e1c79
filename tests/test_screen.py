"""The HTML release and the Inline XBRL document on screens, in a real browser (headless Chromium): at a
phone's 400 px and a desktop's 1280 px, the page never scrolls sideways and no text lies outside the
viewport (a wide table scrolls inside its own box); the iXBRL document renders in standards mode.
Screenshots go to the build's review/ folder for people to look at."""
from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

MEASURE = """<script>
window.addEventListener('load', function () {
  var width = window.innerWidth, outside = [];
  document.querySelectorAll('body *').forEach(function (el) {
    if (el.closest('.table-scroll') || el.closest('[style*="display:none"]') || !el.getClientRects().length) return;
    var r = el.getBoundingClientRect();
    if ((r.right > width + 1 || r.left < -1) && el.children.length === 0 && el.textContent.trim())
      outside.push(el.tagName + ': ' + el.textContent.trim().slice(0, 40));
  });
  var result = 'MEASURE' + JSON.stringify({scroll: document.documentElement.scrollWidth, width: width,
    mode: document.compatMode, outside: outside.slice(0, 10)});
  document.title = result;
  if (window.parent !== window) window.parent.postMessage(result, '*');
});
</script>"""

# Headless Chromium keeps a window at least 500 px wide: narrower screens are an iframe of that width.
FRAME = """<!DOCTYPE html><html><head><title>frame</title></head><body style="margin:0">
<iframe src="%s" style="width:%dpx;height:900px;border:0"></iframe>
<script>window.addEventListener('message', function (e) { document.title = e.data; });</script></body></html>"""


def measure(page, width: int, tmp_path, screenshot=None) -> dict:
    assert CHROMIUM, "chromium is not installed: run 'make test' as root, or apt-get install chromium"
    flags = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
             f"--user-data-dir={tmp_path / f'profile-{width}'}", f"--window-size={width},900",
             "--virtual-time-budget=5000"]
    target = page
    if width < 500:
        target = page.with_name(f"frame-{width}.html")
        target.write_text(FRAME % (page.name, width), encoding="utf-8")
    dom = subprocess.run([*flags, "--allow-file-access-from-files", "--dump-dom", target.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    if screenshot is not None:
        subprocess.run([*flags, f"--screenshot={screenshot}", target.as_uri()], capture_output=True, timeout=120)
    found = re.search(r"MEASURE(\{.*?\})</title>", dom)
    assert found, dom[:500]
    return json.loads(found.group(1).replace("&quot;", '"').replace("&amp;", "&"))


@pytest.mark.parametrize("width", [400, 1280])
def test_the_html_release_fits_the_screen(built, tmp_path, width):
    page = tmp_path / "page.html"
    page.write_text((built / "press-release.html").read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"),
                    encoding="utf-8")
    review = built / "review"
    review.mkdir(exist_ok=True)
    result = measure(page, width, tmp_path, review / f"press-release-{width}px.png")
    assert result["width"] == width and result["scroll"] <= result["width"], result
    assert result["outside"] == [], result
    assert result["mode"] == "CSS1Compat"
    assert (review / f"press-release-{width}px.png").stat().st_size > 10_000


def test_the_ixbrl_document_renders_in_standards_mode(built, tmp_path):
    page = tmp_path / "doc.xhtml"
    text = (built / "qfin-20240630.htm").read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", MEASURE.replace("<script>", "<script><![CDATA[")
                                 .replace("</script>", "]]></script>") + "</body>"), encoding="utf-8")
    result = measure(page, 1280, tmp_path)
    assert result["mode"] == "CSS1Compat" and result["scroll"] <= result["width"], result
