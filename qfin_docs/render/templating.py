"""The one Jinja2 environment, built so that a template is data, never code.

* **Sandboxed**: Jinja2's ``ImmutableSandboxedEnvironment`` (no ``__globals__``, no ``__class__``, no
  mutation of what the context holds), with only the project's helpers in the context: Jinja's default
  globals (``cycler``, ``joiner``, ``lipsum``, ``namespace``, ``dict``) and the ``safe`` filter are removed.
* **Confined**: templates load only from the given folders; a name with ``..``, an absolute path or a
  symbolic link that leads outside them is refused.
* **Clean text**: a template must be UTF-8 without control characters or HTML named entities (the Inline
  XBRL document is XML: write the character itself, or ``&#160;``), and the release's prose may hold no
  active content (scripts, event handlers, ``javascript:`` URLs, frames, objects, forms) and no
  ``<style>``/``<link>``/``<meta>``/``<base>``, each refused at its line.
* **Bounded** (see ``LIMITS``): template size, nesting of markup, ``range()`` length (Jinja's sandbox),
  the size of numbers and strings made by ``*`` and ``**``, nesting of includes and macro calls, the size
  of the output, and render time (a watchdog thread, so that the limit holds in any thread, e.g. ``serve``'s).
* **Located**: every problem of a render is put at one template line, by one mechanism: an exception by
  the template frames of its traceback (:func:`locate`), a position in the output (an element WeasyPrint
  or lxml refused) by the :class:`SourceMap` the render recorded (which template line wrote each piece).
"""
from __future__ import annotations

import bisect
import ctypes
import os
import re
import sys
import threading
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, NamedTuple

import jinja2
import jinja2.compiler
import jinja2.sandbox

from ..model import Source, shown_path


PROJECT = Path(__file__).resolve().parent.parent.parent
TEMPLATES = PROJECT / "templates"       # layout, statements, boilerplate shared by every release
ASSETS = TEMPLATES / "assets"           # the only folder the PDF stage may read


@dataclass(frozen=True)
class Limits:
    """Bounds on what a template may ask for: generous for a real release, fatal for a runaway one."""

    template_bytes: int = 1_000_000        # the Q2 2024 prose is ~40 KB
    markup_depth: int = 48                 # nesting of elements written in one template
    output_chars: int = 20_000_000         # the Q2 2024 HTML is ~0.4 MB
    render_seconds: float = 30.0           # the Q2 2024 HTML renders in ~0.1 s
    range_items: int = 100_000             # Jinja's sandbox MAX_RANGE
    operand_chars: int = 100_000           # a string or list made by '*'
    power_digits: int = 100                # an integer made by '**'
    template_depth: int = 32               # includes and macro calls nested (the Q2 2024 release: 4)
    layout_pages: int = 300                # PDF pages (the Q2 2024 PDF has 11)
    layout_seconds: float = 120.0          # laying out the PDF (the Q2 2024 PDF: 3-8 s on 2 busy cores)
    layout_megabytes: int = 1500           # memory the PDF layout may add (the Q2 2024 PDF: ~120 MB)


LIMITS = Limits()

# Literal markup a release's prose may not hold (the shared templates may use <style> and <meta>).
ACTIVE = re.compile(r"<\s*(script|iframe|frame|frameset|object|embed|applet|form|svg|math)\b"
                    r"|<[^<>]*\son[a-z]+\s*=|(?:href|src|action|formaction|data)\s*=\s*[\"']?\s*(?:javascript|vbscript|data):",
                    re.IGNORECASE)
PROSE_ONLY = re.compile(r"<\s*(style|link|meta|base)\b", re.IGNORECASE)
ENTITY = re.compile(r"&([A-Za-z][A-Za-z0-9]*);")
XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^<>]*?(/?)>")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"})


