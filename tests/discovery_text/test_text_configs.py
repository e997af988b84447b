"""Config files (YAML, JSON, TOML, INI/CFG): model-ish keys, value shapes, exact positions, look-alikes, bad input."""

from __future__ import annotations

import json

import pytest

from vlicense.discovery import configs
from vlicense.discovery.configs import config_kind, is_model_key


def models(result):
    return [(m.loader, m.name, m.variant, m.location.line) for m in result.models]


def unresolved(result):
    return [(u.loader, u.expression, u.reason, u.location.line) for u in result.unresolved]


def nothing(result):
    return not (result.models or result.unresolved or result.requirements or result.skipped)


# ------------------------------------------------------------------------------------------------ keys


@pytest.mark.parametrize(
    "key",
    [
        "model", "MODEL", "Model_Name", "model-name", "model_id", "weights", "weights_path", "ckpt", "ckpt_path",
        "checkpoint_file", "backbone", "arch", "encoder", "pretrained", "pretrained_model_name_or_path", "repo_id",
        "hf_model", "detector", "classifier", "segmenter", "teacher_model", "sam_checkpoint", "YOLO_WEIGHTS",
        "HF_MODEL_ID", "load_from", "_name_or_path", "model.name", "base_model",
        "pretrain_network_g", "pretrain_network_d", "pretrained_resource", "resume_from", "text_encoder_type",
        "from_pretrained", "init_cfg.checkpoint", "MODEL.WEIGHTS", "vision_tower", "mm_vision_tower", "image_tower",
    ],
)  # fmt: skip
def test_model_ish_keys(key):
    assert is_model_key(key)


@pytest.mark.parametrize(
    "key",
    [
        "name", "path", "image", "uses", "run", "model_type", "model_config", "num_models", "architectures",
        "MODEL_CACHE_DIR", "encoder_layers", "data", "train", "val", "names", "download", "python-version",
        "name_or_path", "tokenizer", "", "weights_decay_rate", "freeze_backbone", "use_pretrained", "n_models",
        "strict_load_g", "resume_state", "param_key_g",
    ],
)  # fmt: skip
def test_look_alike_keys_are_not_model_keys(key):
    assert not is_model_key(key)


@pytest.mark.parametrize(
    "rel,kind",
    [
        ("cfg/train.yaml", "yaml"), ("a.YML", "yaml"), ("config.json", "json"), ("app.toml", "toml"),
        ("pyproject.toml", "toml"), ("setup.cfg", "ini"), ("tox.ini", "ini"),
        ("package.json", None), ("web/package-lock.json", None), ("x.lock.json", None), ("tsconfig.json", None),
        ("pylock.toml", None), ("pylock.dev.toml", None), ("nb.ipynb", None), ("main.py", None), ("uv.lock", None),
    ],
)  # fmt: skip
def test_which_files_are_configs(rel, kind):
    assert config_kind(rel) == kind
    assert configs.matches(rel) is (kind is not None)


# --------------------------------------------------------------------------------------- real-life YAML


def test_ultralytics_training_args_yaml(scan_file):
    result = scan_file(
        configs,
        "runs/detect/train/args.yaml",
        """
        task: detect
        mode: train
        model: yolov8n.pt
        data: coco8.yaml
        epochs: 3
        pretrained: true
        project: runs/detect
        tracker: botsort.yaml
        """,
    )
    assert models(result) == [("ultralytics", "yolov8n.pt", None, 3)]
    ref = result.models[0]
    assert (ref.location.path, ref.location.column, ref.location.snippet) == ("runs/detect/train/args.yaml", 8, "model: yolov8n.pt")
    assert ref.api == "config key 'model'" and ref.scope == "runtime"
    assert not result.unresolved and not result.skipped


def test_ultralytics_model_config_and_dataset_yaml_are_not_models(scan_file):
    dataset = scan_file(
        configs,
        "data/coco8.yaml",
        """
        path: ../datasets/coco8
        train: images/train
        val: images/val
        names:
          0: person
          1: bicycle
        download: https://github.com/ultralytics/assets/releases/download/v0.0.0/coco8.zip
        """,
    )
    assert nothing(dataset)
    # ``model: yolov8n.yaml`` builds an untrained network from a config: no weights.
    untrained = scan_file(configs, "train.yaml", "model: yolov8n.yaml\npretrained: false\n")
    assert nothing(untrained)


