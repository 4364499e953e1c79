"""A release's own taxonomy: the axes, members and extension concepts a release declares for itself (a new
segmentation), in the file ``taxonomy:`` names in its release.yaml (see :func:`taxonomy.extend_taxonomy`)."""
from __future__ import annotations

from pathlib import Path

from ..model import Problem, Source, Taxonomy, shown_path
from .taxonomy import extend_taxonomy
from .yamlio import line_of, read_yaml


def release_taxonomy(release_dir: Path, taxonomy: Taxonomy) -> tuple[Taxonomy | None, list[Problem]]:
    """The taxonomy with the release's own axes, members and concepts (the file ``taxonomy:`` names in
    release.yaml); a release.yaml that cannot be read is left to :func:`load_release` to report."""
    from .load import jail_problem        # load reads the release with this taxonomy: imported when called
    name = shown_path(release_dir / "release.yaml")
    data, problems = ({}, ["outside"]) if jail_problem(release_dir, "release.yaml") else read_yaml(release_dir /
                                                                                                  "release.yaml", name)
    relative = data.get("taxonomy") if not problems and isinstance(data, dict) else None
    if not isinstance(relative, str):
        return taxonomy, []
    refused = jail_problem(release_dir, relative) or (None if (release_dir / relative).is_file() else
                                                      f"taxonomy file '{relative}' does not exist")
    if refused:
        return None, [Problem(Source(name, line_of(data, ["taxonomy"])), "QF-FILE-READ", refused)]
    return extend_taxonomy(taxonomy, release_dir / relative, shown_path(release_dir / relative))
