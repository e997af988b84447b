"""Model hygiene through the policy (severity, `hygiene: false`, scope caps), the reports, the cache and the KB."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

from hygiene.conftest import HYGIENE_RULES, clock, hygiene, write
from vlicense.discovery import discover
from vlicense.explain import explain_identifier
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.model import Location, PreprocessingStep
from vlicense.pipeline import AuditOptions, run_audit
from vlicense.policy import check_policy
from vlicense.report import render
from vlicense.resolution.hygiene import fold
from vlicense.resources import schema_path

MISTAKE = """
    from PIL import Image
    from torchvision import transforms
    from torchvision.models import ResNet50_Weights, resnet50

    model = resnet50(weights=ResNet50_Weights.IMAGENET1K_V2).eval()
    tf = transforms.Compose([transforms.Resize(256), transforms.CenterCrop(224), transforms.ToTensor(),
                             transforms.Normalize(mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])])
    logits = model(tf(Image.open("a.jpg")).unsqueeze(0))
"""


def project(tmp_path: Path, files: dict[str, str], policy: str | None = None) -> Path:
    root = write(tmp_path / "project", files)
    if policy is not None:
        (root / "policy.yaml").write_text(policy, encoding="utf-8")
    return root


def run(root: Path, policy: str = "closed-source-saas", **kw):
    return run_audit(AuditOptions(path=root, policy=policy, offline=True, python="none", **kw), clock=clock)


# ------------------------------------------------------------------------------------------------ policy


@pytest.mark.parametrize("preset", ["closed-source-saas", "closed-source-binary", "internal", "open-source", "strict"])
def test_every_preset_warns_and_never_blocks(tmp_path: Path, preset: str) -> None:
    result = run(project(tmp_path, {"app.py": MISTAKE}), preset, cache=False)
    assert [(f.rule, f.severity) for f in hygiene(result)] == [("preprocessing-mismatch", "warning")]
    assert result.verdict != "fail"


def test_hygiene_false_turns_the_family_off(tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": MISTAKE}, "extends: closed-source-saas\nhygiene: false\n")
    assert hygiene(run(root, str(root / "policy.yaml"), cache=False)) == []


def test_a_policy_can_make_it_blocking(tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": MISTAKE}, "extends: closed-source-saas\nrules:\n  preprocessing-mismatch: error\n")
    result = run(root, str(root / "policy.yaml"), cache=False)
    assert [f.severity for f in hygiene(result)] == ["error"] and result.verdict == "fail"


def test_scope_caps_apply_to_hygiene_findings(tmp_path: Path) -> None:
    result = run(project(tmp_path, {"tests/test_model.py": MISTAKE}), cache=False)
    (f,) = hygiene(result)
    assert f.severity == "info" and "the policy caps findings for this scope at info (scopes.test)" in f.message


def test_policy_check_validates_the_hygiene_key(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text("extends: internal\nhygiene: false\n", encoding="utf-8")
    policy, problems = check_policy(str(good))
    assert problems == [] and policy is not None and policy.hygiene is False
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nhygiene: maybe\n", encoding="utf-8")
    _, problems = check_policy(str(bad))
    assert [(p.line, p.key) for p in problems] == [(2, "hygiene")] and "true or false" in problems[0].message


def test_an_exception_accepts_a_deliberate_difference(tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": MISTAKE}, (
        "extends: closed-source-saas\nexceptions:\n  - component: torchvision:ResNet50_Weights.IMAGENET1K_V2\n"
        "    rule: preprocessing-mismatch\n    reason: evaluated with the V1 recipe on purpose\n    owner: ml-team\n"
        "    expires: 2027-06-30\n"))
    (f,) = hygiene(run(root, str(root / "policy.yaml"), cache=False))
    assert f.severity == "info" and f.message.startswith("Accepted by policy exception")


# ----------------------------------------------------------------------------------------------- reports


def test_json_report_carries_expected_found_and_fix_and_validates(tmp_path: Path) -> None:
    data = json.loads(render("json", run(project(tmp_path, {"app.py": MISTAKE}), cache=False)))
    jsonschema.Draft202012Validator(json.loads(schema_path().read_text())).validate(data)
    (f,) = [f for f in data["findings"] if f["rule"] in HYGIENE_RULES]
    assert f["hygiene"]["expected"]["resize"] == 232 and f["hygiene"]["found"]["resize"] == [256]
    assert f["hygiene"]["fix"] == "preprocess = ResNet50_Weights.IMAGENET1K_V2.transforms()"
    assert f["license"] is None and f["category"] is None
    assert all("hygiene" not in g for g in data["findings"] if g["rule"] not in HYGIENE_RULES)


def test_sarif_has_a_rule_per_hygiene_rule_and_the_result(tmp_path: Path) -> None:
    data = json.loads(render("sarif", run(project(tmp_path, {"app.py": MISTAKE}), cache=False)))
    driver = data["runs"][0]["tool"]["driver"]
    rules = {r["id"]: r for r in driver["rules"]}
    assert set(HYGIENE_RULES) <= set(rules) and "model-hygiene" in rules["preprocessing-mismatch"]["properties"]["tags"]
    (result,) = [r for r in data["runs"][0]["results"] if r["ruleId"] == "preprocessing-mismatch"]
    assert result["level"] == "warning" and result["properties"]["hygiene"]["expected"]["crop"] == 224
    assert result["locations"][0]["physicalLocation"]["region"]["startLine"] == 9
    assert result["relatedLocations"][0]["message"]["text"].endswith("is loaded here")


def test_memo_has_a_model_hygiene_section_in_markdown_and_html(tmp_path: Path) -> None:
    result = run(project(tmp_path, {"app.py": MISTAKE}), cache=False)
    md = render("memo", result)
    section = md.split("## Model hygiene", 1)[1].split("## Inventory", 1)[0]
    assert "**Weights expect:** resize 232, crop 224" in section and "**Code feeds:** resize 256, crop 224x224" in section
    assert "`preprocess = ResNet50_Weights.IMAGENET1K_V2.transforms()`" in section
    assert "## Warnings" not in md  # the hygiene warning is in its own section, not repeated
    assert "but 1 warning needs a recorded decision" in md
    html = render("html", result)
    assert '<section id="hygiene">' in html and "<code>preprocess = ResNet50_Weights.IMAGENET1K_V2.transforms()</code>" in html
    assert "<strong>1</strong> warning" in html


def test_text_summary_names_the_family(tmp_path: Path) -> None:
    text = render("text", run(project(tmp_path, {"app.py": MISTAKE}), cache=False))
    assert "app.py:9  torchvision:ResNet50_Weights.IMAGENET1K_V2  model hygiene  [preprocessing-mismatch]" in text


@pytest.mark.parametrize("rule", HYGIENE_RULES)
def test_explain_prints_the_rule_with_its_example(rule: str) -> None:
    text = explain_identifier(rule)
    assert text.startswith(f"rule {rule}:") and "example: " in text and "hygiene: false" in text
    if rule == "preprocessing-mismatch":
        assert "IMAGENET1K_V2) expects resize 232, center crop 224" in text and "Resize(256)" in text
    if rule == "missing-normalization":
        assert "58% top-1 instead of 80.9%" in text


# ------------------------------------------------------------------------------------------ cache, speed


def test_observations_survive_the_discovery_cache(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "cache"))
    root = project(tmp_path, {"app.py": MISTAKE, "lib/other.py": "import os\n"})
    cold = discover(root)
    (root / "lib" / "other.py").write_text("import sys\n", encoding="utf-8")  # per-file cache hit for app.py
    warm = discover(root)
    again = discover(root)  # whole-run cache
    assert cold.hygiene and cold.hygiene == warm.hygiene == again.hygiene


def test_a_huge_expression_does_not_crash_or_hang(tmp_path: Path) -> None:
    chain = " + ".join(["x"] * 900)  # deeper than the interpreter follows (MAX_EXPR_DEPTH)
    code = textwrap.dedent(MISTAKE) + f"\nx = tf(Image.open('b.jpg'))\ny = {chain}\nmodel(y)\n"
    result = run(project(tmp_path, {"app.py": code}), cache=False)
    # Two paths reach the model: a's, and y's (whose values the sum makes unknown, whose resize is still 256).
    assert result.skipped == [] and {f.rule for f in hygiene(result)} == {"preprocessing-mismatch"}
    assert all("resize to 256" in f.message for f in hygiene(result))


def test_an_unreadable_preprocessor_config_in_the_project_is_listed_as_skipped(tmp_path: Path) -> None:
    root = project(tmp_path, {"app.py": """
        from transformers import AutoModelForImageClassification
        from torchvision import transforms
        from PIL import Image
        model = AutoModelForImageClassification.from_pretrained("models/vit")
        model(pixel_values=transforms.ToTensor()(Image.open("a.jpg"))[None])
    """})
    (root / "models" / "vit").mkdir(parents=True)
    (root / "models" / "vit" / "preprocessor_config.json").write_text("{not json", encoding="utf-8")
    result = run(root, cache=False)
    assert hygiene(result) == []
    assert any(s.path == "models/vit/preprocessor_config.json" and "not valid JSON" in s.reason for s in result.skipped)


# ------------------------------------------------------------------------------------------------------ KB


def test_kb_data_configs_come_from_the_libraries() -> None:
    kb = KnowledgeBase.load()
    v2 = kb.data_config("torchvision:ResNet50_Weights.IMAGENET1K_V2")
    assert (v2.resize, v2.crop, v2.interpolation, v2.mean) == (232, 224, "bilinear", (0.485, 0.456, 0.406))
    assert kb.data_config("torchvision:ResNet50_Weights.IMAGENET1K_V1").resize == 256
    detection = kb.data_config("torchvision:FasterRCNN_ResNet50_FPN_Weights.COCO_V1")
    assert detection.normalizes is False and detection.preset == "ObjectDetection"
    augreg = kb.data_config("timm:vit_base_patch16_224.augreg_in21k")
    assert (augreg.mean, augreg.resize, augreg.crop, augreg.interpolation) == ((0.5, 0.5, 0.5), 248, 224, "bicubic")
    assert kb.data_config("hf:timm/vit_base_patch16_224.augreg_in21k") == augreg
    siglip = kb.data_config("open_clip:ViT-B-16-SigLIP:webli")
    assert siglip.resize == (224, 224) and siglip.crop is None and siglip.input_size == (224, 224)
    assert kb.library_constant("timm.data.OPENAI_CLIP_MEAN") == (0.48145466, 0.4578275, 0.40821073)
    assert kb.library_constant("open_clip.constants.IMAGENET_STD") == (0.229, 0.224, 0.225)
    assert kb.library_constant("numpy.pi") is None


def test_pretrained_weights_list_the_default_first() -> None:
    kb = KnowledgeBase.load()
    assert kb.pretrained_weights("torchvision", "resnet50")[:2] == [
        "torchvision:ResNet50_Weights.IMAGENET1K_V2", "torchvision:ResNet50_Weights.IMAGENET1K_V1"]
    assert kb.pretrained_weights("timm", "resnet50")[0] == f"timm:resnet50.{kb.timm_default_tag('resnet50')}"
    assert kb.pretrained_weights("torchvision", "not_a_builder") == []


def test_hub_preprocessor_snapshot_is_read_from_each_models_own_repository() -> None:
    # Either the model's own file, or the transformers conversion script that pushed the processor to that repository.
    kb = KnowledgeBase.load()
    entries = kb._hub_preprocessors()
    assert entries
    for repo, entry in entries.items():
        source = entry["source"]
        if source.startswith("transformers "):
            assert re.match(r"transformers \d+\.\d+\.\d+ models/\w+/convert_\w+\.py:\d+", source), repo
            assert re.search(rf" to {re.escape(repo)}(?![\w-])", source.lower()), repo  # pushed to this very repository
        else:
            assert source.lower().startswith(f"https://huggingface.co/{repo}/blob/"), repo
            assert "/refs%2Fpr%2F" not in source and source.endswith("/preprocessor_config.json")
        assert kb.hub_preprocessor(repo) is not None and str(entry["date"])


# ------------------------------------------------------------------------------------------------- folding

HERE = Location("x.py", 1)


def steps(*items) -> tuple[PreprocessingStep, ...]:
    return tuple(PreprocessingStep(op, HERE, **kw) for op, kw in items)


@pytest.mark.parametrize(("pipeline", "mean", "std"), [
    # ToTensor then Normalize
    (steps(("to-tensor", {}), ("normalize", {"mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225)})),
     (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    # (x / 255 - mean) / std written by hand
    (steps(("scale", {"factor": (1 / 255,)}), ("shift", {"shift": (-0.5, -0.5, -0.5)}), ("scale", {"factor": (2.0,)})),
     (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    # x / 127.5 - 1
    (steps(("scale", {"factor": (1 / 127.5,)}), ("shift", {"shift": (-1.0,)})), (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    # a Normalize in 0-255 units on raw pixels
    (steps(("normalize", {"mean": (123.675, 116.28, 103.53), "std": (58.395, 57.12, 57.375)})),
     (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
    # albumentations Normalize (max_pixel_value 255) on uint8
    (steps(("normalize", {"mean": (0.5, 0.5, 0.5), "std": (0.5, 0.5, 0.5), "max_pixel": 255.0})), (0.5, 0.5, 0.5), (0.5, 0.5, 0.5)),
    # ToTensor after an explicit /255 leaves float input alone
    (steps(("scale", {"factor": (1 / 255,)}), ("to-tensor", {}), ("normalize", {"mean": (0.485, 0.456, 0.406), "std": (0.229, 0.224, 0.225)})),
     (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)),
])
def test_fold_gives_the_normalization_that_reaches_the_model(pipeline, mean, std) -> None:
    found = fold(pipeline, KnowledgeBase.load())
    assert found.normalized and found.mean == pytest.approx(mean, abs=1e-6) and found.std == pytest.approx(std, abs=1e-6)


def test_fold_leaves_unknown_values_unknown() -> None:
    found = fold(steps(("to-tensor", {}), ("normalize", {})), KnowledgeBase.load())
    assert found.normalized and found.mean is None and found.std is None