class TemplateRefused(jinja2.TemplateSyntaxError):
    """A template that is not acceptable data; ``code`` says why."""

    def __init__(self, code: str, message: str, lineno: int, filename: str):
        super().__init__(message, lineno, name=None, filename=filename)
        self.code = code


class RenderLimit(Exception):
    """A render exceeded one of ``LIMITS``: at ``where`` when given, else at the template line of the traceback."""

    def __init__(self, code: str, message: str, where: Source | None = None):
        super().__init__(message)
        self.code, self.where = code, where


class RenderTimeout(RenderLimit):
    """Raised asynchronously (so with no arguments) in a thread whose :class:`Deadline` passed."""

    seconds: float = 0.0

    def __init__(self) -> None:
        super().__init__("QF-RENDER-TIME", f"rendering took over {self.seconds:g} s")


class ConfinedLoader(jinja2.BaseLoader):
    """Loads ``*.j2`` (and assets) from the given folders only, and checks each template's text."""

    def __init__(self, folders: list[Path], prose: Path, limits: Limits | None = None):
        self.folders = [Path(f).resolve() for f in folders]
        self.prose = Path(prose).resolve()
        self.limits = limits or LIMITS

    environment: jinja2.Environment | None = None

    def get_source(self, environment, template):
        self.environment = environment
        parts = template.split("/")
        if template.startswith("/") or any(p in ("", ".", "..") or "\\" in p for p in parts):
            raise jinja2.TemplateNotFound(template)
        for folder in self.folders:
            path = folder.joinpath(*parts)
            if not os.path.lexists(path):
                continue
            try:
                real = path.resolve(strict=True)
            except (OSError, RuntimeError) as exc:      # a dangling link, a loop of links, no permission
                raise TemplateRefused("QF-TEMPLATE-READ", f"cannot read the template: "
                                      f"{getattr(exc, 'strerror', None) or exc}", 0, str(path)) from None
            if not real.is_relative_to(folder):
                raise TemplateRefused("QF-TEMPLATE-OUTSIDE", f"'{template}' leads outside {folder.name}/ "
                                      "(symbolic links out of the template folders are refused)", 1, str(path))
            if not real.is_file():
                raise TemplateRefused("QF-TEMPLATE-READ", "cannot read the template: not a file", 0, str(path))
            return self._text(path, real), str(path), lambda: True
        raise jinja2.TemplateNotFound(template)

    def _text(self, path: Path, real: Path) -> str:
        try:
            size = real.stat().st_size
            if size > self.limits.template_bytes:
                raise TemplateRefused("QF-TEMPLATE-SIZE", f"template is {size:,} bytes, over the "
                                      f"{self.limits.template_bytes:,}-byte limit", 1, str(path))
            with open(real, "rb") as handle:
                raw = handle.read(self.limits.template_bytes + 1)
        except OSError as exc:
            raise TemplateRefused("QF-TEMPLATE-READ", f"cannot read the template: {exc.strerror or exc}",
                                  0, str(path)) from None
        if len(raw) > self.limits.template_bytes:       # grew since stat, or a device that never ends
            raise TemplateRefused("QF-TEMPLATE-SIZE", f"template is over the {self.limits.template_bytes:,}-byte "
                                  "limit", 1, str(path))
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise TemplateRefused("QF-TEMPLATE-ENCODING", f"invalid UTF-8 byte 0x{raw[exc.start]:02x}: save the "
                                  "template as UTF-8", raw[:exc.start].count(b"\n") + 1, str(path)) from None
        if path.suffix == ".j2":
            check_template_text(text, str(path), in_prose=real.is_relative_to(self.prose),
                                max_depth=self.limits.markup_depth)
            check_typed_numbers(self.environment, text, str(path))
        return text


