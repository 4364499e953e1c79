"""Rendering within the limits, and where each problem of a render is.

* **Bounded**: :func:`render_traced` renders with the output size and the render time bounded; the time by a
  :class:`Deadline`, whose watchdog thread raises in the rendering thread, whichever thread that is (SIGALRM
  would work on the main thread only: ``serve`` renders in a worker thread).
* **Located**: every problem of a render is put at one template line, by one mechanism: an exception by the
  template frames of its traceback (:func:`locate`); a position in the output (what WeasyPrint or lxml
  refused: a URL however it was assembled, CSS, a glyph, a tag) by the :class:`SourceMap` the render recorded
  of which template line wrote each piece.
"""
from __future__ import annotations

import bisect
import functools
import ctypes
import sys
import threading
import traceback
from typing import Iterator, NamedTuple

import jinja2

from ..model import Source, shown_path
from . import templating
from .templating import Limits, RenderLimit


class RenderTimeout(RenderLimit):
    """Raised asynchronously (so with no arguments) in a thread whose :class:`Deadline` passed."""

    seconds: float = 0.0

    def __init__(self) -> None:
        super().__init__("QF-RENDER-TIME", f"rendering took over {self.seconds:g} s")



class SourceMap:
    """Which template line wrote each piece of a rendered text: ``at(offset)`` is the :class:`Source` of the
    character at ``offset``, ``at_line(n)`` that of the output's line ``n``."""

    def __init__(self, text: str = "", starts: list[int] | None = None, sources: list[Source] | None = None):
        self.text, self.starts, self.sources = text, starts or [], sources or []

    def at(self, offset: int) -> Source | None:
        index = bisect.bisect_right(self.starts, offset) - 1
        return self.sources[index] if index >= 0 else None

    def at_line(self, line: int) -> Source | None:
        if line < 1:
            return None
        offset = 0
        for _ in range(line - 1):
            offset = self.text.find("\n", offset) + 1
            if offset == 0:
                return None
        return self.at(offset)

    def find(self, needle: str) -> Source | None:
        """The template line that wrote the first occurrence of ``needle`` in the output."""
        offset = self.text.find(needle) if needle else -1
        return self.at(offset) if offset >= 0 else None

    def heaviest(self) -> Source | None:
        """The template line that wrote the most of the output (where a runaway loop is)."""
        weight: dict[Source, int] = {}
        ends = self.starts[1:] + [len(self.text)]
        for start, end, source in zip(self.starts, ends, self.sources):
            weight[source] = weight.get(source, 0) + end - start
        return max(weight, key=weight.get) if weight else None


class Rendering(NamedTuple):
    text: str
    sources: SourceMap


def render_traced(template: jinja2.Template, context: dict, limits: Limits | None = None,
                  embedded: Rendering | None = None) -> Rendering:
    """Render with the output size and the render time bounded (in any thread), recording which template line
    wrote each piece; a piece that is ``embedded.text`` (a body rendered before) keeps the body's lines."""
    limits = limits or templating.LIMITS
    chunks: list[str] = []
    starts: list[int] = []
    sources: list[Source] = []
    size = 0
    seen: dict = {}
    last, lasti = None, -1       # the innermost generator of the last piece, and where it was
    generator = _generate(template, context)

    def render() -> None:
        nonlocal size, last, lasti, starts, sources
        for chunk in generator:
            if embedded is not None and len(chunk) == len(embedded.text) and chunk == embedded.text:
                starts += [size + start for start in embedded.sources.starts]
                sources += embedded.sources.sources
                last = None
            elif last is not None and last.gi_frame is not None and last.gi_frame.f_lasti == lasti \
                    and (type(chunk) is not str or "\n" not in chunk):
                pass        # written where the last piece was (a loop): the last entry covers it
            else:
                source, last = _writer(generator, seen)
                lasti = last.gi_frame.f_lasti if last is not None else -1
                _mark(chunk, size, source, starts, sources)
            size += len(chunk)
            if size > limits.output_chars:   # at the template line that was writing
                generator.close()
                raise RenderLimit("QF-RENDER-LIMIT", f"output over {limits.output_chars:,} characters",
                                  sources[-1] if sources else None)
            chunks.append(chunk)

    try:
        Deadline(limits.render_seconds).run(render)
    except RenderTimeout as exc:         # raised between two pieces, outside the template: at the last piece's line
        if _template_frames(exc) or not sources:
            raise
        raise RenderLimit(exc.code, str(exc), sources[-1]) from None
    text = "".join(chunks)
    return Rendering(text, SourceMap(text, starts, sources))


