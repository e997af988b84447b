"""Dockerfiles, shell scripts and Makefiles: yolo CLI, hf download, weight URLs, pip installs, variables, comments."""

from __future__ import annotations

import pytest

from vlicense.discovery import shell
from vlicense.discovery.shell import file_kind, scan_shell_text


def models(result):
    return [(m.loader, m.name, m.variant, m.location.line) for m in result.models]


def unresolved(result):
    return [(u.loader, u.expression, u.reason, u.location.line) for u in result.unresolved]


def reqs(result):
    return [(r.name, r.specifier, r.group, r.location.line) for r in result.requirements]


@pytest.mark.parametrize(
    "rel,kind",
    [
        ("Dockerfile", "docker"), ("docker/Dockerfile.gpu", "docker"), ("api.Dockerfile", "docker"),
        ("Containerfile", "docker"), ("scripts/train.sh", "shell"), ("x.bash", "shell"), ("Makefile", "make"),
        ("rules.mk", "make"), ("dockerfile_notes.md", None), ("train.py", None), ("docker-compose.yml", None),
        ("shell.zsh-theme", None),
    ],
)  # fmt: skip
def test_which_files(rel, kind):
    assert file_kind(rel) == kind
    assert shell.matches(rel) is (kind is not None)


DOCKERFILE = """
# syntax=docker/dockerfile:1
FROM python:3.11-slim
ARG MODEL=yolov8n.pt
ARG UNSET_ARG
ENV HF_MODEL_ID=facebook/detr-resnet-50 \\
    LOG_LEVEL=info
# RUN wget https://github.com/ultralytics/assets/releases/download/v8.2.0/commented.pt
RUN --mount=type=cache,target=/root/.cache pip install --no-cache-dir \\
      "ultralytics>=8.1" \\
      # a comment line inside the instruction
      torch==2.3.0 -r requirements.txt . && \\
    wget -q https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8m.pt && \\
    curl -L -o r.pth https://download.pytorch.org/models/resnet50-11ad3fa6.pth
RUN yolo export model=${MODEL} format=onnx
RUN echo "yolo predict model=echoed.pt" > /dev/null
COPY weights/best.pt /app/weights/best.pt
CMD ["yolo", "predict", "model=weights/best.pt", "source=0"]
"""


def test_dockerfile(scan_file):
    result = scan_file(shell, "Dockerfile", DOCKERFILE, extra={"weights/best.pt": b"x"})
    assert models(result) == [
        ("ultralytics", "yolov8n.pt", None, 3),
        ("huggingface", "facebook/detr-resnet-50", None, 5),
        ("ultralytics", "yolov8m.pt", None, 12),
        ("torchvision", "", "ResNet50_Weights.IMAGENET1K_V2", 13),
        ("ultralytics", "yolov8n.pt", "YOLO", 14),
        ("file", "weights/best.pt", "pt", 17),
    ]
    assert reqs(result) == [("ultralytics", ">=8.1", "docker", 9), ("torch", "==2.3.0", "docker", 11)]
    assert not result.unresolved and not result.skipped
    wget = result.models[2]
    assert (wget.location.column, wget.api) == (13, "wget")
    assert wget.location.snippet.startswith("wget -q https://github.com/ultralytics/assets")


def test_dockerfile_exec_form_heredoc_and_escape_directive(scan_file):
    text = """
    # escape=`
    FROM mcr.microsoft.com/windows/servercore
    RUN pip install `
        timm
    RUN <<EOF
    yolo predict model=yolo11n.pt
    pip install open_clip_torch
    EOF
    RUN python3 <<PY
    print("yolo predict model=not-a-command.pt")
    PY
    ENTRYPOINT ["sh", "-c", "huggingface-cli download google/vit-base-patch16-224"]
    """
    result = scan_file(shell, "win.Dockerfile", text)
    assert models(result) == [
        ("ultralytics", "yolo11n.pt", "YOLO", 6),
        ("huggingface", "google/vit-base-patch16-224", None, 12),
    ]
    assert reqs(result) == [("timm", "", "docker", 4), ("open-clip-torch", "", "docker", 7)]



def test_dockerfile_add_downloads_a_url_into_the_image(scan_file):
    # ``ADD <url> <dest>`` fetches the URL at build time (Docker ADD docs): a download like ``RUN wget``.
    text = """
    FROM python:3.11-slim
    ENV APP_ROOT=/opt/app
    ADD https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n.pt ${APP_ROOT}/weights/
    ADD --checksum=sha256:0123 https://dl.example.org/ckpt/sam_custom.pt ${APP_ROOT}/checkpoints/sam.pt
    ADD ["https://example.org/v2/model.onnx", "/models/"]
    ADD https://example.org/data/images.zip requirements.txt /app/
    ADD https://example.org/$VERSION/weights.pth /w/
    ADD ./local.pt /app/local.pt
    """
    result = scan_file(shell, "Dockerfile", text)
    assert models(result) == [
        ("ultralytics", "yolo11n.pt", None, 3),
        ("file", "/opt/app/checkpoints/sam.pt", "pt", 4),
        ("file", "/models/model.onnx", "onnx", 5),
    ]
    assert result.models[1].url == "https://dl.example.org/ckpt/sam_custom.pt"
    assert result.models[1].api == "Dockerfile ADD"
    assert unresolved(result) == [("file", "https://example.org/$VERSION/weights.pth", "shell variable $VERSION is not set in this file", 7)]


