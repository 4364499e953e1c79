"""``figures.json`` read back: every record checked against ``schema/figures.schema.json`` before the strict
check trusts it (directly for a record of the plain shape, by jsonschema, with its explanation, otherwise)."""
from __future__ import annotations

import json
from pathlib import Path

from ..facts.yamlio import schema
from ..model import BadInput, Figure, FigureKind, Problem, Source

_KINDS = frozenset(k.value for k in FigureKind)


def read_figures(path: Path) -> dict[int, Figure]:
    """figures.json, checked against ``schema/figures.schema.json``; raises BadInput at the bad line."""
    name = str(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise BadInput([Problem(Source(name, 1), "QF-CHECK-FIGURES", f"not UTF-8 (byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        raise BadInput([Problem(Source(name, exc.lineno), "QF-CHECK-FIGURES", f"not JSON: {exc.msg}")]) from None
    figures = [_plainly_valid(record) for record in data] if isinstance(data, list) else [None]
    if all(figures):
        return {figure.id: figure for figure in figures}    # the common case, fast
    import jsonschema       # slow to import: only when a record is not plainly valid
    errors = sorted(jsonschema.Draft202012Validator(schema("figures.schema.json")).iter_errors(data),
                    key=lambda e: list(e.absolute_path))
    if errors:
        raise BadInput([Problem(Source(name), "QF-CHECK-FIGURES",
                                f"{'/'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message[:160]}")
                        for e in errors[:20]])
    return {record["id"]: Figure.from_json(record) for record in data}


_RECORD = {"id": int, "text": str, "kind": str, "formula": str, "where": str, "scale": int, "places": int,
           "value": (str, type(None)), "negated": bool, "ref": str, "source": str, "inputs": list}
_INPUT = {"concept": str, "period": str, "unit": (str, type(None)), "dimensions": dict}


def _plainly_valid(record) -> Figure | None:
    """The record as a Figure when it has the shape figures.schema.json requires, checked directly
    (None otherwise: jsonschema then explains what is wrong)."""
    if not isinstance(record, dict) or record.keys() != _RECORD.keys():
        return None
    for key, kind in _RECORD.items():
        value = record[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            return None
    if record["kind"] not in _KINDS or record["where"] not in ("prose", "table"):
        return None
    for item in record["inputs"]:
        if not isinstance(item, dict) or item.keys() != _INPUT.keys():
            return None
        for key, kind in _INPUT.items():
            if not isinstance(item[key], kind):
                return None
    try:
        return Figure.from_json(record)
    except (ValueError, TypeError, KeyError, ArithmeticError):
        return None
