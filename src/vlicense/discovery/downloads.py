"""A weight file the code loads that a download in the project saves is the downloaded weight, not an unknown file."""

from __future__ import annotations

import dataclasses

from vlicense.model import ModelReference


def link_saved_files(refs: list) -> list:
    """Replace each ``file`` load whose path is where a download of a known weight saves it (``!wget URL -O x.pth``
    then ``torch.load("x.pth")``) by that weight, at the load site, with the download as its origin (the code
    writes a path; the download says which weight it is). Paths match when one ends with the other on a folder
    boundary (``/app/models/x.pth`` is ``models/x.pth`` run from /app); a path two weights are saved as stays a file."""
    # Keyed by file name: only paths with the same last part can be the same file (no all-pairs comparison).
    saved: dict[str, dict[str, set[ModelReference]]] = {}
    for ref in refs:
        if isinstance(ref, ModelReference) and ref.saved_as and ref.loader != "file":
            where = ref.saved_as.lstrip("/")
            saved.setdefault(where.rpartition("/")[2], {}).setdefault(where, set()).add(ref)
    if not saved:
        return refs
    return [_linked(ref, saved) if isinstance(ref, ModelReference) and ref.loader == "file" and not ref.url else ref for ref in refs]


def _linked(ref: ModelReference, saved: dict[str, dict[str, set[ModelReference]]]) -> ModelReference:
    path = ref.name.lstrip("/")
    candidates = saved.get(path.rpartition("/")[2], {})
    found = {d for where, downloads in candidates.items() if _same_file(path, where) for d in downloads}
    if len({(d.loader, d.name, d.variant) for d in found}) != 1:
        return ref
    download = min(found, key=lambda d: (d.location.path, d.location.line))
    return dataclasses.replace(download, location=ref.location, api=ref.api, scope=ref.scope, found_by=ref.found_by,
                               origins=(download.location,), saved_as=None)


def _same_file(a: str, b: str) -> bool:
    return a == b or a.endswith("/" + b) or b.endswith("/" + a)