def test_download_command_and_url_through_variables(scan_file):
    # sam2's checkpoints/download_ckpts.sh: the downloader and each URL are variables set earlier in the script.
    text = """
    if command -v wget &> /dev/null; then
        CMD="wget"
    elif command -v curl &> /dev/null; then
        CMD="curl -L -O"
    fi
    BASE_URL="https://dl.example.org/sam_2/092824"
    tiny_url="${BASE_URL}/sam2.1_hiera_tiny.pt"
    echo "Downloading sam2.1_hiera_tiny.pt checkpoint..."
    $CMD $tiny_url || { echo "Failed to download checkpoint from $tiny_url"; exit 1; }
    wget "$tiny_url" -O weights/tiny.pt
    $UNSET_TOOL $tiny_url
    data_url="https://dl.example.org/data/annotations.zip"
    $CMD $data_url
    """
    result = scan_file(shell, "checkpoints/download_ckpts.sh", text)
    assert models(result) == [
        ("file", "sam2.1_hiera_tiny.pt", "pt", 9),
        ("file", "weights/tiny.pt", "pt", 10),
    ]
    assert not result.unresolved


SCRIPT = """
#!/usr/bin/env bash
set -euo pipefail
MODEL=${1:-yolov8n.pt}   # default model
export HF_REPO="microsoft/resnet-50"
# yolo predict model=commented.pt
echo "yolo predict model=echoed.pt"
if [ ! -f weights/x.pt ]; then
  wget https://huggingface.co/Ultralytics/YOLOv8/resolve/main/yolov8n.pt -O weights/x.pt
fi
yolo detect train data=coco8.yaml model=$MODEL epochs=1 2>&1 | tee log.txt
yolo settings
yolo val data=coco8.yaml
hf download $REPO
huggingface-cli download --repo-type dataset ylecun/mnist
huggingface-cli download --include "*.safetensors" "*.json" --revision v1.0 \\
    google/vit-base-patch16-224
python -m pip install -U "transformers[torch]>=4.40" -r requirements.txt ./local_pkg
uv pip install timm
cat > notes.txt <<EOT
yolo predict model=heredoc.pt
EOT
git clone https://huggingface.co/facebook/detr-resnet-50
curl -O https://example.com/weights/mystery.safetensors
curl https://example.com/index.html
sudo -E uv run yolo predict model=rtdetr-l.pt
yolo predict model=missing-$VERSION.pt
"""


def test_shell_script(scan_file):
    result = scan_file(shell, "scripts/run.sh", SCRIPT, scope="script")
    assert models(result) == [
        ("ultralytics", "yolov8n.pt", None, 3),
        ("huggingface", "microsoft/resnet-50", None, 4),
        ("huggingface", "Ultralytics/YOLOv8", "yolov8n.pt", 8),
        ("ultralytics", "yolov8n.pt", "YOLO", 10),
        ("ultralytics", "yolo26n.pt", "YOLO", 12),
        ("huggingface", "google/vit-base-patch16-224", None, 16),
        ("huggingface", "facebook/detr-resnet-50", None, 22),
        # A weight file from an unknown host: the file the command saves, with its URL (license unknown).
        ("file", "mystery.safetensors", "safetensors", 23),
        ("ultralytics", "rtdetr-l.pt", "RTDETR", 25),
    ]
    assert result.models[7].url == "https://example.com/weights/mystery.safetensors"
    assert {m.scope for m in result.models} == {"script"}
    vit = result.models[5]
    assert (vit.revision, vit.api) == ("v1.0", "huggingface-cli download")
    assert "default weights in ultralytics" in result.models[4].api
    assert unresolved(result) == [
        ("huggingface", "$REPO", "shell variable $REPO is not set in this file", 13),
        ("huggingface", "ylecun/mnist", "repo_type dataset: only model repositories are audited", 14),
        ("ultralytics", "model=missing-$VERSION.pt", "shell variable $VERSION is not set in this file", 26),
    ]
    assert reqs(result) == [("transformers", "[torch]>=4.40", "script", 17), ("timm", "", "script", 18)]


