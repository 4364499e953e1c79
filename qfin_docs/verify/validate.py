"""Validate the built Inline XBRL submission offline, saying what was checked and what was not; write the viewer.

Arelle is the outside judge of XBRL 2.1, Dimensions, Inline XBRL, calculations and units; it runs as a separate
process (``arelleCmdLine``), so the project never depends on its internals.  The EDGAR Filer Manual's rules are
applied by the SEC's own Arelle plugin, which is not installable here (``arelle-release`` has no EFM plugin):
the rules the project can check itself are in :mod:`efm`, and the rest is reported as not checked.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from dataclasses import dataclass
from importlib import metadata

from ..render.ixbrl import document_name
from ..model import BadInput, Problem, Severity, Source
from ..render.stubs import stub_package_zip
from .efm import NOT_CHECKED, RULES, efm_problems

ARELLE_FLAGS = ("-v", "--workOffline", "--disablePersistentConfig", "--calc", "c11r", "--utr",
                "--validateDuplicateFacts", "inconsistent", "--validationExitCode", "--captureWarnings")
LOG_FORMAT = "%(levelname)s\t%(messageCode)s\t%(message)s"


def arelle_command() -> list[str]:
    executable = Path(sys.executable).with_name("arelleCmdLine")
    return [str(executable)] if executable.exists() else [sys.executable, "-m", "arelle.CntlrCmdLine"]


def run_arelle(document: Path, extra: tuple[str, ...] = (), timeout: int = 300) -> tuple[int, list[Problem]]:
    """Validate one document (iXBRL or instance); every message above INFO becomes a problem."""
    with tempfile.TemporaryDirectory(prefix="qfin-arelle-") as scratch:
        package = Path(scratch) / "standard-stubs.zip"
        package.write_bytes(stub_package_zip())
        command = [*arelle_command(), "-f", str(document.resolve()), *ARELLE_FLAGS, "--packages", str(package),
                   "--logFormat", LOG_FORMAT, *extra]
        env = {"HOME": scratch, "XDG_CONFIG_HOME": scratch, "PATH": "/usr/bin:/bin", "ARELLE_WORK_OFFLINE": "true"}
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=env, cwd=scratch)
    problems = []
    for line in (result.stdout + result.stderr).splitlines():
        level, _, rest = line.partition("\t")
        code, _, message = rest.partition("\t")
        if level.upper() in ("INFO", "DEBUG") or not rest:
            continue
        severity = Severity.WARNING if level.upper() == "WARNING" else Severity.ERROR
        problems.append(Problem(Source(str(document), 0), f"ARELLE:{code}", message.strip(), severity))
    if result.returncode != 0 and not problems:
        problems.append(Problem(Source(str(document), 0), "ARELLE", f"exit status {result.returncode}"))
    return result.returncode, problems


@dataclass(frozen=True)
class Validation:
    problems: list[Problem]
    checked: list[str]          # what was run, in words
    not_checked: list[str]      # what a submission also needs and nothing here checks


def validate(release_dir: Path, out_dir: Path, draft: bool = False) -> Validation:
    """Arelle on the submission's iXBRL document and on the instance extracted for review, and the project's
    own EDGAR rules on the submission: every finding, and what was and was not checked."""
    from ..facts.standard import load_catalog
    name = _name(release_dir, out_dir, draft)
    document, instance = out_dir / f"{name}.htm", out_dir / "review" / f"{name}_htm.xml"
    problems = run_arelle(document)[1] + run_arelle(instance)[1]
    catalog, catalog_problems = load_catalog()
    if catalog is None:
        raise BadInput(catalog_problems)
    problems += efm_problems(out_dir, name, frozenset(catalog.deprecated))
    arelle = (f"Arelle {metadata.version('arelle-release')}, offline: XBRL 2.1, Dimensions, Inline XBRL 1.1, "
              "Calculation 1.1 (round to nearest), the units registry, inconsistent duplicate facts; warnings count; "
              "us-gaap/srt/dei 2024 from the stubs written from schema/standard-elements.yaml")
    checked = [f"{arelle}, on {document.name} (the submission)",
               f"the same on review/{instance.name}, the instance extracted for tests and review (not submitted)"]
    checked += [f"{'EFM ' if rule.code[0].isdigit() else 'the project: '}{rule.code}: {rule.what}" for rule in RULES]
    not_checked = [*NOT_CHECKED,
                   "the standard elements' names, types, period types and balances against the published us-gaap/"
                   "srt/dei 2024 taxonomies (not installable offline; the stubs agree with the catalog, which "
                   "`qfin-docs catalog-check --edgar-data DIR` compares with EDGAR's lists)"]
    return Validation(problems, checked, not_checked)


def viewer(release_dir: Path, out_dir: Path, draft: bool = False) -> Path:
    """Write ``viewer/<name>-viewer.htm`` (ixbrl-viewer, offline) next to the document."""
    name = _name(release_dir, out_dir, draft)
    target = out_dir / "viewer" / f"{name}-viewer.htm"
    target.parent.mkdir(parents=True, exist_ok=True)
    _, problems = run_arelle(out_dir / f"{name}.htm",
                             ("--plugins", "iXBRLViewerPlugin", "--save-viewer", str(target.resolve())))
    if not target.is_file():
        raise BadInput(problems or [Problem(Source(str(target), 0), "QF-VIEWER", "the viewer was not written")])
    return target


def _name(release_dir: Path, out_dir: Path, draft: bool = False) -> str:
    from ..facts.load import load
    loaded = load(release_dir, draft)
    name = document_name(loaded.release)
    if not (out_dir / f"{name}.htm").is_file():
        raise BadInput([Problem(Source(str(out_dir), 0), "QF-NOT-BUILT", f"no {name}.htm here: run 'make' first")])
    return name