def _mark(chunk: str, offset: int, source: Source, starts: list[int], sources: list[Source]) -> None:
    """Record that ``chunk``, written at ``offset``, comes from ``source``.  A plain ``str`` is the template's
    literal text (expressions give ``Markup``: autoescape is on), which Jinja yields as one piece, folded
    constants included, from the line it starts at: each of its lines is the template's next line."""
    starts.append(offset)
    sources.append(source)
    if type(chunk) is not str or not source.line:
        return
    at, lines = chunk.find("\n"), 0
    while 0 <= at < len(chunk) - 1:
        lines += 1
        starts.append(offset + at + 1)
        sources.append(Source(source.file, source.line + lines))
        at = chunk.find("\n", at + 1)


def _template_frames(exc: BaseException) -> list[tuple[str, int]]:
    return [(f.filename, f.lineno or 0) for f in traceback.extract_tb(exc.__traceback__) if f.filename.endswith(".j2")]


def _writer(generator, seen: dict) -> tuple[Source, object]:
    """The template line at which the render is suspended: the innermost template generator, found through
    ``yield from`` and through Jinja's ``for event in gen:`` of an include.  ``seen`` (one per render) keeps
    what is slow to find: whether a code forwards an include, an include's ``gen`` while its frame stays at
    that instruction, and the template line of each instruction (``f_lineno`` scans the line table).
    Returns the line and the innermost template generator."""
    found, innermost = None, None
    while generator is not None:
        frame = generator.gi_frame
        if frame is None:
            break
        code = frame.f_code
        kind = seen.get(id(code))           # by id: a code object's hash is computed from its contents
        if kind is None:
            kind = seen[id(code)] = (code.co_filename.endswith(".j2"), "gen" in code.co_varnames)
        if kind[0]:
            found, innermost = frame, generator
        inner = generator.gi_yieldfrom
        if inner is None and kind[1]:
            lasti, inner = seen.get(id(frame), (-1, None))
            if lasti != frame.f_lasti or getattr(inner, "gi_frame", None) is None:
                inner = frame.f_locals.get("gen")
                seen[id(frame)] = (frame.f_lasti, inner)
        generator = inner if getattr(inner, "gi_frame", None) is not None else None
    if found is None:
        return Source("templates", 0), None
    key = (id(found.f_code), found.f_lasti)
    source = seen.get(key)
    if source is None:
        template = found.f_globals.get("__jinja_template__")
        if template is not None and template not in seen:
            seen[template] = sorted((code_line, line) for line, code_line in template.debug_info)
        lines = seen.get(template, [])
        at = bisect.bisect_right(lines, (found.f_lineno, sys.maxsize)) - 1
        name = found.f_code.co_filename
        if name not in seen:
            seen[name] = _shown(name)
        source = seen[key] = Source(seen[name], lines[at][1] if at >= 0 else 1)
    return source, innermost


# What a template's arguments can make a helper or an operator raise: the template's problem, at its line.
ARGUMENT_ERRORS = (ArithmeticError, ValueError, TypeError, LookupError)


def _generate(template: jinja2.Template, context: dict) -> Iterator[str]:
    try:
        yield from template.generate(context)
    except RecursionError as exc:
        limit = RenderLimit("QF-RENDER-RECURSION", "templates include or call themselves without end")
        raise limit.with_traceback(exc.__traceback__) from None
    except jinja2.TemplateError:       # TemplateNotFound is a LookupError too: Jinja's own, reported as such
        raise
    except ARGUMENT_ERRORS as exc:
        detail = str(exc) if str(exc) and not str(exc).startswith("[<class") else type(exc).__name__
        limit = RenderLimit("QF-RENDER-VALUE", "a call or operation on this line cannot be computed with its "
                            f"arguments ({detail[:160]})")
        raise limit.with_traceback(exc.__traceback__) from None


