"""The command line and the shape of the code."""
from __future__ import annotations

import ast
import io
import subprocess
import sys
from pathlib import Path

from qfin_docs.cli import main

from conftest import MINI, RELEASE, ROOT


def test_help_lists_the_commands():
    script = Path(sys.executable).with_name("qfin-docs")
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=True)
    for command in ("build", "check", "tieout", "validate", "viewer", "facts", "stubs"):
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


def test_validate_and_viewer_commands(built):
    out, err = io.StringIO(), io.StringIO()
    assert main(["validate", str(RELEASE), "--out", str(built)], out, err) == 0, err.getvalue()
    assert out.getvalue().strip() == "Arelle: clean"
    assert main(["viewer", str(RELEASE), "--out", str(built)], out, err) == 0, err.getvalue()
    viewer = built / "viewer" / "qfin-20240630-viewer.htm"
    text = viewer.read_text(encoding="utf-8")
    assert "ixbrlviewer.js" in text and (viewer.parent / "ixbrlviewer.js").is_file()
    assert "https://" not in text.split("ixbrlviewer.js")[0][-200:], "the viewer script must be local"


LAYERS = {   # module -> project modules it may import
    "model": set(),
    "numbers": {"model"},
    "yamlio": {"model"},
    "taxonomy": {"model", "yamlio"},
    "load": {"model", "numbers", "taxonomy", "yamlio"},
    "checks": {"model"},
    "figures": {"checks", "load", "model", "numbers", "taxonomy"},
    "ixbrl": {"model"},
    "render": {"figures", "ixbrl", "model"},
    "pdf": {"model"},
    "stubs": {"ixbrl", "model"},
    "scan": {"numbers"},
    "report": {"model"},
    "drafts": {"model", "scan"},
}


def test_layering():
    """Each module imports only the layers below it; the model imports nothing of the project."""
    for name, allowed in LAYERS.items():
        tree = ast.parse((ROOT / "qfin_docs" / f"{name}.py").read_text(encoding="utf-8"))
        imported = {node.module.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module}
        assert imported <= allowed, f"{name} imports {sorted(imported - allowed)}"


def test_modules_and_functions_stay_small():
    for path in sorted((ROOT / "qfin_docs").glob("*.py")):
        source = path.read_text(encoding="utf-8")
        assert len(source.splitlines()) <= 450, f"{path.name} is too long"
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                length = node.end_lineno - node.lineno + 1
                assert length <= 75, f"{path.name}:{node.lineno} {node.name} has {length} lines"
