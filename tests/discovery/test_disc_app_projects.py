"""Idioms of detection/tracking app projects (vendored yolov5 helpers, Ultralytics URLs) that are not model loads."""

from __future__ import annotations

YOLOV5_HELPERS = '''
import argparse
from pathlib import Path

import torch


def check_file(file):
    file = str(file)
    if Path(file).is_file() or not file:
        return file
    elif file.startswith(("http:/", "https:/")):
        url = file
        file = Path(file).name
        torch.hub.download_url_to_file(url, file)
    return file


def check_font(font="Arial.ttf"):
    font = Path(font)
    torch.hub.download_url_to_file("https://ultralytics.com/assets/" + font.name, str(font))


def main(opt):
    check_yaml = check_file(opt.data)
    if opt.resume:
        last = check_file(opt.resume)
    check_file(opt.weights)
    check_font()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="data/coco128.yaml")
    parser.add_argument("--resume", nargs="?", const=True, default=False)
    parser.add_argument("--weights", default="https://example.com/weights/best.pt")
    main(parser.parse_args())
'''


def test_vendored_yolov5_helpers_report_the_weights_not_fonts_configs_or_false(scan):
    found = scan({"train.py": YOLOV5_HELPERS})
    assert sorted((m.loader, m.name) for m in found.models) == [("file", "best.pt")]
    # --resume's default False is the option unset (str(False) is not a file called "False").
    assert [u.reason for u in found.unresolved] == [
        "nothing loads with the default of command-line option --resume (False); a value given at run time does"
        " (via main() -> check_file() at train.py:37)"
    ]


def test_a_torchvision_registry_key_that_is_no_builder_name_loads_nothing(scan):
    found = scan({"classify.py": '''
        import argparse
        import torchvision

        parser = argparse.ArgumentParser()
        parser.add_argument("--model", default="yolov5s-cls.pt")
        parser.add_argument("--arch", default="resnet18")
        opt = parser.parse_args()
        if opt.model in torchvision.models.__dict__:
            model = torchvision.models.__dict__[opt.model](weights="IMAGENET1K_V1")
        backbone = torchvision.models.__dict__[opt.arch](weights="IMAGENET1K_V1")
    '''})
    assert [(m.loader, m.name) for m in found.models if m.loader == "torchvision"] == [("torchvision", "resnet18")]


def test_ultralytics_urls_are_downloads_or_a_triton_server_never_hub_ids(scan):
    found = scan({"app.py": '''
        from ultralytics import YOLO

        hub = YOLO("https://hub.ultralytics.com/models/abc123")
        triton = YOLO("http://localhost:8000/yolo", task="detect")
        asset = YOLO("https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8n.pt")
    '''})
    assert sorted((m.loader, m.name, m.url) for m in found.models) == [
        ("file", "abc123", "https://hub.ultralytics.com/models/abc123"),
        ("ultralytics", "yolov8n.pt", "https://github.com/ultralytics/assets/releases/download/v8.2.0/yolov8n.pt"),
    ]
    assert [(u.location.line, u.reason.split(":")[0]) for u in found.unresolved] == [(5, "a Triton Inference Server URL")]


def test_object_store_uris_keep_their_scheme(scan):
    # mbari-org/fastapi-yolov5 config.yml: the weights live in an S3 bucket; "s3:/bucket/..." would be a path.
    found = scan({
        "config.yml": "MODEL_WEIGHTS: s3://models-deploy/run1/best.pt\n",
        "app.py": 'import torch\nm = torch.load("gs://bucket/x/model.pth")\n',
    })
    assert sorted(m.name for m in found.models) == ["gs://bucket/x/model.pth", "s3://models-deploy/run1/best.pt"]


def test_a_known_weight_joined_to_a_folder_with_slash_is_named_like_path_args(scan):
    # irinagetman1973/YOLO-Streamlit config.py: the weights sit in a folder, loaded through a helper module; the
    # folder itself (a model-ish constant of a config module) is a path, not the Hub id "weights/detection".
    found = scan({"config.py": '''
        from pathlib import Path

        WEIGHTS = Path("weights") / "detection"
        YOLOv8l = WEIGHTS / "yolov8l.pt"
        same_as = Path(WEIGHTS, "yolov8m.pt")
        print(WEIGHTS / "yolov8x.pt")
        ratio = 10 / 2
    '''})
    assert sorted((m.name, m.location.line) for m in found.models) == [("yolov8l.pt", 5), ("yolov8m.pt", 6)]


def test_config_module_constants_built_with_a_path_join_are_folders_not_hub_ids(scan):
    found = scan({"config.py": '''
        import os
        from pathlib import Path

        WEIGHTS_DIR = Path("weights") / "detection"
        MODEL_DIR = os.path.join("models", "yolo")
        CHECKPOINT = os.path.join("models", "best.pt")
        HUB_MODEL = "acme/detector"
    '''})
    assert sorted((m.loader, m.name) for m in found.models) == [("file", "models/best.pt"), ("huggingface", "acme/detector")]


