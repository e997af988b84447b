"""Hugging Face resolver against a local Hub server (real huggingface_hub client, HF_ENDPOINT) and a real cache layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.hub_server import hub_server
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.hub_license import hub_license_to_id

SHA = "a" * 40


def write_cached_card(cache: Path, repo_id: str, front_matter: str, *, revision: str = SHA) -> Path:
    """Write the huggingface_hub cache layout: refs/main -> snapshots/<sha>/README.md."""
    repo_dir = cache / ("models--" + repo_id.replace("/", "--"))
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(revision)
    snapshot = repo_dir / "snapshots" / revision
    snapshot.mkdir(parents=True)
    card = snapshot / "README.md"
    card.write_text(f"---\n{front_matter}---\n# Model card\n")
    return card


@pytest.fixture
def hub(monkeypatch):
    with hub_server(delay=3.0) as (url, state):
        monkeypatch.setenv("HF_ENDPOINT", url)
        monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
        yield state


def test_hub_success_reads_card_license_base_model_and_task(hub, tmp_path):
    hub.model("org/detector", license="cc-by-nc-4.0", base_model="org/base", pipeline_tag="object-detection")
    answer = HubResolver(offline=False, cache_dir=tmp_path).lookup("org/detector")
    assert [(f.source, f.license) for f in answer.facts] == [("hf-hub", "CC-BY-NC-4.0")]
    assert answer.base_models == ["org/base"]
    assert answer.task == "object-detection"


def test_hub_license_other_uses_license_name(hub, tmp_path):
    hub.model("nvidia/segformer-b0", license="other", license_name="nvidia-segformer", license_link="LICENSE")
    answer = HubResolver(offline=False, cache_dir=tmp_path).lookup("nvidia/segformer-b0")
    # A license_name the catalog knows maps to its id; the raw values stay in the detail.
    assert answer.facts[0].license == "LicenseRef-NVIDIA-SegFormer"
    assert "license_link: LICENSE" in answer.facts[0].detail
    assert "license_name: nvidia-segformer" in answer.facts[0].detail


@pytest.mark.parametrize(
    ("answer", "expected_detail"),
    [(404, "not found"), (403, "gated"), (401, "gated"), (500, "HTTP 500"), ("malformed", "malformed")],
)
def test_hub_failures_are_recorded_as_failed_source(hub, tmp_path, answer, expected_detail):
    hub.answers["org/broken"] = answer
    resolver = HubResolver(offline=False, cache_dir=tmp_path, timeout=2.0)
    result = resolver.lookup("org/broken")
    assert len(result.facts) == 1
    assert result.facts[0].source == "hf-hub"
    assert result.facts[0].license is None
    assert expected_detail in result.facts[0].detail
    # One repo failing does not make the Hub unreachable for the others.
    assert resolver.hub_unreachable is None


def test_hub_timeout_marks_hub_unreachable_and_skips_later_lookups(hub, tmp_path):
    hub.answers["org/slow"] = "timeout"
    hub.model("org/fine", license="mit")
    resolver = HubResolver(offline=False, cache_dir=tmp_path, timeout=0.5)
    first = resolver.lookup("org/slow")
    assert [(f.source, f.license) for f in first.facts] == [("hf-hub", None)]
    assert "unreachable" in first.facts[0].detail
    assert resolver.hub_unreachable and "Timeout" in resolver.hub_unreachable
    second = resolver.lookup("org/fine")
    # The failed source is shown on every later component too, without waiting for the Hub again.
    assert [(f.source, f.license) for f in second.facts] == [("hf-hub", None)]
    assert "not consulted" in second.facts[0].detail
    assert not any("org/fine" in request for request in hub.requests)


def test_offline_never_calls_the_hub(hub, tmp_path):
    hub.model("org/detector", license="mit")
    answer = HubResolver(offline=True, cache_dir=tmp_path).lookup("org/detector")
    assert answer.facts == []
    assert not any("/api/models/" in request for request in hub.requests)


def test_hf_hub_offline_environment_is_respected(hub, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    hub.model("org/detector", license="mit")
    resolver = HubResolver(offline=False, cache_dir=tmp_path)
    assert resolver.offline
    assert resolver.lookup("org/detector").facts == []


def test_cache_is_read_before_the_hub(hub, tmp_path):
    write_cached_card(tmp_path, "org/cached", "license: apache-2.0\nbase_model: org/base\n")
    hub.model("org/cached", license="agpl-3.0")
    answer = HubResolver(offline=False, cache_dir=tmp_path).lookup("org/cached")
    assert [(f.source, f.license) for f in answer.facts] == [("hf-cache", "Apache-2.0")]
    assert answer.base_models == ["org/base"]
    assert not any("org/cached" in request for request in hub.requests)


def test_cache_card_without_license_is_unknown(tmp_path):
    write_cached_card(tmp_path, "org/nolicense", "tags:\n- vision\n")
    answer = HubResolver(offline=True, cache_dir=tmp_path).lookup("org/nolicense")
    assert [(f.source, f.license) for f in answer.facts] == [("hf-cache", None)]


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        ("apache-2.0", None, "Apache-2.0"),
        ("AGPL-3.0", None, "AGPL-3.0-only"),
        ("gpl-3.0", None, "GPL-3.0-only"),
        ("cc-by-nc-sa-4.0", None, "CC-BY-NC-SA-4.0"),
        ("apple-amlr", None, "LicenseRef-apple-amlr"),
        ("llama3.2", None, "LicenseRef-llama3.2"),
        ("other", "deci yolo nas", "LicenseRef-Deci-YOLO-NAS"),
        ("other", "nvidia-source-code-license", "LicenseRef-NVIDIA-SegFormer"),
        ("other", "dinov3-license", "LicenseRef-dinov3-license"),
        ("other", "llama3.2", "LicenseRef-llama3.2"),
        ("other", "my custom terms", "LicenseRef-my-custom-terms"),
        ("other", "nvidia-open-model-license-v2", "LicenseRef-nvidia-open-model-license-v2"),
        ("other", None, None),
        ("unknown", None, None),
        (None, None, None),
        (["mit", "apache-2.0"], None, "Apache-2.0 AND MIT"),
        (["mit", "unknown"], None, None),
        (42, None, None),
    ],
)
def test_hub_license_ids(raw, name, expected):
    assert hub_license_to_id(raw, name) == expected


def test_license_link_alone_maps_to_a_catalogued_license():
    assert hub_license_to_id("other", None, "https://github.com/NVlabs/SegFormer/blob/main/LICENSE") == "LicenseRef-NVIDIA-SegFormer"
    assert hub_license_to_id("other", None, "https://example.com/LICENSE") is None
    # An unknown license_name with a known link: the link identifies it.
    assert hub_license_to_id("other", "segformer terms", "https://github.com/NVlabs/SegFormer/blob/master/LICENSE") == "LicenseRef-NVIDIA-SegFormer"


def test_gated_flag_and_access_form_are_noted(hub, tmp_path):
    hub.model("org/gated", license="llama3.2", gated="manual")
    answer = HubResolver(offline=False, cache_dir=tmp_path).lookup("org/gated")
    assert answer.gated is True and answer.gated_mode == "manual"
    write_cached_card(tmp_path, "org/form", "license: apache-2.0\nextra_gated_prompt: accept the terms\n")
    assert HubResolver(offline=True, cache_dir=tmp_path).lookup("org/form").gated is True
    write_cached_card(tmp_path, "org/open", "license: apache-2.0\n")
    assert HubResolver(offline=True, cache_dir=tmp_path).lookup("org/open").gated is None


# ------------------------------------------------------------------------------------ answer cache (TTL)


class Clock:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


def test_online_answers_are_cached_until_the_ttl_expires(hub, tmp_path):
    from vlicense.resolution.cache import AnswerCache

    clock = Clock()
    cache = AnswerCache(tmp_path / "answers.sqlite3", ttl_seconds=3600, clock=clock)
    hub.model("org/cached", license="mit")
    first = HubResolver(offline=False, cache_dir=tmp_path / "hf", answer_cache=cache).lookup("org/cached")
    assert first.facts[0].license == "MIT"
    asked = sum("org/cached" in r for r in hub.requests)
    assert asked == 1
    # The Hub changes its answer; a new run within the TTL still uses the cached one (and says so).
    hub.model("org/cached", license="agpl-3.0")
    clock.now += 1800
    second = HubResolver(offline=False, cache_dir=tmp_path / "hf", answer_cache=cache).lookup("org/cached")
    assert second.facts[0].license == "MIT"
    assert "answer cached" in second.facts[0].detail
    assert sum("org/cached" in r for r in hub.requests) == asked
    # After the TTL, the Hub is asked again.
    clock.now += 3600
    third = HubResolver(offline=False, cache_dir=tmp_path / "hf", answer_cache=cache).lookup("org/cached")
    assert third.facts[0].license == "AGPL-3.0-only"
    assert sum("org/cached" in r for r in hub.requests) == asked + 1


def test_failures_are_not_cached(hub, tmp_path):
    from vlicense.resolution.cache import AnswerCache

    cache = AnswerCache(tmp_path / "answers.sqlite3", clock=Clock())
    hub.answers["org/flaky"] = 500
    assert HubResolver(offline=False, cache_dir=tmp_path, answer_cache=cache).lookup("org/flaky").facts[0].license is None
    hub.model("org/flaky", license="mit")
    assert HubResolver(offline=False, cache_dir=tmp_path, answer_cache=cache).lookup("org/flaky").facts[0].license == "MIT"


def test_offline_does_not_read_the_answer_cache(hub, tmp_path):
    from vlicense.resolution.cache import AnswerCache

    cache = AnswerCache(tmp_path / "answers.sqlite3", clock=Clock())
    hub.model("org/x", license="mit")
    HubResolver(offline=False, cache_dir=tmp_path, answer_cache=cache).lookup("org/x")
    assert HubResolver(offline=True, cache_dir=tmp_path, answer_cache=cache).lookup("org/x").facts == []


def test_a_broken_cache_file_degrades_to_no_cache(hub, tmp_path):
    from vlicense.resolution.cache import AnswerCache

    bad = tmp_path / "answers.sqlite3"
    bad.write_bytes(b"this is not a database" * 100)
    hub.model("org/x", license="mit")
    answer = HubResolver(offline=False, cache_dir=tmp_path, answer_cache=AnswerCache(bad)).lookup("org/x")
    assert answer.facts[0].license == "MIT"
