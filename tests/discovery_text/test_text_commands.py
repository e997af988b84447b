"""Command lines that download or pass weights: wget/curl/aria2c/axel/gdown, ``sh -c``, Python script options."""

from __future__ import annotations

import pytest

from vlicense.discovery import cmdline, shell

RELEASE = "https://github.com/org/repo/releases/download/v1.0"


def found(result):
    models = [(m.loader, m.name, m.url, m.location.line) for m in result.models]
    unresolved = [(u.expression, u.reason, u.location.line) for u in result.unresolved]
    return models, unresolved


def test_downloaders_save_weights_where_the_command_says(scan_file):
    result = scan_file(
        shell,
        "get.sh",
        f"""
        wget -q {RELEASE}/a.pth -P ./weights
        wget {RELEASE}/b.pth -O checkpoints/renamed.pth
        wget --directory-prefix=models {RELEASE}/c.onnx
        curl -L -o d.safetensors "{RELEASE}/d.safetensors?download=true"
        curl -LO {RELEASE}/e.ckpt
        aria2c -x 16 -d ckpt -o f.pt {RELEASE}/f.pt
        axel -n 4 -o g.bin {RELEASE}/g.bin
        gdown --id 1AbCdEfGhIjKlMnOpQrStUvWxYz -O weights/h.pth
        gdown https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz -O weights/i.pt
        wget https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8s.pt -P weights
        """,
    )
    models, unresolved = found(result)
    assert models == [
        ("file", "weights/a.pth", f"{RELEASE}/a.pth", 1),
        ("file", "checkpoints/renamed.pth", f"{RELEASE}/b.pth", 2),
        ("file", "models/c.onnx", f"{RELEASE}/c.onnx", 3),
        ("file", "d.safetensors", f"{RELEASE}/d.safetensors?download=true", 4),
        ("file", "e.ckpt", f"{RELEASE}/e.ckpt", 5),
        ("file", "ckpt/f.pt", f"{RELEASE}/f.pt", 6),
        ("file", "g.bin", f"{RELEASE}/g.bin", 7),
        ("file", "weights/h.pth", "https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz", 8),
        ("file", "weights/i.pt", "https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz", 9),
        # A known asset is the component itself, wherever it is saved.
        ("ultralytics", "yolov8s.pt", None, 10),
    ]
    assert unresolved == []


def test_downloads_of_data_pages_and_stdout_are_not_loads(scan_file):
    result = scan_file(
        shell,
        "data.sh",
        f"""
        wget https://example.com/datasets/coco128.zip -P data
        wget https://raw.githubusercontent.com/org/repo/main/README.md
        wget https://example.com/images/bus.jpg -O bus.jpg
        curl {RELEASE}/a.pth | sha256sum
        curl -s https://example.com/install.sh | sh
        gdown --id 1L7ulhn4VeN-2aOM-fYmljza_TQok-j9F -O unsplash-dataset/features.npy
        gdown 1L7ulhn4VeN-2aOM-fYmljza_TQok-j9F
        echo wget {RELEASE}/a.pth
        """,
    )
    assert found(result) == ([], [])


def test_download_with_unknown_variables(scan_file):
    result = scan_file(shell, "v.sh", f"wget {RELEASE}/$NAME.pth\nwget {RELEASE}/known.pth -P $DEST\n")
    models, unresolved = found(result)
    assert models == [("file", "known.pth", f"{RELEASE}/known.pth", 2)]  # the folder is unknown, the name is not
    assert unresolved == [(f"{RELEASE}/$NAME.pth", "shell variable $NAME is not set in this file", 1)]


def test_sh_c_strings_are_scripts(scan_file):
    result = scan_file(
        shell,
        "Dockerfile",
        """
        FROM python:3.11
        ARG WEIGHTS=yolov8m.pt
        RUN /bin/sh -c 'cd /app && yolo predict model=/app/models/yolov8m.pt source=img.jpg'
        RUN ["bash", "-c", "wget https://github.com/org/repo/releases/download/v1.0/x.pth -P /w"]
        CMD bash -lc "yolo detect predict model=$WEIGHTS"
        RUN sh -c "echo yolo predict model=echoed.pt"
        """,
    )
    models, unresolved = found(result)
    assert models == [
        ("ultralytics", "yolov8m.pt", None, 2),  # WEIGHTS=yolov8m.pt: a model-ish build argument
        ("ultralytics", "/app/models/yolov8m.pt", None, 3),
        ("file", "/w/x.pth", f"{RELEASE}/x.pth", 4),
        ("ultralytics", "yolov8m.pt", None, 5),
    ]
    assert unresolved == []


def test_yolo_cli_forms(scan_file):
    result = scan_file(
        shell,
        "yolo.sh",
        """
        yolo task=detect mode=train model=yolov8s.pt data=coco8.yaml
        yolo detect predict model=yolo11n.pt
        yolo task=detect mode=predict source=img.jpg
        yolo train data=coco8.yaml model=yolov8n.yaml
        yolo settings sync=False
        """,
    )
    assert [(m.name, m.location.line) for m in result.models] == [("yolov8s.pt", 1), ("yolo11n.pt", 2), ("yolo26n.pt", 3)]


