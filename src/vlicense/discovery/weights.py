"""Weight files in the tree, recorded by path and format only (never opened: pickles are hostile input)."""

from __future__ import annotations

from vlicense.discovery.loaders.base import weight_format
from vlicense.discovery.walk import ProjectFile
from vlicense.model import Location, ModelReference


def is_weight_file(rel: str) -> bool:
    return weight_format(rel) is not None


def weight_reference(pf: ProjectFile) -> ModelReference:
    """``file`` reference for a weight file: name = relative path, variant = format (suffix without the dot)."""
    return ModelReference(
        loader="file",
        name=pf.rel,
        location=Location(pf.rel, 0, 1, ""),
        variant=weight_format(pf.rel),
        scope=pf.scope,
    )
