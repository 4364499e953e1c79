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
* **Located**: every problem of a render is put at one template line, by one mechanism (:mod:`tracing`,
  which also renders within the time and output limits).
"""
from __future__ import annotations

import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import jinja2
import jinja2.compiler
import jinja2.sandbox

from ..facts.phrases import footnote_marks

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
        compiled = self.environment.bytecode_cache if self.environment is not None else None
        passed = (str(path), real.is_relative_to(self.prose), self.limits, text)
        if path.suffix == ".j2" and not (isinstance(compiled, CompiledTemplates) and passed in compiled.checked):
            check_template_text(text, str(path), in_prose=passed[1], max_depth=self.limits.markup_depth)
            check_typed_numbers(self.environment, text, str(path))
            check_expression_depth(self.environment, text, str(path), self.limits.markup_depth)
            if isinstance(compiled, CompiledTemplates):
                compiled.checked.add(passed)
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
    for start, end, _ in footnote_marks(plain):     # "consumers*1": a footnote marker (schema/phrases.yaml)
        plain = plain[:start] + " " * (end - start) + plain[end:]
    typed = re.search(r"[^\s]*[0-9][^\s]*", plain)
    if typed:
        raise TemplateRefused("QF-TYPED-NUMBER", f"'{typed.group().strip(',.;:()')}' is typed: a number the "
                              "reader sees comes from a fact, a derivation, when(), year() or const() "
                              "(release.yaml constants:)", lines[typed.start()], filename)


def check_expression_depth(environment, text: str, filename: str, max_depth: int) -> None:
    """Raise :class:`TemplateRefused` where brackets in Jinja expressions nest over ``max_depth`` deep (Jinja's
    parser and compiler recurse on them: deep enough, and compiling the template would exhaust the stack)."""
    try:
        tokens = list(environment.lex(text))
    except jinja2.TemplateSyntaxError:
        return        # the parser reports it, at its line
    depth = 0
    for line, kind, value in tokens:
        if kind == "operator":
            depth += value in ("(", "[", "{")
            depth -= depth > 0 and value in (")", "]", "}")
        if depth > max_depth:
            raise TemplateRefused("QF-TEMPLATE-DEPTH", f"expression brackets nested over {max_depth} deep",
                                  line, filename)


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


class CompiledTemplates(jinja2.BytecodeCache):
    """Templates compiled in this process, by name and exact text (Jinja's checksum of the source), and the
    texts that passed the loader's checks: renders that share it (``serve``'s, one per edit) compile and check
    a template again only when its text changed.  In memory only, never written."""

    def __init__(self):
        self.codes: dict[tuple[str, str], object] = {}
        self.checked: set[tuple] = set()      # (file, in the prose, limits, text) that passed the checks

    def load_bytecode(self, bucket) -> None:
        bucket.code = self.codes.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket) -> None:
        self.codes[bucket.key, bucket.checksum] = bucket.code


def make_env(folders: list[Path], prose: Path, compiled: CompiledTemplates | None = None) -> Environment:
    """The one Jinja2 environment: sandboxed, strict undefined, autoescape, confined loader, no default globals;
    ``compiled``: templates compiled and checked by earlier renders of this process."""
    env = Environment(loader=ConfinedLoader(folders, prose), undefined=jinja2.StrictUndefined,
                      autoescape=jinja2.select_autoescape(("html", "xhtml", "xml", "j2")), auto_reload=False,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, bytecode_cache=compiled)
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


def find_in_templates(template_dirs: list[Path], matches: Callable[[str], bool]) -> Source | None:
    """The first template line (``*.j2`` under the folders, in order) for which ``matches`` is true."""
    for folder in template_dirs:
        for path in sorted(Path(folder).rglob("*.j2")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if matches(line):
                    return Source(shown_path(path), number)
    return None