def test_unquoted_redirect_in_pip_install_is_what_the_shell_does(scan_file):
    # ``pip install ultralytics>=8.1`` unquoted redirects output to a file named ``=8.1``: no version constraint.
    result = scan_file(shell, "setup.sh", "pip install ultralytics>=8.1 numpy\n")
    assert reqs(result) == [("ultralytics", "", "script", 1), ("numpy", "", "script", 1)]


def test_look_alikes_in_scripts(scan_file):
    result = scan_file(
        shell,
        "look.sh",
        """
        echo yolo predict model=yolov8n.pt
        printf 'huggingface-cli download org/name\\n'
        grep -r "wget https://download.pytorch.org/models/resnet50-11ad3fa6.pth" docs/
        pip download ultralytics
        pip show timm
        conda install pytorch
        myyolo predict model=yolov8n.pt
        yolo help
        yolo version
        yolo checks
        hf upload org/name ./out
        """,
    )
    assert not (result.models or result.unresolved or result.requirements or result.skipped)


def test_makefile(scan_file):
    result = scan_file(
        shell,
        "Makefile",
        """
        WEIGHTS ?= yolov8s.pt
        IMAGE := app

        predict:
        \t@yolo predict model=$(WEIGHTS) source=img.jpg
        download:
        \twget https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n-seg.pt
        install:
        \tpip install -e . "timm==1.0.9"
        echo:
        \t# yolo predict model=commented.pt
        """,
    )
    assert models(result) == [
        ("ultralytics", "yolov8s.pt", None, 1),
        ("ultralytics", "yolov8s.pt", "YOLO", 5),
        ("ultralytics", "yolo11n-seg.pt", None, 7),
    ]
    assert reqs(result) == [("timm", "==1.0.9", "script", 9)]


def test_scan_shell_text_offsets_for_embedding_callers():
    # Notebook ``!`` lines and CI ``run:`` blocks: line numbers are the host file's.
    result = scan_shell_text("yolo predict model=yolov8n.pt\npip install timm\n", "nb.ipynb", "notebook", first_line=40)
    assert models(result) == [("ultralytics", "yolov8n.pt", "YOLO", 40)]
    assert reqs(result) == [("timm", "", "script", 41)]
    assert result.models[0].location.snippet == "yolo predict model=yolov8n.pt"


def test_unbalanced_quotes_and_garbage_never_raise(scan_file, project):
    result = scan_file(shell, "bad.sh", "yolo predict model=yolov8n.pt 'unterminated\n\x1b[0m ))) ;;; &&& <<\n")
    assert models(result) == [("ultralytics", "yolov8n.pt", "YOLO", 1)]
    binary = scan_file(shell, "bin.sh", b"\x7fELF\x00\x00")
    assert binary.skipped[0].reason == "shell script not scanned: binary file (contains NUL bytes)"
    huge = scan_file(shell, "Dockerfile", "RUN echo hi\n" * 300_000)
    assert huge.skipped[0].reason == "Dockerfile not scanned: file larger than 2 MB"
    (project / "dir.sh").mkdir()
    assert shell.scan(project / "dir.sh", "dir.sh", "runtime").skipped


def test_registered():
    from vlicense.discovery import registry

    assert [e.name for e in registry.scanners_for("docker/Dockerfile") if e.name == "shell"] == ["shell"]
    assert [e.version for e in registry.scanners_for("x.sh") if e.name == "shell"] == [shell.SCANNER_VERSION]


def _doubling(assign: str, ref: str, n: int = 60) -> list[str]:
    """``a1="$a0$a0"`` ... : each line doubles the value (2**60 characters if expanded)."""
    return [assign.format(i=i, value=ref.format(i - 1) * 2) for i in range(1, n)]


@pytest.mark.parametrize(
    ("rel", "lines", "line"),
    [
        ("get.sh", ['a0="x"', *_doubling('a{i}="{value}"', "$a{}"), "wget $a59",
                    "wget https://github.com/ultralytics/assets/releases/download/v8.3.0/yolov8n.pt"], 62),
        ("Dockerfile", ["FROM python:3.11", "ENV A0=x", *_doubling("ENV A{i}={value}", "${{A{}}}"), "RUN wget $A59",
                        "RUN wget https://github.com/ultralytics/assets/releases/download/v8.3.0/yolov8n.pt"], 63),
        ("Makefile", ["A0 = x", *_doubling("A{i} = {value}", "$(A{})"), "get:",
                      "\twget $(A59)", "\twget https://github.com/ultralytics/assets/releases/download/v8.3.0/yolov8n.pt"], 63),
    ],
)
def test_variables_that_double_each_line_stay_small(scan_file, rel, lines, line):
    import time

    start = time.perf_counter()
    result = scan_file(shell, rel, "\n".join(lines) + "\n")
    assert time.perf_counter() - start < 2.0  # expanded, the last variable would be 2**59 characters
    assert [(m.loader, m.name, m.location.line) for m in result.models] == [("ultralytics", "yolov8n.pt", line)]
