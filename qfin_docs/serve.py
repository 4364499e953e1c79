"""``qfin-docs serve``: a live preview of one release on 127.0.0.1, rebuilt whenever its sources change.

* Serves the build folder only (the link ``--out`` points at): a path with ``..``, an absolute path or a
  symbolic link out of it is refused; the server binds the loopback address and nothing else.
* Watches the release folder and the shared templates and schema by polling (every ``POLL_SECONDS``).
  On a change it first renders the HTML and runs the strict check on it (well under a second), serving
  that preview at once; then it builds everything (PDF, Inline XBRL, the viewer) into the build folder in
  a process of its own, which a newer edit stops and starts again (the preview never waits for it).  Until
  the slow outputs match the sources, their pages carry an "updating" mark and the index says so.
* Every page served (the Inline XBRL too) shows the current problems (``file:line: CODE message``) at its
  top; a failed build keeps the last good pages; pages reload by themselves when a new version is ready.
* Ctrl-C stops the server and its watcher; nothing is left running.
"""
from __future__ import annotations

import gc
import html
import http.server
import json
import mimetypes
import os
import signal
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .facts.load import load
from .facts.validcache import validated_in_memory
from .model import BadInput
from .render.templating import TEMPLATES, CompiledTemplates

POLL_SECONDS = 0.1
SLOW_NICENESS = 10     # the slow stage yields the processor to the preview of a new edit
STALE = -1             # what the slow stage waits for while the preview of a change is being made: nothing
HOST = "127.0.0.1"
RELOAD = """<script>(function(){var v=%s;setInterval(function(){fetch('/__version').then(function(r){
return r.text()}).then(function(t){if(t!==String(v)){location.reload()}}).catch(function(){})},1000)})();</script>"""


@dataclass
class State:
    """What the server shows: the last good preview HTML, the problems of the current sources, a version
    (pages reload when it changes), and how far the slow outputs (PDF, Inline XBRL, viewer) have caught up."""

    preview: bytes = b""
    problems: list[str] = field(default_factory=list)
    version: int = 0
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    edits: int = 0                  # the sources' versions previewed so far
    built: int = 0                  # the version the slow outputs match (< edits: they are updating)
    preview_failed: bool = False    # the current sources do not render: the last good preview is shown
    build_problems: list[str] = field(default_factory=list)     # of the last slow build ([] when it passed)

    def publish(self, preview: bytes | None, problems: list[str]) -> None:
        with self.lock:
            if preview is not None:
                self.preview = preview
            self.preview_failed = preview is None
            self.problems = problems
            self.edits += 1
            self.version += 1

    def slow_done(self, edit: int, problems: list[str]) -> None:
        with self.lock:
            self.built, self.build_problems = edit, problems
            self.version += 1

    @property
    def updating(self) -> bool:
        return self.built < self.edits


def snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every file under the folders: what the watcher compares."""
    found = {}
    for folder in folders:
        for root, dirs, files in os.walk(folder):
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            for name in files:
                path = os.path.join(root, name)
                try:
                    status = os.stat(path)
                except OSError:
                    continue
                found[path] = (status.st_mtime_ns, status.st_size)
    return found


def preview(release_dir: Path, state: State, draft: bool = False, compiled=None, valid: set | None = None) -> None:
    """The fast stage: the HTML rendered and strictly checked, served at once (well under a second);
    ``compiled``: the templates compiled by earlier previews (a template is compiled again when its text changes);
    ``valid``: the keys of the YAML bytes that passed their schema in earlier previews (validated again when
    their bytes change)."""
    from .facts import checks
    from .render import html as render
    from .verify.report import Report
    from .verify.strict import check_html
    gc.unfreeze()       # load() freezes the fact base of a one-shot run; a server reloads many times
    try:
        with validated_in_memory(set() if valid is None else valid):
            loaded = load(release_dir, draft)
        fact_problems = checks.check_facts(loaded.release, loaded.taxonomy)
        errors = [p for p in fact_problems if p.severity.value == "error"]
        if errors and not loaded.release.draft:
            raise BadInput(errors)
        rendered, problems = render.render(loaded.release, loaded.taxonomy, "html", compiled)
        if rendered is None:
            raise BadInput(problems)
        report = Report()
        check_html(rendered.text.encode("utf-8"), {f.id: f for f in rendered.figures}, loaded, report,
                   "press-release.html")
        state.publish(rendered.text.encode("utf-8"), [str(p) for p in errors + report.findings])
    except BadInput as exc:
        state.publish(None, [str(p) for p in exc.problems])
    except Exception as exc:     # a bug must not stop the preview: show it like a problem
        state.publish(None, [f"INTERNAL {type(exc).__name__}: {exc}"])


class SlowStage(threading.Thread):
    """The slow outputs (the whole build: PDF, Inline XBRL; then the viewer), each run as its own process so
    that a new edit stops it at once and starts it again on the new sources: the preview never waits."""

    def __init__(self, release_dir: Path, out_dir: Path, state: State, draft: bool):
        super().__init__(daemon=True)
        self.commands = [[sys.executable, "-m", "qfin_docs", command, str(release_dir), "--out", str(out_dir)]
                         + (["--draft"] if draft else []) for command in ("build", "viewer")]
        self.state, self.wanted, self.process = state, 0, None
        self.changed, self.stopped = threading.Condition(), False

    def request(self, edit: int) -> None:
        """Build for this edit; a build of an older one still running is stopped."""
        with self.changed:
            self.wanted = edit
            self._kill()
            self.changed.notify()

    def stale(self) -> None:
        """The sources changed: a build still running is stopped at once (before the preview of the change,
        which it must not slow down), and none starts until :meth:`request`."""
        with self.changed:
            self.wanted = STALE
            self._kill()

    def stop(self) -> None:
        with self.changed:
            self.stopped = True
            self._kill()
            self.changed.notify()

    def _kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)      # the build and what it started
            except ProcessLookupError:
                pass

    def run(self) -> None:
        done = 0
        while True:
            with self.changed:
                while not self.stopped and self.wanted in (done, STALE):
                    self.changed.wait()
                if self.stopped:
                    return
                edit = self.wanted
            self.state.building = True
            problems = self._run(self.commands[0], edit)
            if problems is not None and not [p for p in problems if " QF-" in p or "INTERNAL" in p]:
                self._run(self.commands[1], edit)         # the viewer is a convenience: its failure is not shown
            with self.changed:
                superseded = self.wanted != edit or self.stopped
            if problems is not None and not superseded:
                self.state.slow_done(edit, problems)
                done = edit
            self.state.building = False

    def _run(self, command: list[str], edit: int) -> list[str] | None:
        """The command's problems (its ``file:line: CODE`` lines; [] when it passed), or None when a new edit
        stopped it."""
        with self.changed:
            if self.wanted != edit or self.stopped:
                return None
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                            start_new_session=True, preexec_fn=_lower_priority)
            process = self.process
        _, err = process.communicate()
        if process.returncode < 0:          # killed: a new edit came
            return None
        return [line for line in err.decode("utf-8", "replace").splitlines() if line.strip()] \
            if process.returncode in (2, 3) else []


def _lower_priority() -> None:
    os.nice(SLOW_NICENESS)


def watch(release_dir: Path, out_dir: Path, state: State, stop: threading.Event, draft: bool = False) -> None:
    """Poll the sources; on every change the preview at once, then the slow outputs (a change while they
    build stops them and starts them again)."""
    folders = [release_dir, TEMPLATES, TEMPLATES.parent / "schema"]
    seen = snapshot(folders)
    slow = SlowStage(release_dir, out_dir, state, draft)
    slow.start()
    compiled = CompiledTemplates()      # in this process: a template is compiled again only when its text changes
    valid: set[str] = set()             # the same for the schema validation of the YAML files, by their bytes
    preview(release_dir, state, draft, compiled, valid)
    slow.request(state.edits)
    try:
        while not stop.wait(POLL_SECONDS):
            now = snapshot(folders)
            if now != seen:
                slow.stale()                    # the outputs being built are already out of date: stop them now
                while not stop.wait(0.05):      # an editor may be half-way through saving: wait until it settles
                    settled = snapshot(folders)
                    if settled == now:
                        break
                    now = settled
                seen = now
                preview(release_dir, state, draft, compiled, valid)
                slow.request(state.edits)
    finally:
        slow.stop()
        slow.join(timeout=10)


class Handler(http.server.BaseHTTPRequestHandler):
    """GET only: the index, the preview, the version, and files of the build folder."""

    server_version = "qfin-docs"
    state: State
    out_dir: Path
    document: str

    def log_message(self, format, *args):  # noqa: A002 - the base class's name
        pass

    def do_GET(self):  # noqa: N802 - the base class's name
        path = unquote(urlsplit(self.path).path)
        if path == "/__version":
            return self._send(200, str(self.state.version).encode(), "text/plain")
        if path in ("/", "/index.html"):
            return self._send(200, self._page(self._index()), "text/html; charset=utf-8")
        if path == "/press-release.html" and self.state.preview:
            return self._send(200, self._page(self.state.preview), "text/html; charset=utf-8")
        target = self._inside(path)
        if target is None:
            return self._send(403, b"refused: outside the build folder", "text/plain")
        if not target.is_file():
            return self._send(404, b"not built (yet)", "text/plain")
        data = target.read_bytes()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if target.suffix in (".htm", ".html"):
            data = self._page(data, slow=True)    # the iXBRL, viewer and review pages show problems and reload too
        return self._send(200, data, kind + ("; charset=utf-8" if kind.startswith("text/") else ""))

    def _inside(self, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts) or path.startswith("//"):
            return None
        root = self.out_dir.resolve()
        target = (root / Path(*parts)).resolve() if parts else root
        return target if target.is_relative_to(root) else None

    def _index(self) -> bytes:
        with self.state.lock:
            updating, failed = self.state.updating, list(self.state.build_problems)
            broken = self.state.preview_failed
        slow = "updating (the sources changed since they were built)" if updating else \
            f"the last build failed ({len(failed)} problems, shown on every page)" if failed else "up to date"
        links = [("press-release.html", "the release (HTML, live preview)" +
                  (": the sources do not render; the last good version" if broken else ": current")),
                 ("press-release.pdf", "the PDF"), (f"{self.document}.htm", "the Inline XBRL document"),
                 (f"viewer/{self.document}-viewer.htm", "the interactive viewer (ixbrl-viewer)")]
        review = self.out_dir / "review"
        if review.is_dir():
            links += [(f"review/{p.name}", "review: " + p.name) for p in sorted(review.iterdir()) if p.is_file()]
        items = "".join(f'<li><a href="/{html.escape(href)}">{html.escape(text)}</a>'
                        + (f' <span class="qfin-updating">({html.escape(slow)})</span>' if number and (updating or failed)
                           else "") + "</li>" for number, (href, text) in enumerate(links))
        status = "Preview: " + ("the sources do not render (problems above)" if broken else "current") + \
            f"; PDF, Inline XBRL, viewer: {slow}"
        return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>qfin-docs serve</title></head>"
                f"<body><h1>qfin-docs serve</h1><p id='qfin-status'>Build: {html.escape(status)}</p><ul>{items}</ul>"
                "</body></html>").encode()

    def _page(self, data: bytes, slow: bool = False) -> bytes:
        """A page with the current problems on top, an "updating" mark on a slow output that does not match
        the sources yet, and the reload script."""
        with self.state.lock:
            problems = list(self.state.problems) + [p for p in self.state.build_problems
                                                    if p not in self.state.problems]
            version, broken, updating = self.state.version, self.state.preview_failed, self.state.updating
        banner = ""
        if problems:
            rows = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems[:50])
            title = "The sources do not build; showing the last good version." if broken or \
                (slow and self.state.build_problems) else "Problems of the current sources:"
            banner = ('<div id="qfin-problems" style="background:#fee;border:2px solid #c00;padding:0.5em;'
                      f'font:13px sans-serif"><strong>{title}</strong><ul>{rows}</ul></div>')
        if slow and updating:
            banner += ('<div id="qfin-updating" style="background:#ffe08a;border:2px solid #a60;padding:0.5em;'
                       'font:13px sans-serif"><strong>Updating:</strong> this page was built before the last '
                       'edit; it reloads when it matches the sources.</div>')
        script = RELOAD % json.dumps(version)
        text = data.decode("utf-8", "replace")
        head = text.lower().find("<body")
        at = text.find(">", head) + 1 if head >= 0 else 0
        return (text[:at] + banner + text[at:] + script).encode("utf-8")

    def _send(self, status: int, body: bytes, kind: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def serve(release_dir: Path, out_dir: Path, port: int = 0, announce=print, draft: bool = False) -> None:
    """Serve until interrupted (Ctrl-C); ``port`` 0 picks a free one."""
    from .render.ixbrl import document_name
    from .outdir import out_problems
    refused = out_problems(out_dir, release_dir)
    if refused:
        raise BadInput(refused)
    loaded = load(release_dir, draft)       # a release that cannot load at all is a problem before serving
    state = State()
    handler = type("BoundHandler", (Handler,), {"state": state, "out_dir": out_dir,
                                                 "document": document_name(loaded.release)})
    server = http.server.ThreadingHTTPServer((HOST, port), handler)
    server.daemon_threads = True
    stop = threading.Event()
    watcher = threading.Thread(target=watch, args=(release_dir, out_dir, state, stop, draft), daemon=True)
    watcher.start()
    base = f"http://{HOST}:{server.server_address[1]}"
    announce(f"serving {release_dir} on {base}/ (Ctrl-C to stop)")
    for path in ("", "press-release.html", "press-release.pdf", f"{document_name(loaded.release)}.htm",
                 f"viewer/{document_name(loaded.release)}-viewer.htm"):
        announce(f"  {base}/{path}")
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.server_close()
        watcher.join(timeout=60)
