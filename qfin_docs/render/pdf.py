"""The PDF stage: WeasyPrint behind one function, with a fetcher that reads only the asset folder.

Any WeasyPrint warning (a missing glyph, unsupported CSS, a refused resource) fails the build.
"""
from __future__ import annotations

import logging
import mimetypes
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

from ..model import Problem, Source
from .templating import find_in_templates


class PdfError(Exception):
    """The PDF could not be made cleanly; ``messages`` lists every warning and error WeasyPrint gave."""

    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


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
    """Render HTML to PDF bytes.

    Args:
        html: the release HTML (CSS inline; other resources must be files under ``asset_dir``).
        asset_dir: the only folder WeasyPrint may read.
    Raises:
        PdfError: on any WeasyPrint warning or error, including a blocked URL.
    """
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
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    if handler.messages:
        raise PdfError(handler.messages)
    return data


def pdf_problems(error: PdfError, template_dirs: list[Path]) -> list[Problem]:
    """One problem per WeasyPrint message, at the template line that holds what it is about
    (the blocked URL, or the character no font has) when one does."""
    import re
    problems = []
    for message in error.messages:
        url = re.search(r"blocked URL: (\S+)", message)
        char = re.search(r"\(U\+([0-9A-F]{4,6})\)", message)
        needle = url.group(1) if url else chr(int(char.group(1), 16)) if char else None
        found = find_in_templates(template_dirs, lambda line: needle in line) if needle else None
        if url and not found:   # a relative URL is reported resolved: look for its last segment
            tail = url.group(1).rstrip("/").rsplit("/", 1)[-1]
            found = find_in_templates(template_dirs, lambda line: tail in line and
                                      any(k in line for k in ("src=", "href=", "url(", "@import")))
        problems.append(Problem(found or Source(str(template_dirs[0]), 0), "QF-PDF", message))
    return problems
