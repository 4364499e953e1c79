"""The bounds on rendering and layout hold in any thread (``serve`` renders in a worker thread), stop what
exceeds them with the limit named, and leave nothing behind: no exception pending, no child process."""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from qfin_docs.model import BadInput
from qfin_docs.render import templating
from qfin_docs.render.pdf import PdfError, render_pdf
from qfin_docs.render import tracing
from qfin_docs.render.templating import ASSETS, Limits, RenderLimit
from qfin_docs.render.tracing import Deadline, RenderTimeout
from qfin_docs.verify import drafts


def in_thread(function):
    """``function()`` run in a new thread (not the main one): its result or the exception it raised."""
    outcome: dict = {}

    def run():
        try:
            outcome["value"] = function()
        except BaseException as exc:  # noqa: BLE001 - handed back to the test
            outcome["error"] = exc
    worker = threading.Thread(target=run)
    worker.start()
    worker.join(120)
    assert not worker.is_alive()
    return outcome


def env_for(tmp_path: Path, text: str):
    (tmp_path / "t.html.j2").write_text(text, encoding="utf-8")
    return templating.make_env([tmp_path], tmp_path).get_template("t.html.j2")


def test_render_deadline_holds_off_the_main_thread(tmp_path, monkeypatch):
    monkeypatch.setattr(templating, "LIMITS", Limits(render_seconds=0.5))
    template = env_for(tmp_path, "<p>\n{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}\n</p>\n")
    started = time.monotonic()
    outcome = in_thread(lambda: tracing.render_traced(template, {}))
    assert time.monotonic() - started < 5
    error = outcome["error"]
    assert isinstance(error, RenderLimit) and error.code == "QF-RENDER-TIME"
    assert tracing.locate(error).line == 2          # the loop's line


def test_deadline_leaves_nothing_pending():
    for seconds in (0.0, 0.0005, 0.001, 0.002, 0.005, 0.02):   # the watchdog fires around the start or end
        for _ in range(40):
            try:
                Deadline(seconds).run(sum, range(20000))
            except RenderTimeout:
                pass
            time.sleep(0.001)                          # a pending exception would be raised here
    assert threading.active_count() < 10               # each watchdog has ended


def test_a_finished_render_is_not_interrupted_later(tmp_path):
    template = env_for(tmp_path, "<p>{{ 'a' }}</p>\n")
    assert tracing.render_traced(template, {}).text == "<p>a</p>\n"
    time.sleep(0.2)


def test_source_map_puts_every_piece_at_its_line(tmp_path):
    (tmp_path / "inner.html.j2").write_text("<i>one</i>\n<i>{{ 'fi' ~ 'le:/x' }}</i>\n", encoding="utf-8")
    template = env_for(tmp_path, "<p>a</p>\n{% include 'inner.html.j2' %}\n<p>{{ 'late' }}</p>\n")
    rendered = tracing.render_traced(template, {})
    assert rendered.sources.find("le:/x").file.endswith("inner.html.j2")
    assert rendered.sources.find("le:/x").line == 2
    assert rendered.sources.find("late").line == 3
    assert rendered.sources.find("<p>a").line == 1


HTML = '<html lang="en"><body>{}</body></html>'


def test_layout_page_limit_off_the_main_thread(monkeypatch):
    monkeypatch.setattr(templating, "LIMITS", Limits(layout_pages=3))
    html = HTML.format('<p style="break-after: page">A page.</p>' * 10)
    outcome = in_thread(lambda: render_pdf(html, ASSETS))
    error = outcome["error"]
    assert isinstance(error, PdfError) and error.limit
    assert error.messages == ["the PDF would have over 3 pages (the limit)"]
    monkeypatch.setattr(templating, "LIMITS", Limits(layout_pages=10))
    assert render_pdf(html, ASSETS).startswith(b"%PDF")      # ten pages fit


def test_layout_time_limit_kills_the_layout(monkeypatch):
    monkeypatch.setattr(templating, "LIMITS", Limits(layout_seconds=1))
    html = HTML.format('<p style="break-after: page">A page.</p>' * 20000)
    started = time.monotonic()
    outcome = in_thread(lambda: render_pdf(html, ASSETS))
    assert time.monotonic() - started < 10
    assert outcome["error"].messages == ["laying out the PDF took over 1 s (the limit)"]
    assert not _children()                                   # killed and reaped


