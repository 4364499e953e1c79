"""The PDF stage: WeasyPrint behind one function, with a fetcher that reads only the asset folder.

Any WeasyPrint warning (a missing glyph, unsupported CSS, a refused resource) fails the build.

The layout is bounded in pages, time and memory (``templating.LIMITS``), whichever thread asks for it (the
command line's, ``serve``'s worker): it runs in a child process (a fork of this one, so nothing is imported
or loaded again) with its address space limited, which counts its pages as WeasyPrint lays them out and is
killed when the time is up.  A runaway layout costs the child, never the caller.
"""
from __future__ import annotations

import logging
import mimetypes
import os
import pickle
import re
import resource
import select
import signal
import time
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..model import Problem, Source, shown_path
from . import templating
from .tracing import SourceMap

CSS_DEPTH = 32          # brackets nested in CSS (WeasyPrint validates nested functions recursively)


class PdfError(Exception):
    """The PDF could not be made cleanly; ``messages`` lists every warning and error WeasyPrint gave.
    ``limit`` when a bound of the layout was reached; ``at``, an offset in the HTML the problem is at."""

    def __init__(self, messages: list[str], limit: bool = False, at: int | None = None):
        super().__init__("; ".join(messages))
        self.messages, self.limit, self.at = messages, limit, at


class _LayoutLimit(Exception):
    pass


class _Pages(logging.Handler):
    """Counts the pages WeasyPrint lays out (its progress log) and stops the layout past the limit."""

    def __init__(self, most: int) -> None:
        super().__init__(level=logging.INFO)
        self.most = most

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg.startswith("Step 5 - Creating layout - Page") and record.args and record.args[0] > self.most:
            raise _LayoutLimit(f"the PDF would have over {self.most:,} pages (the limit)")


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _fetcher_class():
    from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

    class AssetOnlyFetcher(URLFetcher):
        """Serves files under one directory and refuses everything else (no network, no other files)."""

        def __init__(self, asset_dir: Path):
            super().__init__(allowed_protocols=("file",), allow_redirects=False, timeout=1)
            self.root = Path(asset_dir).resolve()

        def fetch(self, url, headers=None):  # never calls super().fetch(): urllib is never reached
            parts = urlsplit(url)
            path = Path(url2pathname(parts.path)).resolve()
            if parts.scheme != "file" or parts.netloc not in ("", "localhost") \
                    or not path.is_relative_to(self.root) or not path.is_file():
                raise FatalURLFetchingError(f"blocked URL: {url[:200]}")
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), {
                "Content-Type": mimetypes.guess_type(path.name)[0] or "application/octet-stream"})

    return AssetOnlyFetcher


def render_pdf(html: str, asset_dir: Path, title_source: str = "") -> bytes:
    """Render HTML to PDF bytes, within the layout limits of ``templating.LIMITS``.

    Args:
        html: the release HTML (CSS inline; other resources must be files under ``asset_dir``).
        asset_dir: the only folder WeasyPrint may read.
    Raises:
        PdfError: on any WeasyPrint warning or error, including a blocked URL, and on a limit reached.
    """
    _check_css(html)
    return _bounded(_layout, html, asset_dir)


def _check_css(html: str) -> None:
    """CSS in style attributes and elements nested at most ``CSS_DEPTH`` brackets deep."""
    for match in re.finditer(r"""\bstyle\s*=\s*(?:"([^"]*)"|'([^']*)')|<style\b[^>]*>(.*?)</style>""", html, re.S | re.I):
        group = next(i for i in (1, 2, 3) if match.group(i) is not None)
        depth = 0
        for offset, char in enumerate(match.group(group)):
            depth += char in "([{"
            depth -= depth > 0 and char in ")]}"
            if depth > CSS_DEPTH:
                raise PdfError([f"CSS nested over {CSS_DEPTH} brackets deep"], at=match.start(group) + offset)


def _bounded(function, *args) -> bytes:
    """``function(*args)`` in a forked child within the layout limits: its pages are counted, its address space
    may grow by ``layout_megabytes``, and it is killed after ``layout_seconds``."""
    limits = templating.LIMITS
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:        # the child: never returns into the caller's code
        try:
            os.close(reading)
            _child(writing, limits, function, args)
        finally:
            os._exit(0)
    os.close(writing)
    chunks: list[bytes] = []
    try:
        deadline = time.monotonic() + limits.layout_seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PdfError([f"laying out the PDF took over {limits.layout_seconds:g} s (the limit)"], limit=True)
            if select.select([reading], [], [], remaining)[0]:
                chunk = os.read(reading, 1 << 20)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(reading)
        if not chunks or os.waitpid(pid, os.WNOHANG) == (0, 0):
            _end(pid)
    if not chunks:
        raise PdfError([f"laying out the PDF needed over {limits.layout_megabytes:,} MB (the limit)"], limit=True)
    result = pickle.loads(b"".join(chunks))
    if result[0] == "ok":
        return result[1]
    if result[0] == "error":
        raise PdfError(result[1], limit=result[2])
    raise RuntimeError(f"the PDF layout failed: {result[1]}")      # a bug: reported as INTERNAL


