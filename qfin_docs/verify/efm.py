"""The EDGAR Filer Manual rules this project checks itself, on a built Inline XBRL submission.

The SEC applies these rules with its validation plugin for Arelle, which is published apart from Arelle
(``arelle-release`` on PyPI has no EFM plugin), so it cannot be installed here.  Each rule below is one small
registered function over the built files; ``NOT_CHECKED`` says, in words, what only the SEC's plugin checks.
Every problem is ``file:0: EFM-<rule> message``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from lxml import etree

from ..model import Problem, QName, Source
from ..render.edgar import FORM_EXCLUDED_DEI
from ..render.xbrl import lc3
from ..xmlio import parse_xml

LINK = "{http://www.xbrl.org/2003/linkbase}"
XLINK = "{http://www.w3.org/1999/xlink}"
XS = "{http://www.w3.org/2001/XMLSchema}"
XHTML = "{http://www.w3.org/1999/xhtml}"
IX = "{http://www.xbrl.org/2013/inlineXBRL}"
XBRLI = "{http://www.xbrl.org/2003/instance}"
STANDARD_LABEL = "http://www.xbrl.org/2003/role/label"
DOCUMENTATION = "http://www.xbrl.org/2003/role/documentation"
LINK_TYPES = ("link:presentationLink", "link:calculationLink", "link:definitionLink")
# HTML elements that are empty by definition: only these may be written self-closed (<br/>).
VOID = {"br", "hr", "img", "meta", "col", "area", "base", "link", "input", "param"}
# Elements EDGAR does not accept in a submission's HTML (active content, frames, forms, external resources).
FORBIDDEN = {"script", "style", "link", "base", "iframe", "frame", "frameset", "object", "embed", "applet",
             "form", "input", "button", "select", "textarea", "svg", "math", "audio", "video", "canvas"}


@dataclass(frozen=True)
class Rule:
    code: str                   # the Filer Manual's section, e.g. "6.07.11"
    what: str
    check: Callable[["DocumentSet"], list[tuple[str, str]]]     # -> (file name, message) per finding


RULES: list[Rule] = []


def rule(code: str, what: str):
    def register(function):
        RULES.append(Rule(code, what, function))
        return function
    return register


NOT_CHECKED = (
    "the rest of the EDGAR Filer Manual's rules as the SEC's validation plugin applies them (not installable "
    "here: arelle-release has no EFM plugin), e.g. the full list of allowed HTML attributes and CSS, "
    "required dei cover elements per form, and submission packaging (EX-101 attachment names and sizes)",
    "6.10.x across the whole DTS: the us-gaap/srt/dei standard labels are not available offline, so label "
    "uniqueness is checked among the labels this set writes",
    "the DQC rules (they read the us-gaap calculation and label linkbases, not available offline); "
    "`qfin-docs catalog-check --edgar-data DIR` compares the catalog with EDGAR's lists when they are given",
)


class DocumentSet:
    """The files of one built submission, parsed once (hardened parser: no DTD, no entities, no network)."""

    def __init__(self, folder: Path, name: str, deprecated: set[QName] | frozenset = frozenset()):
        self.folder, self.name, self.deprecated = folder, name, deprecated
        self._parsed: dict[str, etree._Element] = {}

    def file(self, suffix: str) -> str:
        return f"{self.name}{suffix}"

    def xml(self, suffix: str):
        if suffix not in self._parsed:
            self._parsed[suffix] = parse_xml((self.folder / self.file(suffix)).read_bytes())
        return self._parsed[suffix]

    def raw(self, suffix: str) -> bytes:
        return (self.folder / self.file(suffix)).read_bytes()

    def labels(self) -> list[tuple[str, str, str]]:
        """(element id, role, text) of every label of the label linkbase."""
        out = []
        for link in self.xml("_lab.xml").iter(f"{LINK}labelLink"):
            locs = {loc.get(f"{XLINK}label"): loc.get(f"{XLINK}href").rpartition("#")[2]
                    for loc in link.iter(f"{LINK}loc")}
            resources = {res.get(f"{XLINK}label"): res for res in link.iter(f"{LINK}label")}
            for arc in link.iter(f"{LINK}labelArc"):
                resource = resources[arc.get(f"{XLINK}to")]
                out.append((locs[arc.get(f"{XLINK}from")], resource.get(f"{XLINK}role"), resource.text or ""))
        return out

    def extension_elements(self) -> list[etree._Element]:
        return list(self.xml(".xsd").iter(f"{XS}element"))

    def facts(self) -> list[etree._Element]:
        return list(self.xml(".htm").iter(f"{IX}nonFraction", f"{IX}nonNumeric"))


# ---------------------------------------------------------------------- taxonomy rules
@rule("6.07.11", "every role type declares usedOn for the presentation, calculation and definition links")
def used_on(docs: DocumentSet):
    out = []
    for role in docs.xml(".xsd").iter(f"{LINK}roleType"):
        used = {u.text for u in role.iter(f"{LINK}usedOn")}
        missing = [t for t in LINK_TYPES if t not in used]
        if missing:
            out.append((docs.file(".xsd"), f"role {role.get('roleURI')} does not declare usedOn {', '.join(missing)}"))
    return out


@rule("6.10.04", "no two elements share a standard label")
def unique_standard_labels(docs: DocumentSet):
    owners: dict[str, set[str]] = {}
    for element, role, text in docs.labels():
        if role == STANDARD_LABEL:
            owners.setdefault(" ".join(text.split()).lower(), set()).add(element)
    return [(docs.file("_lab.xml"), f"standard label '{text}' is shared by {', '.join(sorted(elements))}")
            for text, elements in sorted(owners.items()) if len(elements) > 1]


@rule("6.12.05", "an element appears at most once under one parent with the same preferred label")
def preferred_labels_under_one_parent(docs: DocumentSet):
    out = []
    for link in docs.xml("_pre.xml").iter(f"{LINK}presentationLink"):
        locs = {loc.get(f"{XLINK}label"): loc.get(f"{XLINK}href").rpartition("#")[2] for loc in link.iter(f"{LINK}loc")}
        seen = Counter((locs[arc.get(f"{XLINK}from")], locs[arc.get(f"{XLINK}to")],
                        arc.get("preferredLabel") or STANDARD_LABEL)
                       for arc in link.iter(f"{LINK}presentationArc"))
        for (parent, child, label), count in sorted(seen.items()):
            if count > 1:
                out.append((docs.file("_pre.xml"), f"{child} appears {count} times under {parent} with preferred "
                            f"label {label.rpartition('/')[2]} in {link.get(f'{XLINK}role')}"))
    return out


@rule("6.11.05", "a monetary extension element has a balance, or a documentation label saying why not")
def monetary_balance(docs: DocumentSet):
    documented = {element for element, role, _ in docs.labels() if role == DOCUMENTATION}
    out = []
    for element in docs.extension_elements():
        balance = element.get(f"{XBRLI}balance")
        if element.get("type") == "xbrli:monetaryItemType" and balance is None and element.get("id") not in documented:
            out.append((docs.file(".xsd"), f"monetary element {element.get('name')} has no balance and no "
                        "documentation label"))
    return out


@rule("6.08.05", "an extension element's name is its standard label in label camel case (LC3), letter case aside")
def label_camel_case(docs: DocumentSet):
    standard = {element: text for element, role, text in docs.labels() if role == STANDARD_LABEL}
    out = []
    for element in docs.extension_elements():
        label = standard.get(element.get("id"))
        if label is None:
            out.append((docs.file(".xsd"), f"{element.get('name')} has no standard label"))
        elif lc3(label).lower() != element.get("name").lower():
            out.append((docs.file(".xsd"), f"{element.get('name')} is not the LC3 form of its standard label "
                        f"'{label}' ({lc3(label)})"))
    return out


# ---------------------------------------------------------------------- the submission document
@rule("5.02.05", "the Inline XBRL document has no DOCTYPE, no meta other than Content-Type, no self-closed "
      "non-empty element, no <a> without href and no active content")
def submission_html(docs: DocumentSet):
    name, out = docs.file(".htm"), []
    raw = docs.raw(".htm")
    if re.search(rb"<!DOCTYPE", raw, re.IGNORECASE):
        out.append((name, "the document has a DOCTYPE declaration"))
    for tag in sorted(set(re.findall(rb"<([A-Za-z][A-Za-z0-9]*)(?:\s[^<>]*)?/>", raw))):
        local = tag.decode("ascii").lower()
        if local not in VOID and ":" not in local:
            out.append((name, f"<{local}/> is self-closed; EDGAR wants <{local}></{local}>"))
    for element in docs.xml(".htm").iter(f"{XHTML}*"):
        local = etree.QName(element).localname
        if local in FORBIDDEN:
            out.append((name, f"<{local}> is not allowed in a submission"))
        elif local == "meta" and (element.get("http-equiv") or "").lower() != "content-type":
            attributes = " ".join(f'{key}="{value}"' for key, value in element.attrib.items())
            out.append((name, f"<meta {attributes}> is not allowed in a submission"))
        elif local == "a" and not element.get("href"):
            out.append((name, "<a> without href"))
        elif local == "a" and not element.get("href", "").startswith("#"):
            out.append((name, f"<a href=\"{element.get('href')}\"> links out of the document"))
    return out


@rule("5.02.05.14", "a fact in ix:hidden (other than dei) is shown by a visible element's -sec-ix-hidden style")
def hidden_facts_shown(docs: DocumentSet):
    root = docs.xml(".htm")
    shown = set()
    for element in root.iter(f"{XHTML}*"):
        found = re.search(r"-sec-ix-hidden\s*:\s*([A-Za-z_][\w.-]*)", element.get("style") or "")
        if found:
            shown.add(found.group(1))
    out = []
    for hidden in root.iter(f"{IX}hidden"):
        for fact in hidden:
            name = fact.get("name") or ""
            if name.startswith("dei:"):
                continue
            if fact.get("id") not in shown:
                out.append((docs.file(".htm"), f"hidden fact {name} ({fact.get('contextRef')}) could be tagged "
                            "on the visible text, or shown by -sec-ix-hidden"))
    return out


@rule("6.05.46", "the cover (dei) elements are those the form allows")
def cover_elements_of_the_form(docs: DocumentSet):
    facts = docs.facts()
    form = next(("".join(f.itertext()).strip() for f in facts if f.get("name") == "dei:DocumentType"), None)
    excluded = FORM_EXCLUDED_DEI.get(form or "", ())
    return [(docs.file(".htm"), f"{f.get('name')} is not allowed on a {form}") for f in facts
            if f.get("name", "").partition(":")[2] in excluded and f.get("name", "").startswith("dei:")]


@rule("deprecated", "no fact is tagged with an element the catalog lists as deprecated or nonexistent")
def no_deprecated_elements(docs: DocumentSet):
    return [(docs.file(".htm"), f"{f.get('name')} is deprecated (schema/standard-elements.yaml)")
            for f in docs.facts() if QName.parse(f.get("name")) in docs.deprecated]


def efm_problems(folder: Path, name: str, deprecated=frozenset()) -> list[Problem]:
    """Every registered rule on the submission ``folder/name.*``."""
    docs = DocumentSet(folder, name, deprecated)
    problems = []
    for entry in RULES:
        for file_name, message in entry.check(docs):
            problems.append(Problem(Source(str(folder / file_name)), f"EFM-{entry.code}", message))
    return problems


__all__ = ["NOT_CHECKED", "RULES", "efm_problems", "lc3"]