WORKFLOW = """
name: CI
on:
  push:
    branches: [main]
env:
  MODEL_ID: facebook/detr-resnet-50
jobs:
  test:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python: ["3.10", "3.11"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python }}
          repository: huggingface/transformers
      - name: Build model cache
        run: pip install "ultralytics>=8.3"
      - name: Smoke test
        run: |
          # yolo predict model=commented.pt
          huggingface-cli download openai/clip-vit-base-patch32 config.json
          yolo predict model=yolov8s.pt source=bus.jpg
"""


def test_github_workflow_env_and_run_steps(scan_file):
    result = scan_file(configs, ".github/workflows/ci.yml", WORKFLOW)
    assert models(result) == [
        ("huggingface", "facebook/detr-resnet-50", None, 6),
        ("huggingface", "openai/clip-vit-base-patch32", "config.json", 24),
        ("ultralytics", "yolov8s.pt", "YOLO", 25),
    ]
    # CI is development tooling, not shipped code.
    assert {m.scope for m in result.models} == {"dev"}
    assert [(r.name, r.specifier, r.group, r.location.line) for r in result.requirements] == [("ultralytics", ">=8.3", "dev", 20)]
    assert not result.unresolved and not result.skipped


def test_workflow_without_model_references_is_silent(scan_file):
    result = scan_file(
        configs,
        ".github/workflows/lint.yml",
        """
        name: lint
        on: [pull_request]
        jobs:
          lint:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - uses: docker/build-push-action@v5
                with:
                  tags: org/app:latest
                  repository: org/app
              - run: ruff check . && pytest -q
        """,
    )
    assert nothing(result)


def test_run_key_outside_workflows_is_not_shell(scan_file):
    result = scan_file(configs, "tasks.yaml", "run: yolo predict model=yolov8s.pt\n")
    assert nothing(result)


def test_docker_compose_command_and_entrypoint_are_shell(scan_file):
    # A compose service's command (string or exec-form list) is what the container runs: the yolo CLI,
    # downloads and pip installs in it are read like a Dockerfile CMD.
    result = scan_file(
        configs,
        "deploy/docker-compose.prod.yml",
        """
        services:
          tracker:
            image: ultralytics/ultralytics:latest
            command: yolo detect track model=yolo11m.pt source=rtsp://cam/stream
          seg:
            image: app:latest
            entrypoint: ["yolo", "segment", "predict", "model=yolov8x-seg.pt"]
          fetch:
            image: curlimages/curl
            command: >
              sh -c "wget -O /w/sam_vit_b_01ec64.pth https://dl.fbaipublicfiles.com/segment_anything/sam_vit_b_01ec64.pth"
          web:
            image: nginx
            command: ["nginx", "-g", "daemon off;"]
        """,
    )
    assert [(m.loader, m.name, m.location.line) for m in result.models] == [
        ("ultralytics", "yolo11m.pt", 4),
        ("ultralytics", "yolov8x-seg.pt", 7),
        ("segment_anything", "sam_vit_b_01ec64.pth", 11),
    ]
    assert {m.scope for m in result.models} == {"runtime"}
    assert not result.unresolved and not result.skipped


def test_kubernetes_env_name_value_pairs(scan_file):
    # ``env:`` lists of {name, value} (Kubernetes, ECS task definitions): the name is the key.
    result = scan_file(
        configs,
        "k8s/deployment.yaml",
        """
        apiVersion: apps/v1
        kind: Deployment
        spec:
          template:
            spec:
              containers:
                - name: detector
                  image: registry.local/detector:1.4
                  env:
                    - name: MODEL_WEIGHTS
                      value: yolov8l.pt
                    - name: LOG_LEVEL
                      value: debug
                    - name: HF_MODEL_ID
                      value: facebook/detr-resnet-50
        """,
    )
    assert [(m.loader, m.name, m.location.line) for m in result.models] == [
        ("ultralytics", "yolov8l.pt", 11),
        ("huggingface", "facebook/detr-resnet-50", 15),
    ]
    assert not result.unresolved


def test_command_key_outside_compose_files_is_not_shell(scan_file):
    result = scan_file(configs, "tasks.yaml", "command: yolo predict model=yolov8s.pt source=bus.jpg\n")
    assert nothing(result)


