"""The command line and the shape of the code."""
from __future__ import annotations

import ast
import io
import json
import re
import subprocess
import sys
from pathlib import Path

from qfin_docs.cli import main

from conftest import MINI, RELEASE, ROOT


def test_help_lists_the_commands():
    script = Path(sys.executable).with_name("qfin-docs")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("build", "check", "tieout", "validate", "viewer", "serve", "new-quarter", "diff", "facts", "stubs"):
        assert command in result.stdout


def test_exit_status_for_bad_input_and_success(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    assert main(["build", str(tmp_path / "nowhere"), "--out", str(tmp_path / "o")], out, err) == 2
    assert err.getvalue().startswith(f"{tmp_path / 'nowhere'}: QF-RELEASE no release.yaml in this folder")
    assert not (tmp_path / "o").exists()
    assert main(["build", str(MINI), "--out", str(tmp_path / "o")], out, err) == 0
    assert (tmp_path / "o" / "press-release.pdf").is_file()


def test_check_finds_a_hand_edit_and_exits_1(built, tmp_path):
    import shutil
    copy = tmp_path / "b"
    shutil.copytree(built, copy)
    html = copy / "press-release.html"
    html.write_text(html.read_text(encoding="utf-8").replace(">4,160,063<", ">4,160,064<"), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(RELEASE), "--out", str(copy)], out, err) == 1
    assert "QF-INCONSISTENT '4,160,064'" in err.getvalue()


