"""The HTML memo in real headless Chromium: it parses, shows verdict, findings and diagrams, and makes no request."""

from __future__ import annotations

import json
import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import pytest

from vlicense.model import AuditResult
from vlicense.report import render

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium); the HTML memo is only checked statically"
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
BEACON = '<img src="http://127.0.0.1:9/beacon.png" alt=""><link rel="stylesheet" href="http://127.0.0.1:9/x.css">'


def chromium(tmp_path: Path, page: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, page.as_uri()],  # type: ignore[list-item]
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def page_requests(netlog: Path) -> list[str]:
    """URLs the page asked for: the browser's own background traffic has no origin and is ignored."""
    data = json.loads(netlog.read_text(encoding="utf-8"))
    names = {v: k for k, v in data["constants"]["logEventTypes"].items()}
    out = []
    for event in data["events"]:
        params = event.get("params") or {}
        # The job's begin event carries url and initiator; a file:// page's requests have the opaque origin "null".
        if names.get(event["type"]) == "URL_REQUEST_START_JOB" and params.get("initiator", "not an origin") != "not an origin":
            out.append(params.get("url", "?"))
    return sorted(out)


def load(tmp_path: Path, html: str, name: str) -> tuple[str, list[str]]:
    page = tmp_path / f"{name}.html"
    page.write_text(html, encoding="utf-8")
    netlog = tmp_path / f"{name}.netlog.json"
    proc = chromium(tmp_path, page, f"--log-net-log={netlog}", "--dump-dom")
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, page_requests(netlog)


def test_chromium_renders_the_memo_without_requests(result: AuditResult, tmp_path: Path) -> None:
    dom, requests = load(tmp_path, render("html", result), "memo")
    assert "<h2>Verdict: FAIL</h2>" in dom
    assert len(re.findall(r'<article class="finding" id="finding-\d"', dom)) == 3
    for component in ("pypi:ultralytics", "ultralytics:yolo11n.pt", "timm:convnextv2_tiny.fcmae_ft_in22k_in1k"):
        assert f"<code>{component}</code>" in dom
    assert len(re.findall(r"<svg\b", dom)) == 3
    assert re.search(r'<g class="node target">.*?<text[^>]*>ultralytics:yolo11n\.pt</text>', dom)
    assert "<td><code>pypi:mystery</code></td>" in dom  # the inventory row
    assert requests == []


def test_csp_blocks_injected_requests(result: AuditResult, tmp_path: Path) -> None:
    memo = render("html", result)
    injected = memo.replace("</main>", BEACON + "</main>")
    _, blocked = load(tmp_path, injected, "with-csp")
    assert blocked == []
    # Control: the same page without the CSP meta tag does reach out, so the check above can fail.
    without_csp = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", injected)
    _, attempted = load(tmp_path, without_csp, "without-csp")
    assert any(url.startswith("http://127.0.0.1:9/") for url in attempted)


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into rows of raw pixels; enough for colour checks."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        body = data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows: list[bytes] = []
    prev = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        ftype, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xFF
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xFF
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xFF
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
        rows.append(bytes(line) if bpp == 3 else bytes(v for j, v in enumerate(line) if j % 4 != 3))
        prev = line
    return width, height, rows


def test_screenshot_shows_a_red_fail_verdict(result: AuditResult, tmp_path: Path) -> None:
    page = tmp_path / "memo.html"
    page.write_text(render("html", result), encoding="utf-8")
    shot = tmp_path / "memo.png"
    proc = chromium(tmp_path, page, "--window-size=900,520", f"--screenshot={shot}")
    assert proc.returncode == 0 and shot.is_file(), proc.stderr[-2000:]
    width, height, rows = _png_pixels(shot)
    assert (width, height) == (900, 520)
    pixels = b"".join(rows)
    counts = {
        name: sum(1 for i in range(0, len(pixels), 3) if pixels[i : i + 3] == colour)
        for name, colour in {"fail-bg": bytes.fromhex("fef3f2"), "paper": bytes.fromhex("ffffff")}.items()
    }
    # The verdict box (pale red) is above the fold and the memo sheet is white: a blank or unstyled page fails.
    assert counts["fail-bg"] > 20_000, counts
    assert counts["paper"] > 150_000, counts


def test_chromium_renders_the_model_hygiene_section(tmp_path: Path) -> None:
    import datetime
    import textwrap

    from vlicense.pipeline import AuditOptions, run_audit

    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(textwrap.dedent("""
        from PIL import Image
        from torchvision import transforms
        from torchvision.models import ResNet50_Weights, resnet50

        model = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2).eval()
        tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor()])
        logits = model(tf(Image.open("a.jpg")).unsqueeze(0))
    """), encoding="utf-8")
    clock = lambda: datetime.datetime(2026, 12, 5, tzinfo=datetime.timezone.utc)  # noqa: E731
    result = run_audit(AuditOptions(path=project, offline=True, python="none", cache=False), clock=clock)
    dom, requests = load(tmp_path, render("html", result), "hygiene")
    section = dom.split('<section id="hygiene">', 1)[1].split("</section>", 1)[0]
    assert "<h2>Model hygiene</h2>" in section and 'id="hygiene-1"' in section and 'id="hygiene-2"' in section
    assert "Pretrained model fed unnormalized inputs" in section and "resize to 256 before the 224x224 crop" in section
    assert "<code>preprocess = ResNet50_Weights.IMAGENET1K_V2.transforms()</code>" in section
    assert requests == []
