"""A weight file the code loads that a download in the project saves is the downloaded weight (discovery/downloads.py)."""

from __future__ import annotations

from vlicense.discovery import discover

SAM_URL = "https://dl.fbaipublicfiles.com/segment_anything/sam_vit_b_01ec64.pth"
YOLOV5_URL = "https://github.com/ultralytics/yolov5/releases/download/v7.0/yolov5s.pt"


def _models(root) -> set[tuple[str, str, str, int]]:
    return {(m.loader, m.name, m.location.path, m.location.line) for m in discover(root, cache=False).models}


def test_a_load_of_the_saved_file_is_the_downloaded_weight(tmp_path):
    (tmp_path / "Dockerfile").write_text(f"FROM python:3.11\nRUN curl -L -o /srv/ckpt/encoder.pth {SAM_URL}\n")
    (tmp_path / "app.py").write_text('import torch\nstate = torch.load("ckpt/encoder.pth")\n')
    found = discover(tmp_path, cache=False).models
    load = next(m for m in found if m.location.path == "app.py")
    assert (load.loader, load.name) == ("segment_anything", "sam_vit_b_01ec64.pth")
    assert [(o.path, o.line) for o in load.origins] == [("Dockerfile", 2)]
    assert ("segment_anything", "sam_vit_b_01ec64.pth", "Dockerfile", 2) in _models(tmp_path)


def test_other_files_and_ambiguous_paths_stay_files(tmp_path):
    (tmp_path / "get.sh").write_text(f"wget -O a/model.pt {SAM_URL}\nwget -O b/model.pt {YOLOV5_URL}\n")
    (tmp_path / "app.py").write_text('import torch\nx = torch.load("model.pt")\ny = torch.load("other.pth")\n'
                                     'z = torch.load("b/model.pt")\n')
    loads = {(m.loader, m.name) for m in discover(tmp_path, cache=False).models if m.location.path == "app.py"}
    # model.pt is saved as two different weights: which one loads is not known; other.pth is no download's file.
    assert loads == {("file", "model.pt"), ("file", "other.pth"), ("yolov5", "yolov5s.pt")}


def test_a_python_download_call_links_too(tmp_path):
    (tmp_path / "fetch.py").write_text(
        "import torch\n"
        f'torch.hub.download_url_to_file("{YOLOV5_URL}", "weights/det.pt")\n'
        'model = torch.load("weights/det.pt")\n'
    )
    assert ("yolov5", "yolov5s.pt", "fetch.py", 3) in _models(tmp_path)