def _end(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _child(writing: int, limits, function, args) -> None:
    with open("/proc/self/statm", encoding="ascii") as statm:
        size = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    cap = size + limits.layout_megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    pages = _Pages(limits.layout_pages)
    progress = logging.getLogger("weasyprint.progress")
    progress.setLevel(logging.INFO)
    progress.addHandler(pages)
    try:
        result = ("ok", function(*args))
    except PdfError as exc:
        result = ("error", exc.messages, exc.limit)
    except _LayoutLimit as exc:
        result = ("error", [str(exc)], True)
    except RecursionError:
        result = ("error", ["the document is nested too deep for WeasyPrint to lay out"], False)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it as a bug
        # out of memory shows as MemoryError, or (in C code) as another error: told apart by the peak size
        result = ("error", [f"laying out the PDF needed over {limits.layout_megabytes:,} MB (the limit)"], True) \
            if isinstance(exc, MemoryError) or _peak_bytes() > cap - 64 * 2**20 else \
            ("bug", f"{type(exc).__name__}: {exc}"[:300])
    with os.fdopen(writing, "wb") as pipe:
        pipe.write(pickle.dumps(result))


def _peak_bytes() -> int:
    with open("/proc/self/status", encoding="ascii") as status:
        found = re.search(r"^VmPeak:\s+([0-9]+) kB", status.read(), re.MULTILINE)
    return int(found.group(1)) * 1024 if found else 0


def _layout(html: str, asset_dir: Path) -> bytes:
    """WeasyPrint's layout, in this process: any warning or error is a :class:`PdfError`."""
    import weasyprint
    from weasyprint.urls import FatalURLFetchingError, URLFetchingError

    handler = _Collect()
    loggers = [logging.getLogger(name) for name in ("weasyprint", "weasyprint.progress", "fontTools")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        document = weasyprint.HTML(string=html, base_url=str(asset_dir.resolve()) + "/",
                                   url_fetcher=_fetcher_class()(asset_dir))
        # PDF/UA-1: tagged (headings, lists, tables with header cells), with XMP metadata that identifies the
        # file as PDF/UA, the document title shown, and the language of <html lang>
        data = document.write_pdf(pdf_variant="pdf/ua-1")
    except (FatalURLFetchingError, URLFetchingError) as exc:
        raise PdfError(handler.messages + [str(exc)]) from None
    except _LayoutLimit as exc:
        raise PdfError(handler.messages + [str(exc)], limit=True) from None
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    if handler.messages:
        raise PdfError(handler.messages)
    return data


def pdf_problems(error: PdfError, sources: SourceMap, prose: Path) -> list[Problem]:
    """One problem per WeasyPrint message, at the template line that wrote what it is about, found in the HTML
    through the render's source map: the offending CSS, the blocked URL (as written, or its last segment in a
    src, href, url() or @import), the character no font has; a limit reached, at the template line that wrote
    the most of the document.  Anything else is put at the release's prose folder."""
    problems = []
    for message in error.messages:
        url = re.search(r"blocked URL: (\S+)", message)
        char = re.search(r"\(U\+([0-9A-F]{4,6})\)", message)
        found = None
        if error.at is not None:
            found = sources.at(error.at)
        elif error.limit:
            found = sources.heaviest()
        elif url:
            found = sources.find(url.group(1)) or sources.find(url.group(1).replace("&", "&amp;"))
            tail = url.group(1).rstrip("/").rsplit("/", 1)[-1]
            written = re.search(r"""(?:\b(?:src|href)\s*=\s*["']?|url\(\s*["']?|@import\s+["']?)[^"'\s>)]*"""
                                + re.escape(tail), sources.text) if tail and not found else None
            found = found or (sources.at(written.start()) if written else None)
        elif char:
            found = sources.find(chr(int(char.group(1), 16)))
        problems.append(Problem(found or Source(shown_path(prose), 0), "QF-PDF", message))
    return problems
