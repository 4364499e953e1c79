"""Verification: the strict check of a build, the tie-out of drafts, Arelle, the redline."""
