"""``qfin-docs serve``: a live preview of one release on 127.0.0.1, rebuilt whenever its sources change.

* Serves the build folder only (the link ``--out`` points at): a path with ``..``, an absolute path or a
  symbolic link out of it is refused; the server binds the loopback address and nothing else.
* Watches the release folder and the shared templates and schema by polling (every ``POLL_SECONDS``).
  On a change it first renders the HTML and runs the strict check on it (well under a second), serving
  that preview at once; then it builds everything (PDF, Inline XBRL, the viewer) into the build folder.
* A failed build keeps the last good pages and shows the located problems (``file:line: CODE message``)
  at the top of every page; pages reload by themselves when a new version is ready.
* Ctrl-C stops the server and its watcher; nothing is left running.
"""
from __future__ import annotations

import gc
import html
import http.server
import json
import mimetypes
import os
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .facts.load import load
from .model import BadInput
from .render.templating import TEMPLATES

POLL_SECONDS = 0.5
HOST = "127.0.0.1"
RELOAD = """<script>(function(){var v=%s;setInterval(function(){fetch('/__version').then(function(r){
return r.text()}).then(function(t){if(t!==String(v)){location.reload()}}).catch(function(){})},1000)})();</script>"""


@dataclass
class State:
    """What the server shows: the last good preview HTML, the problems of the last attempt, a version."""

    preview: bytes = b""
    problems: list[str] = field(default_factory=list)
    version: int = 0
    building: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def publish(self, preview: bytes | None, problems: list[str]) -> None:
        with self.lock:
            if preview is not None:
                self.preview = preview
            self.problems = problems
            self.version += 1


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


def rebuild(release_dir: Path, out_dir: Path, state: State, draft: bool = False) -> None:
    """The preview first (HTML + strict check), then the whole build and the viewer."""
    from .facts import checks
    from . import pipeline
    from .render import html as render
    from .verify.report import Report
    from .verify.strict import check_html
    state.building = True
    gc.unfreeze()       # load() freezes the fact base of a one-shot run; a server reloads many times
    try:
        try:
            loaded = load(release_dir, draft)
            fact_problems = checks.check_facts(loaded.release, loaded.taxonomy)
            errors = [p for p in fact_problems if p.severity.value == "error"]
            if errors and not loaded.release.draft:
                raise BadInput(errors)
            rendered, problems = render.render(loaded.release, loaded.taxonomy, "html")
            if rendered is None:
                raise BadInput(problems)
            report = Report()
            check_html(rendered.text.encode("utf-8"), {f.id: f for f in rendered.figures}, loaded, report,
                       "press-release.html")
            state.publish(rendered.text.encode("utf-8"), [str(p) for p in errors + report.findings])
        except BadInput as exc:
            state.publish(None, [str(p) for p in exc.problems])
            return
        try:
            pipeline.build(release_dir, out_dir, draft)
            _viewer(release_dir, out_dir, draft)
        except BadInput as exc:
            state.publish(None, [str(p) for p in exc.problems])
            return
        state.publish(None, state.problems)
    except Exception as exc:     # a bug must not stop the preview: show it like a problem
        state.publish(None, [f"INTERNAL {type(exc).__name__}: {exc}"])
    finally:
        state.building = False


def _viewer(release_dir: Path, out_dir: Path, draft: bool = False) -> None:
    from .verify.validate import viewer
    try:
        viewer(release_dir, out_dir, draft)
    except BadInput:
        pass        # the viewer is a convenience: the release pages are served without it


def watch(release_dir: Path, out_dir: Path, state: State, stop: threading.Event, draft: bool = False) -> None:
    """Poll the sources; rebuild on every change (changes during a rebuild trigger one more)."""
    folders = [release_dir, TEMPLATES, TEMPLATES.parent / "schema"]
    seen = snapshot(folders)
    rebuild(release_dir, out_dir, state, draft)
    while not stop.wait(POLL_SECONDS):
        now = snapshot(folders)
        if now != seen:
            while not stop.wait(0.1):      # an editor may be half-way through saving: wait until it settles
                settled = snapshot(folders)
                if settled == now:
                    break
                now = settled
            seen = now
            rebuild(release_dir, out_dir, state, draft)


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
        if target.suffix in (".htm", ".html") and target.name != f"{self.document}.htm":
            data = self._page(data)     # the viewer and review pages reload too; the iXBRL file is served as built
        return self._send(200, data, kind + ("; charset=utf-8" if kind.startswith("text/") else ""))

    def _inside(self, path: str) -> Path | None:
        parts = [p for p in path.split("/") if p]
        if any(p in (".", "..") or "\\" in p or "\x00" in p for p in parts) or path.startswith("//"):
            return None
        root = self.out_dir.resolve()
        target = (root / Path(*parts)).resolve() if parts else root
        return target if target.is_relative_to(root) else None

    def _index(self) -> bytes:
        links = [("press-release.html", "the release (HTML, live preview)"), ("press-release.pdf", "the PDF"),
                 (f"{self.document}.htm", "the Inline XBRL document"),
                 (f"viewer/{self.document}-viewer.htm", "the interactive viewer (ixbrl-viewer)")]
        review = self.out_dir / "review"
        if review.is_dir():
            links += [(f"review/{p.name}", "review: " + p.name) for p in sorted(review.iterdir()) if p.is_file()]
        items = "".join(f'<li><a href="/{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in links)
        status = "building..." if self.state.building else "up to date"
        return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>qfin-docs serve</title></head>"
                f"<body><h1>qfin-docs serve</h1><p>Build: {status}</p><ul>{items}</ul></body></html>").encode()

    def _page(self, data: bytes) -> bytes:
        """A page with the problems of the last attempt on top, and the reload script."""
        with self.state.lock:
            problems, version = list(self.state.problems), self.state.version
        banner = ""
        if problems:
            rows = "".join(f"<li><code>{html.escape(p)}</code></li>" for p in problems[:50])
            banner = ('<div id="qfin-problems" style="background:#fee;border:2px solid #c00;padding:0.5em;'
                      'font:13px sans-serif"><strong>The last build failed; showing the last good version.'
                      f"</strong><ul>{rows}</ul></div>")
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
