"""Weight files: listed by path and format, never opened."""

from __future__ import annotations

import os

from vlicense.discovery import sources


def test_weight_files_are_listed_without_being_opened(scan, monkeypatch):
    opened: list[str] = []
    real = sources.read_bytes

    def spy(path, limit):
        opened.append(os.path.basename(path))  # a Path or a str
        return real(path, limit)

    monkeypatch.setattr("vlicense.discovery.read_bytes", spy)
    d = scan(
        {
            "weights/best.pt": b"\x80\x04 not really a pickle",
            "models/vit/model.safetensors": b"{}",
            "export/model.onnx": b"",
            "m.GGUF": b"",
            "ckpt/last.ckpt": b"",
            "tests/fixtures/tiny.pth": b"",
            "data/image.png": b"",
            "app.py": "import torch\n",
            ".venv/lib/big.bin": b"",
        }
    )
    assert [(m.loader, m.name, m.variant, m.scope) for m in d.models] == [
        ("file", "ckpt/last.ckpt", "ckpt", "runtime"),
        ("file", "export/model.onnx", "onnx", "runtime"),
        ("file", "m.GGUF", "gguf", "runtime"),
        ("file", "models/vit/model.safetensors", "safetensors", "runtime"),
        ("file", "tests/fixtures/tiny.pth", "pth", "test"),
        ("file", "weights/best.pt", "pt", "runtime"),
    ]
    assert opened == ["app.py"]