def test_docker_compose_environment_list_and_mapping(scan_file):
    result = scan_file(
        configs,
        "docker-compose.yml",
        """
        services:
          api:
            image: pytorch/pytorch:2.3.0-cuda12.1-cudnn8-runtime
            environment:
              - MODEL_NAME=facebook/detr-resnet-50
              - LOG_LEVEL=info
              - MODEL_CACHE_DIR=/models
            command: python serve.py --model yolov8n.pt
          worker:
            image: ultralytics/ultralytics:latest
            environment:
              YOLO_WEIGHTS: yolov8s.pt
              MODEL_CACHE_DIR: /models
        """,
    )
    # The command line is read like a Dockerfile CMD: a known weight passed to a script is found by name.
    assert [(m.loader, m.name, m.location.line) for m in result.models] == [
        ("huggingface", "facebook/detr-resnet-50", 5),
        ("ultralytics", "yolov8n.pt", 8),
        ("ultralytics", "yolov8s.pt", 12),
    ]
    assert result.models[0].location.column == 9  # the list item
    assert not result.unresolved


def test_hydra_config(scan_file):
    result = scan_file(
        configs,
        "conf/config.yaml",
        """
        defaults:
          - model: resnet50
          - _self_
        model:
          _target_: timm.create_model
          model_name: convnext_small
          pretrained: true
        encoder:
          _target_: timm.create_model
          model_name: vit_base_patch16_224
        tv:
          _target_: torchvision.models.resnet18
          weights: IMAGENET1K_V1
        detr:
          _target_: transformers.AutoModelForObjectDetection.from_pretrained
          pretrained_model_name_or_path: facebook/detr-resnet-50
        ckpt_path: null
        weights: ${oc.env:WEIGHTS,yolov8n.pt}
        trainer:
          max_epochs: 10
        """,
    )
    # The defaults list selects config files; timm.create_model without pretrained=true loads no weights.
    assert models(result) == [
        ("timm", "convnext_small", None, 6),
        ("torchvision", "resnet18", "IMAGENET1K_V1", 13),
        ("huggingface", "facebook/detr-resnet-50", None, 16),
        ("ultralytics", "yolov8n.pt", None, 18),
    ]
    assert not result.unresolved


def test_mmdetection_style_config(scan_file):
    result = scan_file(
        configs,
        "configs/faster_rcnn.yaml",
        """
        model:
          type: FasterRCNN
          backbone:
            type: ResNet
            depth: 50
            init_cfg: {type: Pretrained, checkpoint: "torchvision://resnet50"}
          neck: {type: FPN}
        load_from: https://download.openmmlab.com/mmdetection/v2.0/faster_rcnn/frcnn_r50_20200130-047c8118.pth
        pretrained: open-mmlab://resnet50_v1c
        ---
        backbone: {type: mmpretrain.ConvNeXt, arch: tiny}
        """,
    )
    assert models(result) == [
        ("torchvision", "resnet50", "legacy-pretrained", 6),
        # Weights from an unknown host: the file with its URL, license unknown.
        ("file", "frcnn_r50_20200130-047c8118.pth", "pth", 8),
    ]
    assert result.models[1].url.startswith("https://download.openmmlab.com/")
    assert [(u.loader, u.location.line) for u in result.unresolved] == [("file", 9)]
    assert "OpenMMLab model-zoo alias" in result.unresolved[0].reason


def test_yaml_custom_tags_aliases_and_multi_documents(scan_file):
    result = scan_file(
        configs,
        "stack.yaml",
        """
        base: &base
          model: google/owlvit-base-patch32
        a: *base
        b:
          <<: *base
        ref: !Ref ModelParam
        model: !Sub "${Org}/detector"
        ---
        weights: yolov8m.pt
        """,
    )
    # The aliased mapping is one node: reported once, where it is written.
    assert models(result) == [("huggingface", "google/owlvit-base-patch32", None, 2), ("ultralytics", "yolov8m.pt", None, 9)]
    assert not result.unresolved


def test_yaml_billion_laughs_is_cheap(scan_file):
    lines = ["a0: &a0 [model, yolov8n.pt]"]
    for i in range(1, 30):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    result = scan_file(configs, "bomb.yaml", "\n".join(lines) + "\n")
    # Rejected before anything walks it, and said so: a cap that cuts a file short lists it as skipped.
    assert not (result.models or result.unresolved or result.requirements)
    assert [s.reason for s in result.skipped] == ["config file not scanned: YAML alias expansion over 100,000 nodes"]


