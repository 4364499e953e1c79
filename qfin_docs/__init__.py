"""qfin-docs: an earnings release compiled from tagged facts.

The root API (imported on first use, so that the command line starts fast)::

    from qfin_docs import load, build, check_build, tieout_draft
    loaded = load(Path("releases/qfin-2024q2"))        # facts + taxonomy, or BadInput with every problem
    findings = build(Path("releases/qfin-2024q2"), Path("build/qfin-2024q2"))
    report = check_build(Path("releases/qfin-2024q2"), Path("build/qfin-2024q2"))
"""
from importlib import import_module

__version__ = "0.1.0"
_API = {"load": "facts.load", "build": "pipeline", "check_build": "verify.strict", "tieout_draft": "verify.tieout",
        "new_quarter": "quarter"}
__all__ = [*_API, "__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(import_module(f".{_API[name]}", __name__), name)
    raise AttributeError(f"module 'qfin_docs' has no attribute {name!r}")
