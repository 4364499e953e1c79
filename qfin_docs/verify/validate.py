"""Arelle as an outside judge: validate the built Inline XBRL document set offline, and write the viewer.

Arelle runs as a separate process (``arelleCmdLine``), so the project never depends on its internals.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from ..render.ixbrl import document_name
from ..model import BadInput, Problem, Severity, Source
from ..render.stubs import stub_package_zip

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


def validate(release_dir: Path, out_dir: Path, draft: bool = False) -> list[Problem]:
    """Arelle on the iXBRL document and on the extracted instance: all their messages above INFO."""
    name = _name(release_dir, out_dir, draft)
    problems = []
    for document in (out_dir / f"{name}.htm", out_dir / f"{name}_htm.xml"):
        problems += run_arelle(document)[1]
    return problems


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
