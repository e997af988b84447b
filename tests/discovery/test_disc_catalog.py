"""The loader engine over catalog entries: every rule field and mapping kind, on a fixture catalog and on the
bundled entries (torch, safetensors, onnxruntime, basicsr), through the real per-file analysis."""

from __future__ import annotations

import pytest

ACME = """
library: acme
distribution: acme
modules: [acme]
read_from: {version: "1.0", source: "acme/api.py", date: "2026-12-05"}
calls:
  - callee: [acme.Detector, "acme.**.Detector"]
    api: acme.Detector
    id: {pos: 0, kw: name}
    map: component
    namespace: acme
    default: {value: small, at: "acme/api.py:10"}
  - callee: ["acme.registry[]"]
    id: {subscript: true}
    map: component
    namespace: acme-reg
    also:
      - {id: {kw: checkpoint}, map: file}
  - callee: ["acme.App().prepare"]
    id: {kw: weights}
    map: component
    namespace: acme
    transform: [basename, strip_weight_suffix]
  - callee: [acme.auto]
    id: {kw: path}
    map: file
    dispatch:
      arg: {kw: kind}
      cases: {yolo: {map: ultralytics}, hf: {map: hub}}
      otherwise: {map: file}
  - callee: [acme.maybe]
    id: {pos: 0}
    map: component
    namespace: acme
    when: {kw: pretrained, truthy: true, missing: false}
  - callee: [acme.fetch]
    id: {pos: 0}
    map: component
    namespace: acme
    required: true
    only_when: {arg: {kw: kind}, values: [null, model], reason: "kind {value}: not a model"}
  - callee: [acme.by_task]
    id: {kw: model}
    map: component
    namespace: acme
    default_by:
      arg: {pos: 0, kw: task}
      at: "acme/api.py:20"
      values: {detect: {value: det-base}, segment: {value: seg-base}}
  - callee: ["acme.**.noop"]
    map: none
    triggers: [noop]
"""


@pytest.fixture
def acme(fixture_catalog):
    """analyze(code) -> (models, unresolved, refs) of one module, with the fixture catalog as the only catalog."""
    return fixture_catalog({"acme.yaml": ACME})


def test_component_namespace_and_default_with_its_source(acme):
    models, unresolved, refs = acme("import acme\na = acme.Detector('large')\nb = acme.models.Detector()\n")
    assert models == [("acme", "large", None), ("acme", "small", None)]
    assert refs[1].api == "acme.Detector() (default weights in acme 1.0)"
    assert unresolved == []


def test_registry_subscript_and_a_second_id(acme):
    models, unresolved, _ = acme('from acme import registry\nm = registry["vit_h"](checkpoint="ckpt/sam_vit_h.pth")\n')
    assert models == [("acme-reg", "vit_h", None), ("file", "ckpt/sam_vit_h.pth", "pth")]
    assert unresolved == []


def test_method_of_a_returned_object_and_transforms(acme):
    models, _, _ = acme("import acme\napp = acme.App()\napp.prepare(weights='/opt/models/buffalo_l.onnx')\nx = other.prepare(weights=None)\n")
    # An absolute path is a file the code loads; a bare name goes through the namespace and its transforms.
    assert models == [("file", "/opt/models/buffalo_l.onnx", "onnx")]
    models, _, _ = acme("import acme\nacme.App().prepare(weights='buffalo_l.onnx')\n")
    assert models == [("acme", "buffalo_l", None)]


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("acme.auto(path='yolov8s.pt', kind='yolo')", ("ultralytics", "yolov8s.pt", None)),
        ("acme.auto(path='org/model', kind='hf')", ("huggingface", "org/model", None)),
        ("acme.auto(path='weights/x.pt')", ("file", "weights/x.pt", "pt")),
        ("acme.auto(path='weights/x.pt', kind='other')", ("file", "weights/x.pt", "pt")),
    ],
)
def test_dispatch_picks_the_mapping(acme, call, expected):
    models, unresolved, _ = acme(f"import acme\n{call}\n")
    assert models == [expected] and unresolved == []


def test_dispatch_on_a_value_not_known_statically_is_unresolved(acme):
    models, unresolved, _ = acme("import acme\ndef f(k):\n    acme.auto(path='x.pt', kind=k)\n")
    assert models == [] and unresolved == [("file", "k", "kind argument is a function parameter")]


@pytest.mark.parametrize(
    ("call", "loads"),
    [("acme.maybe('a')", False), ("acme.maybe('a', pretrained=False)", False), ("acme.maybe('a', pretrained=True)", True)],
)
def test_when_gates_the_load(acme, call, loads):
    models, unresolved, _ = acme(f"import acme\n{call}\n")
    assert models == ([("acme", "a", None)] if loads else []) and unresolved == []


def test_when_flag_not_known_is_unresolved(acme):
    _, unresolved, _ = acme("import acme\ndef f(p):\n    acme.maybe('a', pretrained=p)\n")
    assert unresolved == [("acme", "p", "pretrained flag: argument is a function parameter")]


def test_only_when_and_required(acme):
    models, unresolved, _ = acme("import acme\nacme.fetch('a')\nacme.fetch('b', kind='dataset')\nacme.fetch()\n")
    assert models == [("acme", "a", None)]
    assert [u[2] for u in unresolved] == ["kind dataset: not a model", "no model id given"]