def locate(exc: BaseException) -> Source:
    """The template file and line an exception of a render belongs to: a syntax error's own line; else the
    innermost template frame of its traceback (Jinja rewrites tracebacks to template lines), except for a
    recursion, which is put at the outermost template line that recurs (the include or call that loops),
    not wherever the stack happened to run out; a limit reached outside the template, where it was given."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return Source(_shown(exc.filename), exc.lineno)
    if getattr(exc, "where", None) is not None:
        return exc.where
    frames = _template_frames(exc)
    if not frames:
        return Source("templates", 0)
    chosen = frames[-1]
    if getattr(exc, "code", "") == "QF-RENDER-RECURSION":
        chosen = next((frame for i, frame in enumerate(frames) if frame in frames[i + 1:]), chosen)
    return Source(_shown(chosen[0]), chosen[1])


def _raise_in(thread_id: int, error: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread_id),
                                               ctypes.py_object(error) if error else ctypes.c_void_p(0))


class Deadline:
    """Run a function with a :class:`RenderTimeout` raised in its thread once ``seconds`` have passed, whichever
    thread it runs in: a watchdog thread raises it asynchronously (the next Python instruction of the guarded
    thread raises; SIGALRM would only work on the main thread), again every 50 ms in case code inside catches
    it, and only while the function runs: no exception is left pending, or raised, after :meth:`run` returns."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.error = type("RenderTimeout", (RenderTimeout,), {"seconds": seconds})
        self.done = threading.Event()
        self.lock = threading.Lock()
        self.armed = self.fired = False

    def run(self, function, *args):
        try:
            self._arm()
            return function(*args)
        finally:
            self.armed = False        # first (a plain store: nothing can be raised before it): no more raising
            self._disarm()

    def _arm(self) -> None:
        self.target = threading.get_ident()
        self.watchdog = threading.Thread(target=self._watch, name="qfin-docs deadline", daemon=True)
        self.armed = True
        self.watchdog.start()

    def _watch(self) -> None:
        wait = self.seconds
        while not self.done.wait(wait):
            with self.lock:
                if not self.armed or self.done.is_set():
                    return
                _raise_in(self.target, self.error)
                self.fired = True
            wait = 0.05

    def _disarm(self) -> None:
        while True:
            try:
                self.done.set()
                with self.lock:             # the watchdog raises no more; clear one raised but not yet delivered
                    if self.fired:
                        _raise_in(self.target, None)
                break
            except RenderTimeout:           # delivered just now, after the function ended: nothing to interrupt
                continue
        self.watchdog.join()


def _shown(path: str) -> str:
    """A template path as problems show it (as given when it cannot be resolved: a loop of links)."""
    try:
        return shown_path(path)
    except (OSError, RuntimeError):
        return str(path)


def template_line() -> Source:
    """The template file and line of the sentence being rendered (Jinja keeps template line numbers in its
    frames).  A figure printed inside a macro is the sentence's that calls the macro: macro frames (Jinja
    compiles each macro to a function named ``macro``) are passed over, unless nothing else is found."""
    frame = sys._getframe(2)
    inner = None
    while frame is not None:
        template = frame.f_globals.get("__jinja_template__")
        if template is not None and frame.f_code.co_filename.endswith(".j2"):
            source = Source(relative_template(frame.f_code.co_filename),
                            template.get_corresponding_lineno(frame.f_lineno))
            if frame.f_code.co_name != "macro":
                return source
            inner = inner or source
        frame = frame.f_back
    return inner or Source("")


@functools.lru_cache(maxsize=256)
def relative_template(path: str) -> str:
    """A template path as recorded in figures.json: relative to the project, whatever the working directory."""
    from pathlib import Path
    project = Path(__file__).resolve().parent.parent.parent
    try:
        return str(Path(path).resolve().relative_to(project))
    except ValueError:
        return path