# ------------------------------------------------------------------------------------------------ JSON


def test_hf_config_json(scan_file):
    text = json.dumps(
        {
            "_name_or_path": "google/vit-base-patch16-224",
            "architectures": ["ViTForImageClassification"],
            "model_type": "vit",
            "id2label": {"0": "cat", "1": "dog"},
        },
        indent=2,
    )
    result = scan_file(configs, "models/cls/config.json", text)
    assert models(result) == [("huggingface", "google/vit-base-patch16-224", None, 2)]
    assert result.models[0].location.column == 20
    assert result.models[0].api == "config key '_name_or_path'"


def test_tokenizer_and_preprocessor_configs_are_not_models(scan_file):
    result = scan_file(configs, "tokenizer_config.json", '{"name_or_path": "bert-base-uncased", "model_max_length": 512}')
    assert nothing(result)


def test_json_positions_are_exact(scan_file):
    text = (
        '{"a": {"model": "yolov8n.pt"},\n'
        ' "note": "the \\"model\\": \\"yolov8s.pt\\" text is a string",\n'
        ' "list": [1, {"weights": "ResNet50_Weights.IMAGENET1K_V2", "x": null}],\n'
        '   "b": {"model":\n'
        '     "yolov8n.pt", "caf\\u00e9": true}, "backbone": "convnextv2_tiny"}\n'
    )
    result = scan_file(configs, "app.json", text)
    got = [(m.loader, m.name, m.variant, m.location.line, m.location.column) for m in result.models]
    assert got == [
        ("ultralytics", "yolov8n.pt", None, 1, 17),
        ("torchvision", "", "ResNet50_Weights.IMAGENET1K_V2", 3, 26),
        ("ultralytics", "yolov8n.pt", None, 5, 6),
        ("timm", "convnextv2_tiny", None, 5, 52),
    ]


def test_large_json_data_file_without_model_keys(scan_file):
    data = {"images": [{"id": i, "file_name": f"{i}.jpg", "width": 640} for i in range(20000)]}
    text = json.dumps(data)
    assert len(text) > 1024 * 1024
    assert nothing(scan_file(configs, "annotations/instances.json", text))


# ------------------------------------------------------------------------------------------------ TOML


def test_pyproject_dependency_tables_skipped_but_tool_tables_read(scan_file):
    result = scan_file(
        configs,
        "pyproject.toml",
        """
        [project]
        name = "model"
        dependencies = ["model==1.0", "timm"]

        [project.optional-dependencies]
        model = ["ultralytics"]

        [tool.poetry.dependencies]
        model = "^1.0"

        [tool.myapp]
        # the default detector
        model = "yolov8n.pt"
        backbone = 'resnet50.a1_in1k'
        other = "facebook/detr-resnet-50"

        [tool.myapp.hf]
        note = "model = \\"yolov8n.pt\\""
        repo_id = "google/owlvit-base-patch32"
        inline = {model = "yolov8n.pt", size = 3}
        """,
    )
    got = [(m.loader, m.name, m.location.line, m.location.column) for m in result.models]
    assert got == [
        ("ultralytics", "yolov8n.pt", 13, 9),
        ("timm", "resnet50.a1_in1k", 14, 12),
        ("huggingface", "google/owlvit-base-patch32", 19, 11),
        ("ultralytics", "yolov8n.pt", 20, 19),
    ]


def test_plain_toml_with_arrays(scan_file):
    result = scan_file(
        configs,
        "serve.toml",
        """
        [server]
        port = 8080

        [[detectors]]
        name = "people"
        weights = "yolov8n.pt"

        [[detectors]]
        name = "cars"
        weights = "yolov8s.pt"
        models = ["facebook/detr-resnet-50", "not a model id"]
        """,
    )
    assert models(result) == [
        ("ultralytics", "yolov8n.pt", None, 6),
        ("ultralytics", "yolov8s.pt", None, 10),
        ("huggingface", "facebook/detr-resnet-50", None, 11),
    ]


# ------------------------------------------------------------------------------------------------- INI


