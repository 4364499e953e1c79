"""``qfin-docs serve``: a real server process on a free loopback port, fetched over HTTP, its release edited
while it runs; and the interactive viewer opened in headless Chromium."""
from __future__ import annotations

import contextlib
import http.client
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import MINI

DOCUMENT = "qfin-20240630"


def fetch(base: str, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {what}")


@contextlib.contextmanager
def serving(release: Path, out: Path, first: str = "/press-release.pdf", seconds: float = 90):
    """A server process on ``release``, once ``first`` is served; yields (base URL, process)."""
    process = subprocess.Popen([sys.executable, "-m", "qfin_docs", "serve", str(release), "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert line.startswith("serving "), line + process.stderr.read()
        base = line.split(" on ")[1].split()[0].rstrip("/")
        wait_for(lambda: fetch(base, first)[0] == 200, seconds, f"{first} served")
        yield base, process
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        process.stdout.close()
        process.stderr.close()


@pytest.fixture()
def server(tmp_path):
    """A server on a copy of the mini release; yields (base URL, release folder, process)."""
    release = tmp_path / "release"
    shutil.copytree(MINI, release)
    with serving(release, tmp_path / "out") as (base, process):
        yield base, release, process


def test_serves_every_page_and_rebuilds_on_change(server):
    base, release, process = server
    status, index = fetch(base, "/")
    assert status == 200 and b"press-release.pdf" in index and b"viewer" in index
    status, page = fetch(base, "/press-release.html")
    assert status == 200 and b"247.6 million" in page and b"qfin-problems" not in page
    assert fetch(base, "/press-release.pdf")[1].startswith(b"%PDF")
    assert b"ix:nonFraction" in fetch(base, f"/{DOCUMENT}.htm")[1]
    wait_for(lambda: fetch(base, f"/viewer/{DOCUMENT}-viewer.htm")[0] == 200, 60, "the viewer")

    facts = release / "facts.yaml"
    started = time.monotonic()
    facts.write_text(facts.read_text(encoding="utf-8").replace("247.6 million", "250.1 million"), encoding="utf-8")
    wait_for(lambda: b"250.1 million" in fetch(base, "/press-release.html")[1], 5, "the new value served")
    assert time.monotonic() - started < 5

    good = facts.read_text(encoding="utf-8")
    facts.write_text(good.replace("facts:\n", "facts:\n  - {concept: [\n"), encoding="utf-8")
    page = wait_for(lambda: (lambda p: p if b"QF-YAML-SYNTAX" in p else None)(fetch(base, "/press-release.html")[1]),
                    5, "the problem shown")
    banner = page[page.find(b"qfin-problems"):][:600]
    assert b"facts.yaml:" in banner and b"QF-YAML-SYNTAX" in banner, banner   # located, on the page
    assert b"250.1 million" in page                                     # the last good release stays readable
    assert fetch(base, "/press-release.pdf")[1].startswith(b"%PDF")
    facts.write_text(good, encoding="utf-8")
    wait_for(lambda: b"qfin-problems" not in fetch(base, "/press-release.html")[1], 10, "the problem gone")


def raw_status(base: str, path: str) -> int:
    host, port = base.split("//")[1].split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    connection.endheaders()
    status = connection.getresponse().status
    connection.close()
    return status


def test_refuses_paths_outside_the_build_and_listens_on_loopback_only(server, tmp_path):
    base, release, process = server
    (tmp_path / "secret.txt").write_text("outside")
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "//etc/passwd", "/%2fetc/passwd",
                 "/viewer/../../secret.txt", "/\\..\\secret.txt"):
        assert raw_status(base, path) in (403, 404), path
    port = int(base.rsplit(":", 1)[1])
    listening = [line.split() for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
                 + Path("/proc/net/tcp6").read_text().splitlines()[1:]]
    ours = [fields[1] for fields in listening if fields[3] == "0A" and int(fields[1].split(":")[1], 16) == port]
    assert ours == ["0100007F:" + f"{port:04X}"], ours                 # 127.0.0.1, and nothing else


def test_ctrl_c_stops_cleanly(server):
    base, release, process = server
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=30) == 0
    with pytest.raises(OSError):
        urllib.request.urlopen(base + "/", timeout=2)


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_the_served_viewer_loads_in_chromium(server, tmp_path):
    """ixbrl-viewer, served over HTTP, opens in headless Chromium with its facts panel."""
    assert CHROMIUM, "chromium is not installed: run 'make test' as root, or apt-get install chromium"
    base, release, process = server
    wait_for(lambda: fetch(base, f"/viewer/{DOCUMENT}-viewer.htm")[0] == 200, 60, "the viewer")
    for attempt in range(3):       # the viewer fetches its data from the server: under load, give it another go
        dom = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                              "--no-first-run", "--disable-background-networking", "--disable-component-update",
                              "--disable-sync", f"--user-data-dir={tmp_path / f'profile{attempt}'}",
                              "--virtual-time-budget=20000", "--dump-dom", f"{base}/viewer/{DOCUMENT}-viewer.htm"],
                             capture_output=True, text=True, timeout=120).stdout
        if 'class="inspector-body"' in dom:
            break
    assert "Loading iXBRL Viewer" not in dom, dom[:2000]
    assert dom.count('class="fact-list-item"') >= 10 and 'class="inspector-body"' in dom, dom[:2000]


