"""A plain KnowledgeBase.load() stays fast (it runs on every audit and in the pre-commit hook)."""

from __future__ import annotations

import subprocess
import sys


def test_load_time_in_a_fresh_interpreter() -> None:
    code = (
        "import time; t=time.perf_counter();"
        "from vlicense.knowledge.knowledge_base import KnowledgeBase;"
        "t1=time.perf_counter(); kb=KnowledgeBase.load(); t2=time.perf_counter();"
        "kb.model('timm:resnet50'); kb.model('ultralytics:yolo11n.pt');"
        "print(f'{(t1-t)*1000:.1f} {(t2-t1)*1000:.1f}')"
    )
    best = None
    for _ in range(3):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        import_ms, load_ms = (float(x) for x in out.split())
        best = load_ms if best is None else min(best, load_ms)
    print(f"KnowledgeBase.load(): {best:.1f} ms (import {import_ms:.1f} ms)")
    assert best < 150, f"KnowledgeBase.load() took {best:.1f} ms"
