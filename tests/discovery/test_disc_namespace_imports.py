"""Imports of namespace packages keep their dotted name: google.colab, google.cloud.storage and google.protobuf are
three unrelated distributions (and PyPI's "google" is none of them)."""

from __future__ import annotations

import pytest

SOURCE = """\
from google.colab import drive
import google.cloud.storage as gcs
from google.protobuf import message
import numpy
"""


@pytest.mark.parametrize("loads_a_model", [False, True], ids=["import-lexer path", "full-parse path"])
def test_namespace_imports_keep_their_dotted_name(scan, loads_a_model):
    code = SOURCE + ('from ultralytics import YOLO\nYOLO("yolov8n.pt")\n' if loads_a_model else "")
    d = scan({"app.py": code}, cache=False)
    modules = sorted({i.module for i in d.imports})
    expected = ["google.cloud.storage", "google.colab", "google.protobuf", "numpy"] + (["ultralytics"] if loads_a_model else [])
    assert modules == expected


def test_a_project_google_folder_stays_first_party(scan):
    d = scan({"google/__init__.py": "", "google/helpers.py": "X = 1\n", "app.py": "from google.helpers import X\n"}, cache=False)
    assert [i.module for i in d.imports] == []