def check_template_text(text: str, filename: str, in_prose: bool, max_depth: int) -> None:
    """Raise :class:`TemplateRefused` at the first line of a template that is not clean data."""
    for number, line in enumerate(text.split("\n"), 1):
        control = CONTROL.search(line)
        if control:
            raise TemplateRefused("QF-TEMPLATE-CONTROL", f"control character U+{ord(control.group()):04X} "
                                  f"at column {control.start() + 1}", number, filename)
        entity = next((m for m in ENTITY.finditer(line) if m.group(1) not in XML_ENTITIES), None)
        if entity:
            raise TemplateRefused("QF-TEMPLATE-ENTITY", f"'&{entity.group(1)};' is an HTML entity, which the Inline "
                                  "XBRL document (XML) does not define: write the character or a numeric "
                                  "reference (e.g. &#160;)", number, filename)
        if in_prose:
            active = ACTIVE.search(line) or PROSE_ONLY.search(line)
            if active:
                raise TemplateRefused("QF-PROSE-ACTIVE", f"'{active.group().strip()}' is not allowed in a release's "
                                      "prose (no scripts, event handlers, frames, forms, styles or links)",
                                      number, filename)
    _check_depth(text, filename, max_depth)


# Numbers a template may type because they can never be a figure of the release (generic kinds only).
GENERIC = re.compile(r"<span class=\"fn\">[0-9]{1,2}</span>"                      # a footnote marker
                     r"|\b[0-9]{1,2}:[0-9]{2}\s?(?:AM|PM|a\.m\.|p\.m\.)"             # a time of day
                     r"|(?:https?://|www\.)[^\s<\"']+|[\w.+-]+@[\w-]+\.[\w.]+"         # a URL, an e-mail address
                     r"|\+[0-9][0-9 ()-]{6,}[0-9]")                              # a telephone number
MARKUP = re.compile(r"<[^<>]*>|&#?[A-Za-z0-9]+;")


def check_typed_numbers(environment, text: str, filename: str) -> None:
    """Raise :class:`TemplateRefused` at the first digit typed in a template's text (outside tags and Jinja
    expressions) that is not one of the generic kinds: a number a reader sees comes from a helper."""
    try:
        tokens = list(environment.lex(text))
    except jinja2.TemplateSyntaxError:
        return        # the parser reports it, at its line
    data, lines = [], []           # the template's literal text, Jinja replaced by a blank, and each char's line
    for line, kind, value in tokens:
        piece = value if kind == "data" else " " if kind in ("variable_begin", "block_begin") else ""
        data.append(piece)
        for offset, char in enumerate(piece):
            lines.append(line + piece.count("\n", 0, offset))
    plain = "".join(data)
    plain = GENERIC.sub(lambda m: " " * len(m.group()), plain)
    plain = MARKUP.sub(lambda m: " " * len(m.group()), plain)
    typed = re.search(r"[^\s]*[0-9][^\s]*", plain)
    if typed:
        raise TemplateRefused("QF-TYPED-NUMBER", f"'{typed.group().strip(',.;:()')}' is typed: a number the "
                              "reader sees comes from a fact, a derivation, when(), year() or const() "
                              "(release.yaml constants:)", lines[typed.start()], filename)


def _check_depth(text: str, filename: str, max_depth: int) -> None:
    depth = 0
    for match in TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in VOID or self_closing:
            continue
        depth += -1 if closing else 1
        if depth > max_depth:
            raise TemplateRefused("QF-TEMPLATE-DEPTH", f"markup nested over {max_depth} levels deep",
                                  text.count("\n", 0, match.start()) + 1, filename)


class _CodeGenerator(jinja2.compiler.CodeGenerator):
    """Jinja's code generator, recording each piece of output's template line: Jinja records the lines of
    statements and expressions only, so literal text would count as written on the line of the last of those."""

    def visit_Output(self, node, frame):
        self.writeline("pass", node)
        super().visit_Output(node, frame)


