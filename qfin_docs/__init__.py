"""qfin-docs: an earnings release compiled from tagged facts."""

__all__ = ["__version__"]
__version__ = "0.1.0"