def test_a_file_handle_from_open_loads_the_opened_path(scan):
    # ByteTrack yolox/models/yolo_fpn.py: ``with open(filename, "rb") as f: torch.load(f)``.
    found = scan({"app.py": '''
        import argparse
        import pickle

        import torch
        import yaml


        def load_pretrained_model(filename="./weights/darknet53.mix.pth"):
            with open(filename, "rb") as f:
                return torch.load(f, map_location="cpu")


        parser = argparse.ArgumentParser()
        parser.add_argument("--ckpt", default="models/best.pt")
        args = parser.parse_args()
        with open(args.ckpt, "rb") as fh, open("config.yaml") as cfg_file:
            model = torch.load(fh)
            cfg = yaml.safe_load(cfg_file)
        load_pretrained_model()
    '''})
    assert sorted((m.loader, m.name) for m in found.models) == [
        ("file", "models/best.pt"), ("file", "weights/darknet53.mix.pth"),
    ]
    assert found.unresolved == []


def test_a_streamlit_selection_is_one_of_its_options(scan):
    found = scan({"app.py": '''
        from pathlib import Path

        import streamlit as st
        from ultralytics import YOLO

        MODELS = ["yolov8n.pt", "best.pt"]
        choice = st.sidebar.selectbox("Select Model", MODELS, key="models")
        model = YOLO(Path("weights", str(choice)))
        picked = st.radio("Model", options=("yolov8m-seg.pt",))
        second = YOLO(picked)
        third = YOLO(st.selectbox("Model", sorted(Path("weights").glob("*.pt"))))
    '''})
    assert sorted((m.loader, m.name, m.location.line) for m in found.models) == [
        ("ultralytics", "weights/best.pt", 9), ("ultralytics", "weights/yolov8n.pt", 9),
        ("ultralytics", "yolov8m-seg.pt", 11),
    ]
    assert [(u.location.line, u.reason) for u in found.unresolved] == [
        (12, "one of the options of a streamlit selectbox, not known statically"),
    ]


def test_ultralytics_model_load_transfers_weights_into_a_built_model(scan):
    # Training notebooks: YOLO("yolov8n.yaml").load("yolov8n.pt") (ultralytics engine/model.py:320 Model.load).
    found = scan({"train.py": '''
        import json
        from ultralytics import YOLO

        model = YOLO("yolov8n.yaml").load("yolov8n.pt")
        tuned = YOLO("yolov8s.yaml")
        tuned.load("runs/detect/train4/weights/best.pt")
        cfg = json.load(open("settings.json"))
    '''})
    assert sorted((m.loader, m.name, m.location.line) for m in found.models) == [
        ("ultralytics", "runs/detect/train4/weights/best.pt", 7), ("ultralytics", "yolov8n.pt", 5),
    ]


GRADIO_APP = '''
import gradio as gr
from ultralytics import YOLO

SIZES = ["yolov8n", "yolov8s"]


def detect(image, model_id, conf):
    return YOLO(f"{model_id}.pt")(image, conf=conf)


def run(image, model_id, conf, mode):
    return detect(image, model_id, conf)


with gr.Blocks() as demo:
    image = gr.Image()
    model_id = gr.Dropdown(label="Model", choices=SIZES, value="yolov8n")
    conf = gr.Slider(0, 1)
    mode = gr.Radio(["fast", "slow"])
    button = gr.Button()
    button.click(fn=run, inputs=[image, model_id, conf, mode], outputs=[image])

gr.Interface(detect, [gr.Image(), gr.Radio(choices=["yolov8m-seg"]), gr.Slider()], "image")
'''


def test_gradio_inputs_pass_dropdown_and_radio_choices_to_the_event_function(scan):
    # THU-MIG/yolov10 app.py: YOLOv10.from_pretrained(f'jameslahm/{model_id}') with model_id from a gr.Dropdown.
    found = scan({"app.py": GRADIO_APP})
    assert sorted((m.name, m.location.line) for m in found.models) == [
        ("yolov8m-seg.pt", 24), ("yolov8n.pt", 22), ("yolov8s.pt", 22),
    ]


def test_independent_gradio_dropdowns_do_not_multiply_into_pairs(scan):
    # kadirnar/segment-anything-video: a detector-type dropdown and a weights dropdown feed one sahi call.
    found = scan({"app.py": '''
        import gradio as gr
        from sahi import AutoDetectionModel


        def predict(image, model_type, model_path):
            return AutoDetectionModel.from_pretrained(model_type=model_type, model_path=model_path)


        with gr.Blocks() as demo:
            image = gr.Image()
            kind = gr.Dropdown(choices=["yolov5", "yolov8"], value="yolov5")
            path = gr.Dropdown(choices=["yolov5l6.pt", "yolov8x.pt"], value="yolov5l6.pt")
            gr.Button().click(fn=predict, inputs=[image, kind, path], outputs=image)
    '''})
    assert [m for m in found.models if m.location.line == 15] == []