def test_setup_cfg_and_ini(scan_file):
    result = scan_file(
        configs,
        "setup.cfg",
        """
        [metadata]
        name = model

        [options]
        install_requires =
            timm

        [flake8]
        max-line-length = 120

        [myapp]
        weights = weights/best.pt ; trained in-house
        checkpoint_path = %(here)s/x.ckpt
        Model_Name = facebook/detr-resnet-50
        """,
        extra={"weights/best.pt": b"\0"},
    )
    assert models(result) == [("file", "weights/best.pt", "pt", 12), ("huggingface", "facebook/detr-resnet-50", None, 14)]
    # Interpolation is off: the raw value is reported as filled in at run time.
    assert unresolved(result) == [("file", "%(here)s/x.ckpt", "value is filled in at run time (interpolation)", 13)]


def test_ini_pretrained_false_switches_timm_off(scan_file):
    on = scan_file(configs, "on.ini", "[detector]\narch = resnet50d\npretrained = yes\n")
    assert models(on) == [("timm", "resnet50d", None, 2)]
    # INI values are text; only YAML/JSON/TOML booleans switch weights off.
    off = scan_file(configs, "off.yaml", "detector:\n  arch: resnet50\n  pretrained: false\n")
    assert nothing(off)


# -------------------------------------------------------------------------------------- value shapes


def yaml_value(scan_file, value: str, key: str = "model", extra=None, rel: str = "conf/app.yaml"):
    return scan_file(configs, rel, f"{key}: {value}\n", extra=extra)


def test_weight_file_in_project_relative_to_root_or_config(scan_file):
    root_rel = yaml_value(scan_file, "./weights/best.pt", extra={"weights/best.pt": b"x"})
    assert models(root_rel) == [("file", "weights/best.pt", "pt", 1)]
    here_rel = yaml_value(scan_file, "../ckpt/epoch=3.ckpt", key="ckpt_path", extra={"ckpt/epoch=3.ckpt": b"x"})
    assert models(here_rel) == [("file", "ckpt/epoch=3.ckpt", "ckpt", 1)]
    beside = yaml_value(scan_file, "det.onnx", key="detector", extra={"conf/det.onnx": b"x"})
    assert models(beside) == [("file", "conf/det.onnx", "onnx", 1)]


def test_weight_file_not_in_project(scan_file):
    asset = yaml_value(scan_file, "weights/yolo11n-seg.pt")
    assert models(asset) == [("ultralytics", "weights/yolo11n-seg.pt", None, 1)]
    custom_yolo = yaml_value(scan_file, "yolov8n-custom.pt")
    assert models(custom_yolo) == [("ultralytics", "yolov8n-custom.pt", None, 1)]
    # A weight file the tree does not hold is still a component (expected at run time; license unknown).
    missing = yaml_value(scan_file, "models/detector.safetensors")
    assert models(missing) == [("file", "models/detector.safetensors", "safetensors", 1)]
    absolute = yaml_value(scan_file, "/opt/models/best.pth", key="weights")
    assert models(absolute) == [("file", "/opt/models/best.pth", "pth", 1)]
    escaping = yaml_value(scan_file, "../../../etc/best.pt", key="weights")
    assert models(escaping) == [("file", "../../../etc/best.pt", "pt", 1)]


def test_ultralytics_stem_without_suffix(scan_file):
    assert models(yaml_value(scan_file, "yolov8n")) == [("ultralytics", "yolov8n.pt", None, 1)]
    assert nothing(yaml_value(scan_file, "yolov99z"))


def test_timm_names(scan_file):
    assert models(yaml_value(scan_file, "vit_base_patch16_224", key="backbone")) == [("timm", "vit_base_patch16_224", None, 1)]
    assert models(yaml_value(scan_file, "convnext_tiny.fb_in22k", key="arch")) == [("timm", "convnext_tiny.fb_in22k", None, 1)]
    # Case matters to timm, and unknown names are not guessed.
    assert nothing(yaml_value(scan_file, "ResNet50", key="backbone"))
    assert nothing(yaml_value(scan_file, "my_custom_net", key="backbone"))
    assert nothing(yaml_value(scan_file, "tiny", key="arch"))


