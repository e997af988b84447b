"""Loads of a file a download of a known weight saves are that weight; the matching is by file name, not all pairs."""

from __future__ import annotations

import time

from vlicense.discovery.downloads import link_saved_files
from vlicense.model import Location, ModelReference


def download(path: str, line: int, saved_as: str, name: str = "sam_vit_h_4b8939.pth") -> ModelReference:
    return ModelReference("segment_anything", name, Location(path, line), url=f"https://x/{name}", saved_as=saved_as)


def load(path: str, line: int, name: str) -> ModelReference:
    return ModelReference("file", name, Location(path, line), "pth", api="torch.load")


def test_a_load_of_the_saved_path_is_the_downloaded_weight():
    refs = [download("setup.sh", 3, "/app/models/sam.pth"), load("app.py", 9, "models/sam.pth"), load("app.py", 10, "other.pth")]
    linked = link_saved_files(refs)
    assert [(r.loader, r.name, r.location.line) for r in linked] == [
        ("segment_anything", "sam_vit_h_4b8939.pth", 3), ("segment_anything", "sam_vit_h_4b8939.pth", 9), ("file", "other.pth", 10),
    ]
    assert linked[1].origins == (Location("setup.sh", 3),) and linked[1].api == "torch.load"


def test_a_path_two_weights_are_saved_as_stays_a_file():
    refs = [download("a.sh", 1, "w/model.pth"), download("b.sh", 1, "w/model.pth", name="sam_vit_b_01ec64.pth"),
            load("app.py", 2, "w/model.pth")]
    assert link_saved_files(refs)[2].loader == "file"


def test_many_downloads_and_loads_cost_linear_time():
    n = 5000
    refs = [download("get.sh", i, f"w/{i}.pth") for i in range(n)] + [load("app.py", i, f"w/x{i}.pth") for i in range(n)]
    start = time.perf_counter()
    linked = link_saved_files(refs)
    assert time.perf_counter() - start < 2.0  # all pairs would be 25 million path comparisons
    assert all(r.loader == "file" for r in linked[n:])
