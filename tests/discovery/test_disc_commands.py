"""Command lines inside Python and notebooks: ``!`` lines, ``%%bash`` cells, ``os.system`` and ``subprocess``."""

from __future__ import annotations

from test_disc_notebooks import notebook

RELEASE = "https://github.com/org/repo/releases/download/v1.0"
SAM = "https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth"


def models(d):
    return [(m.loader, m.name, m.url, m.location.line) for m in d.models]


def unresolved(d):
    return [(u.expression, u.reason, u.location.line) for u in d.unresolved]


def test_notebook_shell_lines_download_and_pass_weights(scan):
    nb = notebook(
        ("code", "import os\nHOME = os.getcwd()\nMODEL_PATH = 'runs/exp/weights/best.pth'\n"),
        ("code", f"!wget -q {SAM} -P {{HOME}}/weights\n!wget -q https://example.com/data/coco.zip\n"),
        ("code", "%%time\n!python train.py \\\n  --img 416 \\\n  --weights yolov8s.pt\nx = 1\n"),
        ("code", "!python tools/eval.py -c {MODEL_PATH}\n!python detect.py --weights {HOME}/best.pt\n"),
        ("code", f"%%bash\nwget {RELEASE}/a.pth \\\n  -O ckpt/a.pth\nwget {RELEASE}/b.pth -P $DEST/weights\n"),
        ("code", "!yolo task=detect mode=train model=yolov8s.pt data={HOME}/data.yaml\n"),
    )
    d = scan({"nb.ipynb": nb})
    assert d.skipped == []
    got = [(m.loader, m.name, m.url, m.location.cell, m.location.cell_line) for m in d.models]
    assert got == [
        # The SAM ViT-H file is a weight timm's table lists under the same URL.
        ("segment_anything", "sam_vit_h_4b8939.pth", None, 1, 1),
        ("ultralytics", "yolov8s.pt", None, 2, 2),  # the continued !python line, at its first line
        ("file", "runs/exp/weights/best.pth", None, 3, 1),  # {MODEL_PATH}: the notebook's constant
        ("file", "ckpt/a.pth", f"{RELEASE}/a.pth", 4, 2),
        # -P $DEST/weights: the folder is only known at run time, the file name is not.
        ("file", "b.pth", f"{RELEASE}/b.pth", 4, 4),
        ("ultralytics", "yolov8s.pt", None, 5, 1),
    ]
    assert [(u.expression, u.reason, u.location.cell) for u in d.unresolved] == [
        ("--weights {HOME}/best.pt", "{HOME} is only known at run time", 3),
    ]


def test_os_system_and_subprocess_commands(scan):
    d = scan(
        {
            "setup_weights.py": f"""\
                import os
                import subprocess
                from subprocess import check_call

                URL = "{RELEASE}/model.pth"
                os.system(
                    "wget {RELEASE}/a.pth -P ./weights"
                )
                os.system(f"wget {{URL}} -O weights/m.pth")
                subprocess.run(["curl", "-L", "-o", "weights/c.pth", URL], check=True)
                check_call("gdown --id 1AbCdEfGhIjKlMnOpQrStUvWxYz -O weights/g.pth", shell=True)
                subprocess.run(" ".join(["wget", URL]), shell=True)
                os.system(f"python train.py --weights {{args.weights}}")
                os.system("ffmpeg -i in.mp4 frames/%08d.png")
                subprocess.run(["wget", "https://example.com/data.zip"])
                os.system(cmd)
                """,
        }
    )
    assert models(d) == [
        ("file", "weights/a.pth", f"{RELEASE}/a.pth", 6),
        ("file", "weights/m.pth", f"{RELEASE}/model.pth", 9),
        ("file", "weights/c.pth", f"{RELEASE}/model.pth", 10),
        ("file", "weights/g.pth", "https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz", 11),
        ("file", "model.pth", f"{RELEASE}/model.pth", 12),
    ]
    assert unresolved(d) == [("--weights {args.weights}", "{args.weights} is only known at run time", 13)]
    assert d.models[0].api == "os.system: wget"


