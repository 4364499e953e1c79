"""The filer's own labels for a filing's concepts: the label linkbase its schema names, where both lie beside
the document.  Nothing is fetched and nothing is read from anywhere else."""
from __future__ import annotations

import re
from pathlib import Path

from lxml import etree

from ..xmlio import parse_xml

_LABEL_ROLES = ("/role/label", "/role/terseLabel", "/role/verboseLabel")
_LINK = "{http://www.xbrl.org/2003/linkbase}"
_XLINK = "{http://www.w3.org/1999/xlink}"
MAX_LINKBASE_BYTES = 50_000_000


def _beside(document: Path, href: str | None) -> Path | None:
    """A file a filing refers to, where it lies beside the document (never fetched, never elsewhere)."""
    name = (href or "").rpartition("/")[2].partition("#")[0]
    path = document.parent / name
    if name and re.fullmatch(r"[\w.-]+", name) and path.is_file() and path.stat().st_size <= MAX_LINKBASE_BYTES:
        return path
    return None


def _read(path: Path):
    try:
        return parse_xml(path.read_bytes())
    except (etree.XMLSyntaxError, OSError):
        return None


def label_linkbases(root, document: Path) -> list[Path]:
    """The label linkbases of the filing's own schemas, where they lie beside the document."""
    out = []
    for ref in root.iter("{http://www.xbrl.org/2003/linkbase}schemaRef"):
        schema = _beside(document, ref.get(f"{_XLINK}href"))
        tree = _read(schema) if schema else None
        if tree is None:
            continue
        for linkbase in tree.iter(f"{_LINK}linkbaseRef"):
            if (linkbase.get(f"{_XLINK}role") or "").endswith("labelLinkbaseRef"):
                found = _beside(document, linkbase.get(f"{_XLINK}href"))
                out += [found] if found and found not in out else []
    return out


def read_labels(path: Path) -> dict[str, list[str]]:
    """A label linkbase's English standard, terse and verbose labels, by concept local name."""
    tree = _read(path)
    if tree is None:
        return {}
    locs = {loc.get(f"{_XLINK}label"): loc.get(f"{_XLINK}href", "").partition("#")[2]
            for loc in tree.iter(f"{_LINK}loc")}
    texts: dict[str, list[tuple[int, str]]] = {}
    for label in tree.iter(f"{_LINK}label"):
        role = label.get(f"{_XLINK}role") or ""
        lang = label.get("{http://www.w3.org/XML/1998/namespace}lang") or "en"
        rank = next((i for i, r in enumerate(_LABEL_ROLES) if role.endswith(r)), None)
        if rank is not None and lang.lower().startswith("en") and label.text:
            text = re.sub(r"\s*\[[^]]*\]\s*$", "", " ".join(label.text.split()))
            texts.setdefault(label.get(f"{_XLINK}label"), []).append((rank, text))
    out: dict[str, list[str]] = {}
    for arc in tree.iter(f"{_LINK}labelArc"):
        fragment = locs.get(arc.get(f"{_XLINK}from"), "")
        local = fragment.partition("_")[2] or fragment
        for _, text in sorted(texts.get(arc.get(f"{_XLINK}to"), [])):
            if text not in out.setdefault(local, []):
                out[local].append(text)
    return out


__all__ = ["label_linkbases", "read_labels"]