def test_default_by_another_argument(acme):
    models, unresolved, refs = acme("import acme\nacme.by_task('detect')\nacme.by_task('other')\nacme.by_task('x', model='m1')\n")
    assert models == [("acme", "det-base", None), ("acme", "m1", None)] and unresolved == []
    assert refs[0].api == "acme.by_task() (default for task='detect' in acme 1.0)"


def test_none_rules_and_lookalikes_load_nothing(acme):
    models, unresolved, _ = acme("import acme\nacme.tools.noop('x')\nclass Detector: ...\nDetector('large')\n")
    assert models == [] and unresolved == []


# ------------------------------------------------------------------------------------- bundled entries


def models_of(d, path="app.py"):
    return [(m.loader, m.name, m.variant, m.url) for m in d.models if m.location.path == path]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ('import torch\nsd = torch.load("./models/control_sd15_canny.pth")', ("file", "models/control_sd15_canny.pth", "pth", None)),
        ('import torch\nm = torch.jit.load("export/model.torchscript")', ("file", "export/model.torchscript", "torchscript", None)),
        ('import torch\nsd = torch.load("ckpt/best.pth.tar", map_location="cpu")', ("file", "ckpt/best.pth.tar", "tar", None)),
        ('from safetensors.torch import load_file\nsd = load_file("weights/model.safetensors")', ("file", "weights/model.safetensors", "safetensors", None)),
        ('import onnxruntime as ort\ns = ort.InferenceSession("models/det.onnx", providers=["CPUExecutionProvider"])', ("file", "models/det.onnx", "onnx", None)),
        (
            'from basicsr.utils.download_util import load_file_from_url\n'
            'p = load_file_from_url("https://github.com/someone/sr/releases/download/v0.1.0/sr_x4plus.pth", model_dir="weights")',
            ("file", "weights/sr_x4plus.pth", "pth", "https://github.com/someone/sr/releases/download/v0.1.0/sr_x4plus.pth"),
        ),
        (
            'import torch\ntorch.hub.download_url_to_file("https://example.org/w/net.pth", "ckpt/net.pth")',
            ("file", "ckpt/net.pth", "pth", "https://example.org/w/net.pth"),
        ),
        (
            'import torch\nw = torch.hub.load_state_dict_from_url("https://download.pytorch.org/models/resnet50-11ad3fa6.pth")',
            ("torchvision", "", "ResNet50_Weights.IMAGENET1K_V2", "https://download.pytorch.org/models/resnet50-11ad3fa6.pth"),
        ),
        (
            'from torch.utils import model_zoo\nw = model_zoo.load_url("https://dl.fbaipublicfiles.com/deit/M36_384.pth")',
            ("timm", "cait_m36_384.fb_dist_in1k", None, "https://dl.fbaipublicfiles.com/deit/M36_384.pth"),
        ),
    ],
)
def test_file_and_url_loads(scan, code, expected):
    d = scan({"app.py": code + "\n"})
    assert models_of(d) == [expected]
    assert d.unresolved == []


def test_general_downloaders_count_weight_urls_only(scan):
    d = scan({"app.py": (
        "import urllib.request\nimport requests\n"
        "url = 'https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth'\n"
        "urllib.request.urlretrieve(url, 'weights/sam_vit_h_4b8939.pth')\n"
        "urllib.request.urlretrieve('https://example.com/data/images.zip', 'data.zip')\n"
        "r = requests.get('https://example.org/models/net.onnx')\n"
        "api = requests.get(endpoint, timeout=5)\n"
    )})
    assert models_of(d) == [
        ("segment_anything", "sam_vit_h_4b8939.pth", None, "https://dl.fbaipublicfiles.com/segment_anything/sam_vit_h_4b8939.pth"),
        # requests.get of a weight URL (requests.yaml); the API call with a run-time endpoint is not listed.
        ("file", "net.onnx", "onnx", "https://example.org/models/net.onnx"),
    ]
    assert d.unresolved == []


def test_an_empty_cli_default_is_a_load_given_at_run_time(scan):
    d = scan({"app.py": (
        "import argparse\nimport torch\np = argparse.ArgumentParser()\np.add_argument('--resume', default='')\n"
        "args = p.parse_args()\nif args.resume:\n    ckpt = torch.load(args.resume)\n"
    )})
    assert models_of(d) == []
    assert [(u.loader, u.expression, u.location.line) for u in d.unresolved] == [("file", "args.resume", 7)]
    assert "a value given at run time does" in d.unresolved[0].reason


def test_file_loads_through_a_loader_call_are_not_reported_twice(scan):
    d = scan({"app.py": (
        "import torch\nfrom basicsr.utils.download_util import load_file_from_url\n"
        "sd = torch.load(load_file_from_url('https://example.org/m/x.pth', model_dir='w'))\n"
    )})
    assert models_of(d) == [("file", "w/x.pth", "pth", "https://example.org/m/x.pth")]
    assert d.unresolved == []


def test_file_load_of_a_value_not_known_is_unresolved(scan):
    d = scan({"app.py": "import torch\nimport sys\nsd = torch.load(sys.argv[1])\nbuf = torch.load()\n"})
    assert models_of(d) == []
    assert [(u.loader, u.expression) for u in d.unresolved] == [("file", "sys.argv[1]"), ("file", "torch.load()")]


def test_wrapper_of_torch_load_reports_the_call_site_path(scan):
    d = scan({
        "lib.py": "import torch\ndef restore(path):\n    return torch.load(path)\n",
        "app.py": "from lib import restore\nsd = restore('weights/best.pt')\n",
    })
    assert models_of(d) == [("file", "weights/best.pt", "pt", None)]