class Environment(jinja2.sandbox.ImmutableSandboxedEnvironment):
    """The sandbox, with '*' and '**' bounded so that one expression cannot exhaust memory, and includes and
    macro calls nested at most ``template_depth`` deep (refused at the include or call that goes too deep,
    whatever the stack held before the render: the location never depends on what ran earlier)."""

    intercepted_binops = frozenset(["*", "**"])
    code_generator_class = _CodeGenerator

    @property
    def limits(self) -> Limits:
        return LIMITS

    def call_binop(self, context, operator, left, right):
        if operator == "**":
            if isinstance(left, (int, float)) and isinstance(right, (int, float)) and \
                    abs(right) * len(str(abs(int(left)) or 1)) > self.limits.power_digits:
                raise RenderLimit("QF-RENDER-LIMIT", f"{left} ** {right} is too large")
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and \
                        len(seq) * times > self.limits.operand_chars:
                    raise RenderLimit("QF-RENDER-LIMIT", f"a sequence of {len(seq) * times:,} items is too large")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        if isinstance(__obj, jinja2.runtime.Macro):
            __self._check_depth()
        return super().call(__context, __obj, *args, **kwargs)

    def get_template(self, name, parent=None, globals=None):  # noqa: A002 - Jinja's signature
        self._check_depth()          # an {% include %} or {% import %} while rendering
        return super().get_template(name, parent, globals)

    def _check_depth(self) -> None:
        depth, frame = 0, sys._getframe(2)
        while frame is not None:
            depth += frame.f_code.co_filename.endswith(".j2")
            frame = frame.f_back
        if depth >= self.limits.template_depth:
            raise RenderLimit("QF-RENDER-RECURSION", f"templates include or call themselves without end "
                              f"(nested over {self.limits.template_depth} deep)")


def make_env(folders: list[Path], prose: Path) -> Environment:
    """The one Jinja2 environment: sandboxed, strict undefined, autoescape, confined loader, no default globals."""
    env = Environment(loader=ConfinedLoader(folders, prose), undefined=jinja2.StrictUndefined,
                      autoescape=jinja2.select_autoescape(("html", "xhtml", "xml", "j2")), auto_reload=False,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
    env.globals.clear()
    env.globals["range"] = bounded_range
    env.filters.pop("safe", None)
    return env


def bounded_range(*args: int) -> range:
    """``range()`` for templates, refused over ``LIMITS.range_items`` items."""
    items = range(*args)
    if len(items) > LIMITS.range_items:
        raise RenderLimit("QF-RENDER-LIMIT", f"range of {len(items):,} items is over the {LIMITS.range_items:,} "
                          "limit")
    return items


# ---------------------------------------------------------------------- where a problem is
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


def render_bounded(template: jinja2.Template, context: dict, limits: Limits | None = None) -> str:
    """Render with the output size and the render time bounded."""
    return render_traced(template, context, limits).text


def render_traced(template: jinja2.Template, context: dict, limits: Limits | None = None,
                  embedded: Rendering | None = None) -> Rendering:
    """Render with the output size and the render time bounded (in any thread), recording which template line
    wrote each piece; a piece that is ``embedded.text`` (a body rendered before) keeps the body's lines."""
    limits = limits or LIMITS
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
            seen[name] = shown_path(name)
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
        return Source(shown_path(exc.filename), exc.lineno)
    if getattr(exc, "where", None) is not None:
        return exc.where
    frames = _template_frames(exc)
    if not frames:
        return Source("templates", 0)
    chosen = frames[-1]
    if getattr(exc, "code", "") == "QF-RENDER-RECURSION":
        chosen = next((frame for i, frame in enumerate(frames) if frame in frames[i + 1:]), chosen)
    return Source(shown_path(chosen[0]), chosen[1])


# ---------------------------------------------------------------------- time, in any thread
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


def find_in_templates(template_dirs: list[Path], matches: Callable[[str], bool]) -> Source | None:
    """The first template line (``*.j2`` under the folders, in order) for which ``matches`` is true."""
    for folder in template_dirs:
        for path in sorted(Path(folder).rglob("*.j2")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if matches(line):
                    return Source(shown_path(path), number)
    return None