def test_torchvision_values(scan_file):
    assert models(yaml_value(scan_file, "torchvision.models.ResNet50_Weights.DEFAULT", key="weights")) == [
        ("torchvision", "", "ResNet50_Weights.DEFAULT", 1)
    ]
    # A torchvision-only builder: whether pretrained weights load is not known from the name alone.
    builder = yaml_value(scan_file, "fasterrcnn_resnet50_fpn", key="detector")
    assert not builder.models
    assert [(u.loader, u.expression, u.candidates) for u in builder.unresolved] == [
        ("torchvision", "fasterrcnn_resnet50_fpn", ("FasterRCNN_ResNet50_FPN_Weights.DEFAULT",))
    ]
    legacy = scan_file(configs, "tv.yaml", "detector: fasterrcnn_resnet50_fpn\npretrained: true\n")
    assert models(legacy) == [("torchvision", "fasterrcnn_resnet50_fpn", "legacy-pretrained", 1)]
    # A bare member without a builder is not guessed.
    assert nothing(yaml_value(scan_file, "DEFAULT", key="weights"))


def test_hub_ids(scan_file):
    assert models(yaml_value(scan_file, "facebook/detr-resnet-50")) == [("huggingface", "facebook/detr-resnet-50", None, 1)]
    pinned = yaml_value(scan_file, "hf-hub:timm/vit_base_patch16_224.augreg_in21k@abc123", key="backbone")
    assert [(m.loader, m.name, m.revision) for m in pinned.models] == [("huggingface", "timm/vit_base_patch16_224.augreg_in21k", "abc123")]
    # Legacy ids without an org count under keys that can only be Hub ids.
    assert models(yaml_value(scan_file, "bert-base-uncased", key="model_name_or_path")) == [("huggingface", "bert-base-uncased", None, 1)]
    for look_alike in ("linear", "gpt-4", "foo--bar/x", "a/b/c", "configs/yolov8.yaml", "org/name.git", "1/2", "'two words/x'"):
        assert nothing(yaml_value(scan_file, look_alike)), look_alike


def test_local_model_directory(scan_file):
    result = yaml_value(scan_file, "models/detector", extra={"models/detector/config.json": "{}"})
    assert models(result) == [("file", "models/detector", "directory", 1)]


def test_urls(scan_file):
    hub = yaml_value(scan_file, "https://huggingface.co/Ultralytics/YOLOv8/resolve/v8.1.0/yolov8n.pt", key="weights")
    assert [(m.loader, m.name, m.variant, m.revision) for m in hub.models] == [("huggingface", "Ultralytics/YOLOv8", "yolov8n.pt", "v8.1.0")]
    page = yaml_value(scan_file, "https://huggingface.co/facebook/detr-resnet-50")
    assert models(page) == [("huggingface", "facebook/detr-resnet-50", None, 1)]
    dataset = yaml_value(scan_file, "https://huggingface.co/datasets/ylecun/mnist")
    assert nothing(dataset)
    release = yaml_value(scan_file, "https://github.com/ultralytics/assets/releases/download/v8.3.0/yolo11n.pt", key="weights")
    assert models(release) == [("ultralytics", "yolo11n.pt", None, 1)]
    tv = yaml_value(scan_file, "https://download.pytorch.org/models/resnet50-11ad3fa6.pth", key="weights")
    assert models(tv) == [("torchvision", "", "ResNet50_Weights.IMAGENET1K_V2", 1)]
    # torchvision 0.9.1's URL of the same builder's pretrained weights (models.yaml weight_urls): known too
    legacy = yaml_value(scan_file, "https://download.pytorch.org/models/resnet50-19c8e357.pth", key="weights")
    assert models(legacy) == [("torchvision", "", "ResNet50_Weights.IMAGENET1K_V1", 1)]
    tv_unknown = yaml_value(scan_file, "https://download.pytorch.org/models/resnet50-00000000.pth", key="weights")
    assert unresolved(tv_unknown)[0][0] == "torchvision"
    other = yaml_value(scan_file, "https://example.com/weights/mystery.safetensors", key="weights")
    assert models(other) == [("file", "mystery.safetensors", "safetensors", 1)]
    assert other.models[0].url == "https://example.com/weights/mystery.safetensors"
    assert nothing(yaml_value(scan_file, "https://example.com/docs/index.html", key="model_url"))


def test_interpolated_values(scan_file):
    assert models(yaml_value(scan_file, "${MODEL:-yolov8s.pt}")) == [("ultralytics", "yolov8s.pt", None, 1)]
    runtime = yaml_value(scan_file, "${paths.root}/best.pt", key="ckpt_path")
    assert unresolved(runtime) == [("file", "${paths.root}/best.pt", "value is filled in at run time (interpolation)", 1)]
    assert nothing(yaml_value(scan_file, "${model_name}"))


