"""Strict YAML reading: safe, line-aware, Decimal numbers, no duplicate keys, no aliases.

``read_yaml(path)`` returns ``(data, problems)``.  Mappings come back as
:class:`LineDict` and sequences as :class:`LineList`, which remember the line of
every node, so that later stages (JSON Schema validation, fact validation) can
report ``file:line``.
"""
from __future__ import annotations

import functools
import hashlib
import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from ..model import Problem, Source
from . import validcache

SCHEMA_DIR = Path(__file__).resolve().parent.parent.parent / "schema"   # the project's JSON Schemas
MAX_BYTES = 2_000_000   # a quarter's fact file is ~30 KB; anything this big is a mistake


class LineDict(dict):
    """A mapping that knows its own line and the line of each key."""

    line: int = 0
    key_lines: dict


class LineList(list):
    """A sequence that knows its own line and the line of each item."""

    line: int = 0
    item_lines: list


class _Strict:
    """Loader hooks that keep lines, build Decimals from the scalar text and refuse ambiguity."""

    def compose_node(self, parent, index):  # noqa: D401 - PyYAML hook
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _LoadError(event.start_mark.line + 1, "QF-YAML-ALIAS",
                             "anchors and aliases are not allowed in fact files")
        event = self.peek_event()
        if getattr(event, "tag", None) is not None:
            raise _LoadError(event.start_mark.line + 1, "QF-YAML-TAG",
                             f"tag {event.tag} is not allowed (fact files hold plain data only)")
        if getattr(event, "anchor", None):
            raise _LoadError(event.start_mark.line + 1, "QF-YAML-ALIAS",
                             "anchors and aliases are not allowed in fact files")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            raise ConstructorError(None, None, "expected a mapping", node.start_mark)
        result = LineDict()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise _LoadError(key_node.start_mark.line + 1, "QF-YAML-MERGE", "merge keys (<<) are not allowed")
            key = self.construct_object(key_node, deep=True)
            if not isinstance(key, (str, Decimal, bool)) or isinstance(key, bool):
                key = str(key)
            key = str(key)
            line = key_node.start_mark.line + 1
            if key in result:
                raise _LoadError(line, "QF-YAML-DUPLICATE-KEY",
                                 f"duplicate key '{key}' (first on line {result.key_lines[key]})")
            result[key] = self.construct_object(value_node, deep=True)
            result.key_lines[key] = line
        return result

    def construct_sequence(self, node, deep=False):
        result = LineList(self.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    def construct_decimal(self, node):
        text = self.construct_scalar(node).replace("_", "")
        try:
            number = Decimal(text)
            if not number.is_finite():
                raise InvalidOperation
            return number
        except InvalidOperation:
            # YAML floats such as .inf / .nan are not figures
            raise _LoadError(node.start_mark.line + 1, "QF-YAML-NUMBER", f"'{text}' is not a finite number")

    def construct_plain_string(self, node):
        return self.construct_scalar(node)


class _LoadError(Exception):
    def __init__(self, line: int, code: str, message: str):
        super().__init__(message)
        self.line, self.code, self.message = line, code, message


class _StrictLoader(_Strict, yaml.SafeLoader):
    """The pure-Python loader: slower, with PyYAML's own error messages (used when the fast one fails)."""


# A line, not a whole-line comment, with a character that can start an anchor (&), an alias (*) or a tag (!).
_INDICATOR = re.compile(r"^(?![ \t]*#).*[&*!]", re.MULTILINE)


class _FastLoader(_Strict, yaml.cyaml.CParser, yaml.composer.Composer, yaml.constructor.SafeConstructor,
                  yaml.resolver.Resolver):
    """libyaml's parser (events with their marks), composed and constructed by the same strict hooks."""

    def __init__(self, stream: str):
        yaml.cyaml.CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self.plain = _INDICATOR.search(stream) is None

    def get_single_data(self):
        if self.plain:      # no anchor, alias or tag can be written: libyaml composes (the same nodes, faster)
            node = yaml.cyaml.CParser.get_single_node(self)
        else:               # Python composition: the hooks see every event, and refuse those
            node = yaml.composer.Composer.get_single_node(self)
        return self.construct_document(node) if node is not None else None


for _loader in (_StrictLoader, _FastLoader):
    _loader.yaml_constructors = dict(yaml.SafeLoader.yaml_constructors)
_StrictLoader.add_constructor("tag:yaml.org,2002:map", _StrictLoader.construct_mapping)
_StrictLoader.add_constructor("tag:yaml.org,2002:seq", _StrictLoader.construct_sequence)
_StrictLoader.add_constructor("tag:yaml.org,2002:int", _StrictLoader.construct_decimal)
_StrictLoader.add_constructor("tag:yaml.org,2002:float", _StrictLoader.construct_decimal)
# Dates stay text: the fact loader parses them and reports bad ones with their line.
_StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", _StrictLoader.construct_plain_string)
for _tag in ("tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs",
             "tag:yaml.org,2002:binary"):
    _StrictLoader.add_constructor(_tag, None)  # type: ignore[arg-type]
    del _StrictLoader.yaml_constructors[_tag]
_FastLoader.yaml_constructors = dict(_StrictLoader.yaml_constructors)
_FastLoader.yaml_implicit_resolvers = _StrictLoader.yaml_implicit_resolvers


def read_yaml(path: Path, display: str | None = None) -> tuple[Any, list[Problem]]:
    """Read one YAML file strictly.

    Args:
        path: the file.
        display: how to name the file in problems (defaults to ``str(path)``).
    Returns:
        ``(data, problems)``; ``data`` is None when problems is not empty.
    """
    raw, problems = _read_bytes(path, display or str(path))
    return (None, problems) if problems else parse_yaml(raw, display or str(path))


def _read_bytes(path: Path, name: str) -> tuple[bytes, list[Problem]]:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return b"", [Problem(Source(name, 1), "QF-FILE-SIZE",
                                 f"file is {size:,} bytes, over the {MAX_BYTES:,}-byte limit")]
        return path.read_bytes(), []
    except OSError as exc:
        return b"", [Problem(Source(name, 0), "QF-FILE-READ", f"cannot read file: {exc.strerror}")]


def read_valid(path: Path, schema_file: str, display: str | None = None) -> tuple[Any, list[Problem]]:
    """Read one YAML file strictly and validate it against ``schema/<schema_file>``.

    Returns:
        ``(data, problems)``; ``data`` is None when problems is not empty.
    """
    name = display or str(path)
    raw, problems = _read_bytes(path, name)
    data, problems = (None, problems) if problems else parse_yaml(raw, name)
    if problems:
        return None, problems
    key = validcache.key(raw, schema_file, schema(schema_file)) if validcache.enabled() else None
    if key is not None and key in validcache.known():   # these very bytes passed this schema before: no problem
        return data, []
    problems = schema_problems(data, schema(schema_file), name, _validator(schema_file))
    if not problems and key is not None:
        validcache.remember(key)
    return (None, problems) if problems else (data, [])


@functools.lru_cache(maxsize=8)
def _validator(schema_file: str):
    """A validator for ``schema/<schema_file>``, its schema checked once."""
    import jsonschema
    cls = _validator_class(jsonschema)
    cls.check_schema(schema(schema_file))
    return cls(schema(schema_file))


@functools.lru_cache(maxsize=8)
def schema(schema_file: str) -> dict:
    """A JSON Schema of ``schema/``, read once."""
    return json.loads((SCHEMA_DIR / schema_file).read_text(encoding="utf-8"))


def parse_yaml(raw: bytes, name: str) -> tuple[Any, list[Problem]]:
    """Parse YAML bytes as :func:`read_yaml` does (exposed for tests and fuzzing)."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return None, [Problem(Source(name, 1), "QF-FILE-BOM",
                              "file starts with a UTF-8 byte-order mark; save it as UTF-8 without BOM")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(Source(name, line), "QF-FILE-ENCODING",
                              f"invalid UTF-8 byte 0x{raw[exc.start]:02x} at byte {exc.start}")]
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        return None, [Problem(Source(name, 1), "QF-FILE-EMPTY", "file is empty")]
    fast = None
    try:        # libyaml first; on any problem the pure-Python loader reports it in its own words
        fast = _FastLoader(text)
        return fast.get_single_data(), []
    except (yaml.YAMLError, _LoadError, RecursionError):
        pass
    finally:
        if fast is not None:
            fast.dispose()
    loader = None
    try:
        loader = _StrictLoader(text)
        data = loader.get_single_data()
    except _LoadError as exc:
        return None, [Problem(Source(name, exc.line), exc.code, exc.message)]
    except ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(Source(name, line), "QF-YAML-TAG", _tag_message(exc))]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        return None, [Problem(Source(name, line), "QF-YAML-SYNTAX", _syntax_message(exc))]
    except yaml.YAMLError as exc:  # reader errors (control characters) carry no mark
        return None, [Problem(Source(name, _reader_line(text, exc)), "QF-YAML-SYNTAX", str(exc).splitlines()[0])]
    except RecursionError:
        return None, [Problem(Source(name, 1), "QF-YAML-DEPTH", "nesting is too deep")]
    finally:
        if loader is not None:
            loader.dispose()
    return data, []


def _tag_message(exc: ConstructorError) -> str:
    problem = (exc.problem or "").strip()
    if "could not determine a constructor for the tag" in problem:
        tag = problem.split("tag", 1)[1].strip().strip("'")
        return f"tag {tag} is not allowed (fact files hold plain data only)"
    return problem or "invalid YAML node"


def _syntax_message(exc: yaml.MarkedYAMLError) -> str:
    parts = [p.strip() for p in (exc.context, exc.problem) if p]
    return "; ".join(parts) or "YAML syntax error"


def _reader_line(text: str, exc: yaml.YAMLError) -> int:
    position = getattr(exc, "position", None)
    return text[:position].count("\n") + 1 if isinstance(position, int) else 1


def line_of(data: Any, path: list) -> int:
    """The line of the deepest node on ``path`` (keys and indexes): a key's own line, or an item's."""
    line = getattr(data, "line", 1)
    node = data
    for step in path:
        if isinstance(node, LineDict) and step in node:
            line = node.key_lines.get(step, line)
            node = node[step]
        elif isinstance(node, LineList) and isinstance(step, int) and 0 <= step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


_SCHEMA_CODES = {
    "additionalProperties": "QF-UNKNOWN-KEY",
    "required": "QF-MISSING-KEY",
    "type": "QF-TYPE",
    "enum": "QF-VALUE",
    "pattern": "QF-FORMAT",
    "propertyNames": "QF-FORMAT",
}


def schema_problems(data: Any, schema: dict, name: str, validator=None) -> list[Problem]:
    """Validate ``data`` against a JSON Schema; one problem per violation, at its line.

    Args:
        data: the tree :func:`read_yaml` returned.
        schema: a JSON Schema (draft 2020-12).
        name: the file name to put in problems.
        validator: a validator of ``schema`` made before (made here when None).
    """
    if validator is None:
        import jsonschema  # imported here: it is slow to import and only the loader needs it
        validator = _validator_class(jsonschema)(schema)
    problems = []
    for error in sorted(validator.iter_errors(data), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        path = list(error.absolute_path)
        where = "/".join(str(p) for p in path) or "(top level)"
        code = _SCHEMA_CODES.get(str(error.validator), "QF-SCHEMA")
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            allowed = set(error.schema.get("properties", {}))
            pattern = error.schema.get("patternProperties")
            for key in error.instance:
                if key not in allowed and not pattern:
                    problems.append(Problem(Source(name, line_of(data, path + [key])), code,
                                            f"unknown key '{key}' in {where}"))
            continue
        if error.validator == "required":
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            message = f"missing required key '{missing}' in {where}"
        elif error.validator == "propertyNames":
            bad = error.instance
            message = f"'{bad}' is not a valid key in {where}"
            problems.append(Problem(Source(name, line_of(data, path + [bad])), code, message))
            continue
        elif error.validator == "anyOf":
            message = f"{where}: {_describe(error.instance)} is not one of the allowed forms"
        elif error.validator == "type":
            message = f"{where}: expected {error.validator_value}, got {_describe(error.instance)}"
        elif error.validator == "pattern":
            hint = error.schema.get("description") or f"the pattern {error.validator_value}"
            message = f"{where}: {_describe(error.instance)} is not {hint}"
        else:
            message = f"{where}: {error.message}"
        problems.append(Problem(Source(name, line_of(data, path)), code, message))
    return problems


def _describe(value: Any) -> str:
    if isinstance(value, (LineDict, LineList)):
        text = "a mapping" if isinstance(value, dict) else "a list"
        return text
    text = str(value) if isinstance(value, Decimal) else repr(value)
    return text if len(text) < 60 else text[:57] + "..."


def _validator_class(jsonschema):
    """Draft 2020-12, where a Decimal with no fractional part counts as an integer."""
    def is_integer(checker, instance):
        if isinstance(instance, Decimal):
            return instance == instance.to_integral_value()
        return isinstance(instance, int) and not isinstance(instance, bool)

    base = jsonschema.Draft202012Validator
    return jsonschema.validators.extend(base, type_checker=base.TYPE_CHECKER.redefine("integer", is_integer))


def jail_problem(directory: Path, relative: str) -> str | None:
    """Why ``relative`` is not a path inside the release folder (None when it is): absolute paths, ``..``
    and symbolic links that lead out of the folder are refused, so that nothing outside it is read."""
    parts = Path(relative).parts
    if Path(relative).is_absolute() or ".." in parts:
        return f"'{relative}' is not a path inside the release folder (no absolute paths, no '..')"
    root = Path(directory).resolve()
    if not (root / relative).resolve().is_relative_to(root):
        return f"'{relative}' leads outside the release folder (through a symbolic link)"
    return None