def test_an_edit_during_the_slow_build_is_previewed_at_once_and_slow_pages_say_updating(server):
    """The slow stage (PDF, iXBRL, viewer) runs in its own process and yields to a new edit: the preview of
    the edit does not wait for it; until the slow outputs match, their pages and the index say "updating";
    every page, the iXBRL included, shows the current problems; the index tells whether the last build failed."""
    base, release, process = server
    facts = release / "facts.yaml"
    good = facts.read_text(encoding="utf-8")
    facts.write_text(good.replace("247.6 million", "250.1 million"), encoding="utf-8")
    wait_for(lambda: b"250.1 million" in fetch(base, "/press-release.html")[1], 5, "the first edit previewed")
    facts.write_text(good.replace("247.6 million", "251.3 million"), encoding="utf-8")     # while it builds
    started = time.monotonic()
    wait_for(lambda: b"251.3 million" in fetch(base, "/press-release.html")[1], 5, "the second edit previewed")
    assert time.monotonic() - started < 3
    index = fetch(base, "/")[1]
    document = fetch(base, f"/{DOCUMENT}.htm")[1]
    assert b"updating" in index and b"qfin-updating" in document, index
    wait_for(lambda: b"251.3" in fetch(base, f"/{DOCUMENT}.htm")[1]
             and b"qfin-updating" not in fetch(base, f"/{DOCUMENT}.htm")[1], 90, "the slow outputs caught up")
    assert b"up to date" in fetch(base, "/")[1]
    facts.write_text(good.replace("facts:\n", "facts:\n  - {concept: [\n"), encoding="utf-8")
    wait_for(lambda: b"QF-YAML-SYNTAX" in fetch(base, f"/{DOCUMENT}.htm")[1], 10, "the problem on the iXBRL page")
    wait_for(lambda: b"failed" in fetch(base, "/")[1], 60, "the index says the build failed")
    assert b"the sources do not render" in fetch(base, "/")[1]
    facts.write_text(good, encoding="utf-8")
    wait_for(lambda: b"up to date" in fetch(base, "/")[1], 90, "the index up to date again")


def test_serve_works_on_a_draft(tmp_path):
    """A draft (placeholders, carried items) is served: its markers on the preview, DRAFT on the pages."""
    from qfin_docs.quarter import new_quarter
    from conftest import RELEASE
    release = tmp_path / "qfin-2024q3"
    new_quarter(RELEASE, release)
    with serving(release, tmp_path / "out", "/press-release.html", 60) as (base, _):
        page = wait_for(lambda: (lambda p: p if b"[TODO: " in p else None)(fetch(base, "/press-release.html")[1]),
                        30, "the draft previewed")
        assert b"DRAFT" in page and b"qfin-problems" not in page
        assert b"Carried as it was from the previous release" in page
        wait_for(lambda: fetch(base, "/press-release.pdf")[0] == 200, 120, "the draft built")


def test_the_preview_never_waits_for_the_slow_stage(tmp_path, monkeypatch):
    """A slow stage that never ends (a stand-in for a PDF build on a busy machine): an edit stops it before its
    own preview is made, the preview of the edit is published all the same, and the next slow stage runs at a
    lower priority.  Were the preview to wait for the slow stage, or run beside the stale one, this fails."""
    import os
    import threading
    from qfin_docs import serve
    release = tmp_path / "release"
    shutil.copytree(MINI, release)
    stages, stale_at_preview = [], []
    forever = [sys.executable, "-c", "import time; time.sleep(600)"]

    class Endless(serve.SlowStage):
        def __init__(self, *args):
            super().__init__(*args)
            self.commands = [forever, forever]
            stages.append(self)

    def running():
        process = stages[0].process if stages else None
        return process if process is not None and process.poll() is None else None

    real_preview = serve.preview

    def preview(*args):
        old = running()
        if stages and stages[0].wanted != 0:            # an edit's preview: the stale build must be gone already
            stale_at_preview.append(old is None or _ended(old))
        real_preview(*args)

    monkeypatch.setattr(serve, "SlowStage", Endless)
    monkeypatch.setattr(serve, "preview", preview)
    state, stop = serve.State(), threading.Event()
    watcher = threading.Thread(target=serve.watch, args=(release, tmp_path / "out", state, stop), daemon=True)
    watcher.start()
    try:
        first = wait_for(running, 30, "the first slow stage running")
        assert os.getpriority(os.PRIO_PROCESS, first.pid) >= serve.SLOW_NICENESS
        facts = release / "facts.yaml"
        facts.write_text(facts.read_text(encoding="utf-8").replace("247.6 million", "250.1 million"), encoding="utf-8")
        wait_for(lambda: b"250.1 million" in state.preview, 30, "the edit previewed while a slow stage never ends")
        assert stale_at_preview == [True] and first.returncode is not None
        second = wait_for(lambda: (lambda p: p if p is not first else None)(running()), 30, "the next slow stage")
        assert os.getpriority(os.PRIO_PROCESS, second.pid) >= serve.SLOW_NICENESS and state.updating
    finally:
        stop.set()
        watcher.join(timeout=30)
    assert not watcher.is_alive() and running() is None


def _ended(process: subprocess.Popen) -> bool:
    try:
        process.wait(timeout=10)        # killed (SIGKILL) before the preview: it ends at once
        return True
    except subprocess.TimeoutExpired:
        return False