def test_non_string_values_are_ignored(scan_file):
    result = scan_file(configs, "n.yaml", "model: 3\nweights: [1, 2]\ncheckpoint: true\nbackbone: ~\narch: {depth: 50}\n")
    assert nothing(result)


# ------------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "rel,text,reason",
    [
        ("bad.yaml", "model: [yolov8n.pt\nweights: x\n", "malformed YAML"),
        ("bad.json", '{"model": "yolov8n.pt",}', "malformed JSON"),
        ("bad.toml", 'model = "yolov8n.pt"\nmodel = "x"\n', "malformed TOML"),
        ("bad.ini", "model = yolov8n.pt\n", "malformed INI (line 1: no [section] header"),
        ("bad.cfg", "[a]\nmodel = x\n[broken\n", "malformed INI (line 3"),
    ],
)
def test_malformed_files_are_skipped_with_reason(scan_file, rel, text, reason):
    result = scan_file(configs, rel, text)
    assert [s.path for s in result.skipped] == [rel]
    assert result.skipped[0].reason.startswith(reason), result.skipped[0].reason
    assert not result.models


def test_yaml_reason_has_line(scan_file):
    result = scan_file(configs, "x.yaml", "a: 1\nmodel: [yolov8n.pt\n")
    assert "line" in result.skipped[0].reason


def test_binary_huge_and_deep_files(scan_file):
    binary = scan_file(configs, "b.yaml", b"model: \x00\x01yolov8n.pt")
    assert binary.skipped[0].reason.startswith("config file not scanned: binary file")
    latin1 = scan_file(configs, "l.json", '{"model": "caf\xe9"}'.encode("latin-1"))
    assert latin1.skipped[0].reason == "config file not scanned: not UTF-8 text"
    huge = scan_file(configs, "huge.yaml", "model: yolov8n.pt\n" + "# pad\n" * 400_000)
    assert huge.skipped[0].reason == "config file not scanned: file larger than 2 MB"
    deep = scan_file(configs, "deep.json", '{"model": ' + "[" * 100_000 + "]" * 100_000 + "}")
    assert [s.reason for s in deep.skipped] == ["config file not scanned: JSON nested deeper than 100 levels"]
    deep_yaml = scan_file(configs, "deep.yaml", "model: " + "[" * 50_000 + "]" * 50_000)
    assert deep_yaml.skipped and deep_yaml.skipped[0].reason.startswith("malformed YAML")


def test_scan_never_raises_on_a_directory_or_garbage(project):
    (project / "dir.yaml").mkdir()
    assert configs.scan(project / "dir.yaml", "dir.yaml", "runtime").skipped
    for i, blob in enumerate([b"\xff\xfe", b"model: !!python/object/apply:os.system ['echo hi']", b"{{{{", b"\t- :"]):
        (project / f"g{i}.yaml").write_bytes(blob)
        result = configs.scan(project / f"g{i}.yaml", f"g{i}.yaml", "runtime")
        assert not result.models


def test_python_object_tags_are_never_constructed(project, tmp_path):
    canary = tmp_path / "canary"
    text = f"model: !!python/object/apply:os.system ['touch {canary}']\nweights: yolov8n.pt\n"
    (project / "evil.yaml").write_text(text)
    result = configs.scan(project / "evil.yaml", "evil.yaml", "runtime")
    assert not canary.exists()
    assert models(result) == [("ultralytics", "yolov8n.pt", None, 2)]


def test_scope_is_passed_through(scan_file):
    result = scan_file(configs, "tests/fixtures/cfg.yaml", "model: yolov8n.pt\n", scope="test")
    assert [m.scope for m in result.models] == ["test"]


def test_registered():
    from vlicense.discovery import registry

    entries = [e for e in registry.scanners_for("conf/app.yaml") if e.name == "configs"]
    assert entries and entries[0].version == configs.SCANNER_VERSION
    assert not [e for e in registry.scanners_for("package.json") if e.name == "configs"]