def test_python_script_options(scan_file):
    result = scan_file(
        shell,
        "run.sh",
        """
        python train.py --img 416 --weights yolov8s.pt --data data.yaml
        python3 -u detect.py --weights 'runs/train/exp/weights/best.pt' --conf 0.4
        uv run neural_style/neural_style.py eval --model saved_models/candy.pth --output-image out.jpg
        torchrun --nproc_per_node 2 train.py --resume=ckpt/last.pth.tar
        accelerate launch finetune.py --model_name_or_path google/vit-base-patch16-224
        python -m tools.demo -c /content/yolox_s.pth
        python train.py --resume $CKPT --epochs 3
        python export.py --weights best.pt --output model.onnx --save-dir out/
        python train.py --model resnet50 --pretrained
        python -c "import torch; torch.load('x.pt')"
        python train.py --lr -0.1 --config configs/x.yaml
        """,
    )
    models, unresolved = found(result)
    assert models == [
        ("ultralytics", "yolov8s.pt", None, 1),
        ("file", "runs/train/exp/weights/best.pt", None, 2),
        ("file", "saved_models/candy.pth", None, 3),
        ("file", "ckpt/last.pth.tar", None, 4),
        ("huggingface", "google/vit-base-patch16-224", None, 5),
        ("file", "/content/yolox_s.pth", None, 6),
        ("file", "best.pt", None, 8),
    ]
    assert unresolved == [("--resume $CKPT", "shell variable $CKPT is not set in this file", 7)]


def test_script_option_helpers():
    assert cmdline.script_options("bash", ["bash", "x.sh", "--weights", "a.pt"]) == []
    assert [o.option for o in cmdline.script_options("python", ["python", "-W", "ignore", "t.py", "-c", "a.pth"])] == ["-c"]
    assert cmdline.shell_script("bash", ["bash", "run.sh", "-c", "x"]) is None
    assert cmdline.shell_script("sh", ["sh", "-ec", "wget x"]) == (2, "wget x")
    download = cmdline.downloads("wget", ["wget", "-Oout.pth", "https://h/x.pth"])
    assert [(d.url, cmdline.saved_path(d)) for d in download] == [("https://h/x.pth", "out.pth")]


@pytest.mark.parametrize("program", ["wget", "curl", "gdown", "aria2c", "axel"])
def test_downloaders_without_a_url_find_nothing(program):
    assert cmdline.downloads(program, [program, "--help"]) == []


def test_catalog_command_lines_optimum_and_mim(scan_file):
    result = scan_file(
        shell,
        "export.sh",
        """
        optimum-cli export onnx --model google/owlv2-base-patch16-ensemble owlv2_onnx/
        optimum-cli export onnx -m facebook/detr-resnet-50 --task object-detection detr/
        mim download mmdet --config rtmdet_tiny_8xb32-300e_coco --dest .
        mim install mmdet
        optimum-cli env
        """,
    )
    assert [(m.loader, m.name, m.location.line) for m in result.models] == [
        ("huggingface", "google/owlv2-base-patch16-ensemble", 1),
        ("huggingface", "facebook/detr-resnet-50", 2),
        ("mmdet", "rtmdet_tiny_8xb32-300e_coco", 3),
    ]


def test_vision_tower_options_name_hub_models(scan_file):
    # LLaVA-style training scripts pass the pretrained vision encoder as --vision_tower (a Hub id); before
    # ``tower`` counted as a model word only --model_name_or_path was found.
    result = scan_file(
        shell,
        "finetune.sh",
        """
        deepspeed llava/train/train_mem.py \\
            --model_name_or_path lmsys/vicuna-13b-v1.5 \\
            --vision_tower openai/clip-vit-large-patch14-336 \\
            --mm_vision_tower_lr 2e-6 \\
            --tune_vision_tower False
        """,
    )
    models, unresolved = found(result)
    assert models == [
        ("huggingface", "lmsys/vicuna-13b-v1.5", None, 2),
        ("huggingface", "openai/clip-vit-large-patch14-336", None, 3),
    ]
    assert unresolved == []


def test_archive_downloaded_into_a_weights_folder_is_weights(scan_file):
    # latent-diffusion's scripts/download_first_stages.sh fetches zipped checkpoints into models/...; an archive
    # saved anywhere else is a dataset or code, as before.
    result = scan_file(
        shell,
        "download.sh",
        """
        wget -O models/first_stage_models/kl-f8/model.zip https://ommer-lab.com/files/latent-diffusion/kl-f8.zip
        wget -O data/coco/val2017.zip http://images.cocodataset.org/zips/val2017.zip
        curl -L https://example.com/pack.tar.gz -o checkpoints/pack.tar.gz
        wget https://example.com/src.zip
        """,
    )
    models, unresolved = found(result)
    assert models == [
        ("file", "models/first_stage_models/kl-f8/model.zip", "https://ommer-lab.com/files/latent-diffusion/kl-f8.zip", 1),
        ("file", "checkpoints/pack.tar.gz", "https://example.com/pack.tar.gz", 3),
    ]
    assert [m.variant for m in result.models] == ["zip", "tar.gz"]
    assert unresolved == []