def test_check_is_quiet_when_all_is_well(built):
    """One summary line by default; every number with --verbose or --format json."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(RELEASE), "--out", str(built)], out, err) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert err.getvalue() == "" and len(lines) == 1, lines[:5]
    counts = re.fullmatch(r"check: (\d+) numbers: (\d+) tied, (\d+) derived, (\d+) non-financial; 0 findings", lines[0])
    assert counts and int(counts[1]) == sum(map(int, counts.groups()[1:])) > 1500, lines[0]
    out = io.StringIO()
    assert main(["check", str(RELEASE), "--out", str(built), "--verbose"], out, err) == 0
    assert len(out.getvalue().splitlines()) == int(counts[1]) + 1
    out = io.StringIO()
    assert main(["check", str(RELEASE), "--out", str(built), "--format", "json"], out, err) == 0
    assert len(json.loads(out.getvalue())["numbers"]) == int(counts[1])


def test_tieout_is_quiet_when_all_is_well(reference_text):
    from conftest import REFERENCE
    out, err = io.StringIO(), io.StringIO()
    assert main(["tieout", str(RELEASE), str(REFERENCE)], out, err) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert err.getvalue() == "" and len(lines) <= 5 and lines[-1].startswith("tieout: "), lines
    assert all(line.startswith("note: ") for line in lines[:-1])


BESIDE = "sha" "red/|[\"']sha" "red[\"']"    # split so that this file does not match itself


def test_nothing_reads_outside_the_repository():
    """The project is self-contained: no tracked file (but prose) points at a folder beside the clone."""
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    names = listed.stdout.splitlines() if listed.returncode == 0 else [   # not a clone: the source tree
        str(p.relative_to(ROOT)) for p in ROOT.rglob("*")
        if not {".git", ".venv", "build", "__pycache__", ".hypothesis"} & set(p.relative_to(ROOT).parts)]
    assert len(names) > 50
    offenders = []
    for name in names:
        path = ROOT / name
        if name.endswith(".md") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        offenders += [f"{name}:{n}" for n, line in enumerate(text.splitlines(), 1)
                      if re.search(BESIDE, line)]
    assert offenders == []


def test_validate_and_viewer_commands(built):
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(RELEASE), "--out", str(built)], out, err) == 0, err.getvalue()
    lines = out.getvalue().splitlines()
    assert lines[-1] == ("validate: 0 findings in what was checked (0 from Arelle, 0 from the EFM rules checked here); "
                         "not a full EDGAR validation")
    assert not any("clean" in line for line in lines)
    checked = [line for line in lines if line.startswith("checked: ")]
    assert any("Arelle" in line and "qfin-20240630.htm (the submission)" in line for line in checked)
    assert any("review/qfin-20240630_htm.xml" in line and "not submitted" in line for line in checked)
    rules = ("EFM 6.07.11:", "EFM 6.10.04:", "EFM 6.12.05:", "EFM 5.02.05:", "the project: deprecated:")
    assert [rule for rule in rules if any(rule in line for line in checked)] == list(rules)
    assert any(line.startswith("not checked: ") and "EFM plugin" in line for line in lines)
    out = io.StringIO()
    assert main(["viewer", str(RELEASE), "--out", str(built)], out, err) == 0, err.getvalue()
    viewer = built / "viewer" / "qfin-20240630-viewer.htm"
    text = viewer.read_text(encoding="utf-8")
    assert "ixbrlviewer.js" in text and (viewer.parent / "ixbrlviewer.js").is_file()
    assert "https://" not in text.split("ixbrlviewer.js")[0][-200:], "the viewer script must be local"


def module_name(path: Path) -> str:
    """``facts.load`` for qfin_docs/facts/load.py, ``cli`` for qfin_docs/cli.py."""
    parts = path.relative_to(ROOT / "qfin_docs").with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" and len(parts) > 1 else parts)


def project_imports(tree: ast.AST, name: str) -> set[str]:
    """Modules of the package a module imports, as dotted names (relative imports resolved)."""
    package = name.split(".")[:-1] if "." in name else []
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
            if node.module:
                found.add(".".join(base + node.module.split(".")))
            else:
                found |= {".".join(base + [alias.name]) for alias in node.names}
    return found


# The stages, each a folder: what each may import.  The model and the hardened parser import nothing of the
# project; the facts only the model; the renderer the facts but not their consistency checks; the checkers the
# facts and the renderer's definitions, never the build orchestrator or the commands.
STAGES = {
    "model": set(), "xmlio": set(), "outdir": {"model"},
    "facts": {"model", "facts"},
    "render": {"model", "xmlio", "facts", "render"},
    "verify": {"model", "xmlio", "facts", "render", "verify"},
    "app": {"model", "xmlio", "outdir", "facts", "render", "verify", "app"},
}
APP = {"cli", "pipeline", "serve", "quarter", "__main__", "__init__"}


def stage(module: str) -> str:
    head = module.split(".")[0]
    return head if head in STAGES else "app" if module in APP else "?"


def test_layering():
    """Every module belongs to a stage and imports only what its stage may."""
    modules = {module_name(p): p for p in (ROOT / "qfin_docs").rglob("*.py")}
    assert len(modules) >= 29 and all(stage(m) != "?" for m in modules), [m for m in modules if stage(m) == "?"]
    for name, path in modules.items():
        for imported in project_imports(ast.parse(path.read_text(encoding="utf-8")), name):
            target = imported if imported in modules else imported.rsplit(".", 1)[0]
            assert target in modules or target in ("facts", "render", "verify"), f"{name}: unknown {imported}"
            assert stage(target) in STAGES[stage(name)], f"{name} ({stage(name)}) imports {imported}"
    checks_users = [n for n, p in modules.items() if stage(n) == "render"
                    and "facts.checks" in project_imports(ast.parse(p.read_text(encoding="utf-8")), n)]
    assert checks_users == [], "the renderer must not import the fact checks"


def test_modules_and_functions_stay_small():
    for path in sorted((ROOT / "qfin_docs").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 450, f"{path.name} is too long"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                assert length <= 75, f"{path.name}:{node.lineno} {node.name} has {length} lines"


def test_no_module_imports_another_modules_private_names():
    """``from .x import _name`` or ``module._name`` of a module of the package: a private name is its own
    module's (a test may reach in; the package may not)."""
    found = []
    for path in sorted((ROOT / "qfin_docs").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        ours = {alias.asname or alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                and node.level for alias in node.names}                  # names bound by a relative import
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level:
                found += [f"{path.name}:{node.lineno} {alias.name}" for alias in node.names
                          if alias.name.startswith("_") and not alias.name.startswith("__")]
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ours \
                    and node.attr.startswith("_") and not node.attr.startswith("__"):
                found.append(f"{path.name}:{node.lineno} {node.value.id}.{node.attr}")
    assert found == []


def test_the_root_api_is_small_and_lazy():
    import subprocess as sp
    import sys as system
    import qfin_docs
    from qfin_docs.pipeline import build
    from qfin_docs.verify.strict import check_build
    assert qfin_docs.build is build and qfin_docs.check_build is check_build
    assert sorted(qfin_docs.__all__) == ["__version__", "build", "check_build", "load", "new_quarter", "tieout_draft"]
    loaded = sp.run([system.executable, "-c", "import sys, qfin_docs; print(sorted(m for m in sys.modules "
                     "if m.startswith('qfin_docs')))"], capture_output=True, text=True, check=True).stdout
    assert loaded.strip() == "['qfin_docs']"          # importing the package loads nothing else