def test_layout_memory_limit(monkeypatch):
    monkeypatch.setattr(templating, "LIMITS", Limits(layout_megabytes=30, layout_seconds=60))
    html = HTML.format("<table>" + "<tr><td>cell</td><td>cell</td></tr>" * 20000 + "</table>")
    with pytest.raises(PdfError) as caught:
        render_pdf(html, ASSETS)
    assert caught.value.limit
    assert caught.value.messages == ["laying out the PDF needed over 30 MB (the limit)"]
    assert not _children()


def test_nested_css_is_refused_at_its_place():
    html = HTML.format('<p>ok</p>\n<p style="width: ' + "calc(" * 200 + "1px" + ")" * 200 + '">x</p>')
    with pytest.raises(PdfError) as caught:
        render_pdf(html, ASSETS)
    assert caught.value.messages == ["CSS nested over 32 brackets deep"]
    assert html[caught.value.at - 40:caught.value.at].count("calc(") >= 4


def _children() -> list[str]:
    pid = os.getpid()
    return [entry for entry in os.listdir("/proc") if entry.isdigit() and _parent(entry) == pid]


def _parent(pid: str) -> int:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


# ---------------------------------------------------------------------- drafts: one decoder
TEXT = '<html><head><meta charset="{}"></head><body>\n<p>Net income was RMB1,376.5 million, café.</p>\n</body></html>\n'


@pytest.mark.parametrize("encoding, bom, declared", [
    ("utf-16-le", b"\xff\xfe", "utf-8"), ("utf-16-be", b"\xfe\xff", "utf-8"), ("utf-32-le", b"\xff\xfe\x00\x00", "utf-8"),
    ("utf-8", b"\xef\xbb\xbf", "utf-8"), ("cp1252", b"", "windows-1252"), ("latin-1", b"", "iso-8859-1")])
def test_html_drafts_are_decoded_by_bom_then_declared_charset(tmp_path, encoding, bom, declared):
    path = tmp_path / "draft.html"
    path.write_bytes(bom + TEXT.format(declared).encode(encoding))
    paragraphs, rows = drafts.read_draft(path)
    assert [p.text for p in paragraphs] == ["Net income was RMB1,376.5 million, café."]
    assert paragraphs[0].line == 2


def test_text_drafts_are_decoded_by_bom(tmp_path):
    path = tmp_path / "draft.txt"
    path.write_bytes(b"\xff\xfe" + "Title\nNet income was RMB1,376.5 million.\n".encode("utf-16-le"))
    paragraphs, _ = drafts.read_draft(path)
    assert [p.text for p in paragraphs] == ["Title", "Net income was RMB1,376.5 million."]


def test_a_draft_that_does_not_decode_is_refused_at_its_line(tmp_path):
    path = tmp_path / "draft.html"
    path.write_bytes(TEXT.format("utf-8").encode("utf-8").replace("café".encode(), b"caf\xe9"))
    with pytest.raises(BadInput) as caught:
        drafts.read_draft(path)
    assert [str(p) for p in caught.value.problems] == [
        f"{path}:2: QF-DRAFT-ENCODING invalid UTF-8 byte 0xe9 at byte 89: not an HTML UTF-8 text draft"]


def test_serve_worker_thread_stops_a_runaway_template(tmp_path, monkeypatch):
    """``serve`` previews in its watcher thread: the render deadline holds there and the problem is shown."""
    import shutil
    from conftest import MINI
    from qfin_docs import serve
    release = tmp_path / "release"
    shutil.copytree(MINI, release)
    prose = release / "prose" / "release.html.j2"
    prose.write_text(prose.read_text(encoding="utf-8") + "{% for i in range(100000) %}{% for j in range(100000) %}"
                     "{% endfor %}{% endfor %}\n", encoding="utf-8")
    monkeypatch.setattr(templating, "LIMITS", Limits(render_seconds=1))
    state = serve.State()
    started = time.monotonic()
    outcome = in_thread(lambda: serve.preview(release, state))        # the watcher thread's fast stage
    assert "error" not in outcome and time.monotonic() - started < 30
    assert [p.split(": ", 1)[1] for p in state.problems] == ["QF-RENDER-TIME rendering took over 1 s"]
    assert state.problems[0].startswith(f"{release / 'prose' / 'release.html.j2'}:6:")