def test_help_strings_and_prints_are_not_commands(scan):
    d = scan(
        {
            "cli.py": f"""\
                import argparse
                import os

                parser = argparse.ArgumentParser()
                parser.add_argument("--weights", type=str, help="weights path, e.g. yolov8s.pt or {RELEASE}/a.pth")
                print("run: wget {RELEASE}/a.pth -P weights")
                os.makedirs("weights", exist_ok=True)
                """,
            "notes.ipynb": notebook(("markdown", f"!wget {RELEASE}/a.pth\n"), ("code", "# !wget https://x/y.pth\nprint('!wget')\n")),
        }
    )
    assert d.models == [] and d.unresolved == []


def test_download_helpers_of_general_downloaders(scan):
    d = scan(
        {
            "get.py": f"""\
                import gdown
                import requests
                import wget

                gdown.download("https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz", "weights/sam.pth")
                gdown.download(id="1AbCdEfGhIjKlMnOpQrStUvWxYz", output="ckpt/model.pt")
                gdown.download(id="1L7ulhn4VeN-2aOM-fYmljza_TQok-j9F", output="data/features.npy")
                gdown.cached_download("https://drive.google.com/uc?id=1AbC", path="x.onnx")
                wget.download("{RELEASE}/model.pth", out="weights/")
                wget.download("https://example.com/cat.jpg")
                requests.get("{RELEASE}/net.onnx", stream=True)
                requests.get("https://api.example.com/v1/items")


                def download_checkpoint(url):
                    with requests.get(url, stream=True) as r:
                        return r.content


                def api_call(endpoint):
                    return requests.get(endpoint, stream=True).json()


                download_checkpoint("{RELEASE}/helper.pth")
                api_call("https://api.example.com/v1/model.pth")
                """,
        }
    )
    assert [(m.loader, m.name, m.url, m.location.line) for m in d.models] == [
        ("file", "weights/sam.pth", "https://drive.google.com/uc?id=1AbCdEfGhIjKlMnOpQrStUvWxYz", 5),
        ("file", "ckpt/model.pt", None, 6),  # a Drive id: the saved name says weights
        ("file", "x.onnx", "https://drive.google.com/uc?id=1AbC", 8),
        ("file", "weights/model.pth", f"{RELEASE}/model.pth", 9),  # out= a folder: the URL's file name inside it
        ("file", "net.onnx", f"{RELEASE}/net.onnx", 11),
        # A helper named like a download is a wrapper: its call site carries the URL.
        ("file", "helper.pth", f"{RELEASE}/helper.pth", 24),
    ]
    # api_call() passes its parameter to requests.get too, but an API client is not followed.
    assert d.unresolved == []


def test_a_helper_looping_over_urls_keeps_the_names_at_its_callers(scan):
    # roop's conditional_download: the URL is a loop variable; reading the saved path must not turn the helper
    # into a wrapper that swallows the weight URL its caller names.
    d = scan(
        {
            "util.py": """\
                import os
                import urllib.request


                def conditional_download(directory, urls):
                    for url in urls:
                        urllib.request.urlretrieve(url, os.path.join(directory, os.path.basename(url)))
                """,
            "swap.py": """\
                from util import conditional_download

                conditional_download("models", ["https://huggingface.co/org/deepfake/resolve/main/swap_128.onnx"])
                """,
        }
    )
    assert [(m.loader, m.name, m.location.path, m.location.line) for m in d.models] == [
        ("huggingface", "org/deepfake", "swap.py", 3),
    ]


def test_hf_hub_url_names_the_hub_file(scan):
    d = scan({"a.py": "from huggingface_hub import hf_hub_url\nu = hf_hub_url('org/detector', 'model.safetensors')\n"
                      "d = hf_hub_url('org/data', 'x.csv', repo_type='dataset')\n"})
    assert [(m.loader, m.name, m.variant) for m in d.models] == [("huggingface", "org/detector", "model.safetensors")]
    assert [u.reason for u in d.unresolved] == ["repo_type dataset: only model repositories are audited"]