def test_a_data_catalog_is_set_aside_as_skipped_not_turned_into_loads(tmp_path):
    import json as _json

    from vlicense.discovery import configs

    catalog = {f"entry{i}": {"hf_hub_id": f"timm/resnet{i}.a1_in1k"} for i in range(40)}
    path = tmp_path / "zoo.json"
    path.write_text(_json.dumps(catalog, indent=1))
    result = configs.scan(path, "zoo.json", "runtime")
    assert result.models == [] and result.unresolved == []
    assert len(result.skipped) == 1 and "data catalog" in result.skipped[0].reason and "40 distinct" in result.skipped[0].reason
    small = tmp_path / "small.json"
    small.write_text(_json.dumps({"detector": {"hf_hub_id": "PekingU/rtdetr_r50vd"}}))
    assert [m.name for m in configs.scan(small, "small.json", "runtime").models] == ["PekingU/rtdetr_r50vd"]


# ----------------------------------------------------------------------------- which library loads it


def test_a_name_of_both_timm_and_torchvision_weights_is_not_guessed(scan_file):
    # anomalib's CFA loads torchvision's wide_resnet50_2; a config that does not name its loader cannot tell.
    result = scan_file(configs, "cfa.yaml", "model:\n  class_path: mylib.Cfa\n  init_args:\n    backbone: wide_resnet50_2\n")
    assert models(result) == []
    (u,) = result.unresolved
    assert (u.loader, u.expression, u.location.line) == ("timm", "wide_resnet50_2", 4)
    assert "which library loads it is not known" in u.reason
    assert u.candidates == ("timm:wide_resnet50_2", "torchvision:Wide_ResNet50_2_Weights.DEFAULT")
    # Only timm has weights under this name: no ambiguity; and a Hydra target naming timm decides.
    assert models(yaml_value(scan_file, "resnet50d", key="backbone")) == [("timm", "resnet50d", None, 1)]
    hydra = scan_file(configs, "h.yaml", "enc:\n  _target_: timm.create_model\n  model_name: wide_resnet50_2\n  pretrained: true\n")
    assert models(hydra) == [("timm", "wide_resnet50_2", None, 3)]


def test_a_config_naming_a_catalog_callee_maps_its_keys_through_the_loader(scan_file):
    lightning = scan_file(
        configs,
        "serve.yaml",
        "session:\n  class_path: onnxruntime.InferenceSession\n  init_args:\n    path_or_bytes: models/det.onnx\n",
    )
    assert models(lightning) == [("file", "models/det.onnx", "onnx", 4)]
    assert lightning.models[0].api == "config key 'path_or_bytes' for onnxruntime.InferenceSession"
    hydra = scan_file(configs, "h.yaml", "load:\n  _target_: torch.load\n  f: ckpt/model.pt\n")
    assert models(hydra) == [("file", "ckpt/model.pt", "pt", 3)]


def test_basicsr_training_options(scan_file):
    result = scan_file(
        configs,
        "options/train_realesrgan_x4plus.yml",
        """
        name: train_RealESRGANx4plus_400k_B12G4
        datasets:
          train:
            dataroot_gt: datasets/DF2K
            meta_info: datasets/DF2K/meta_info/meta_info_DF2Kmultiscale+OST_sub.txt
        path:
          pretrain_network_g: experiments/pretrained_models/RealESRNet_x4plus.pth
          param_key_g: params_ema
          strict_load_g: true
          pretrain_network_d: ~
          resume_state: ~
        """,
    )
    assert models(result) == [("file", "experiments/pretrained_models/RealESRNet_x4plus.pth", "pth", 7)]
    assert result.unresolved == []


def test_zoedepth_resource_strings(scan_file):
    result = scan_file(
        configs,
        "config_zoedepth.json",
        json.dumps(
            {
                "model": {"name": "ZoeDepth", "pretrained_resource": "url::https://github.com/isl-org/ZoeDepth/releases/download/v1.0/ZoeD_M12_N.pt"},
                "eval": {"pretrained_resource": "local::./checkpoints/depth_anything_metric_depth_outdoor.pt"},
                "train": {"pretrained_resource": ""},
            },
            indent=1,
        ),
    )
    assert [(m.loader, m.name, m.url) for m in result.models] == [
        ("file", "ZoeD_M12_N.pt", "https://github.com/isl-org/ZoeDepth/releases/download/v1.0/ZoeD_M12_N.pt"),
        ("file", "checkpoints/depth_anything_metric_depth_outdoor.pt", None),
    ]
