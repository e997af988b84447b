"""The bounded readers: each limit rejects with one exception naming it, and real-sized inputs pass untouched."""

from __future__ import annotations

import gc
import json
import time
from pathlib import Path

import pytest
import yaml

from vlicense.bounded import (
    CARD_YAML,
    CONFIG_YAML,
    Budget,
    OverLimit,
    YamlLimits,
    check_json_depth,
    compose_yaml,
    load_front_matter,
    load_json,
    load_toml,
    load_yaml,
    paused_gc,
    size_text,
)
from vlicense.errors import PolicyError
from vlicense.policy import load_policy
from vlicense.policy.baseline import read_baseline
from vlicense.resolution.model_card import CardUnreadable, read_card
from vlicense.resolution.pypi import PyPIResolver


def bomb(levels: int = 9, fan: int = 9) -> str:
    lines = ["a0: &a0 [x]"]
    for level in range(1, levels + 1):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * fan) + "]")
    return "\n".join(lines) + f"\nlicense: *a{levels}\n"


def rejection(call) -> OverLimit:
    with pytest.raises(OverLimit) as caught:
        call()
    return caught.value


# ------------------------------------------------------------------------------------------------- YAML


def test_the_issue_alias_bomb_is_rejected_before_construction_in_milliseconds():
    start = time.perf_counter()
    error = rejection(lambda: load_yaml(bomb(), CARD_YAML))
    assert time.perf_counter() - start < 0.5
    assert str(error) == "YAML alias expansion over 10,000 nodes"
    assert error.line > 1  # where the expansion crossed the limit


def test_aliases_within_the_limit_are_built_as_usual():
    text = "defaults: &d {license: mit, tags: [a, b]}\nfirst: *d\nsecond: {<<: *d, license: apache-2.0}\n"
    assert load_yaml(text, CARD_YAML) == {
        "defaults": {"license": "mit", "tags": ["a", "b"]},
        "first": {"license": "mit", "tags": ["a", "b"]},
        "second": {"license": "apache-2.0", "tags": ["a", "b"]},
    }
    # The config limit allows ten times the card limit: a 4**7 = 16,384-leaf bomb passes there, not in a card.
    assert str(rejection(lambda: load_yaml(bomb(7, 4), CARD_YAML))) == "YAML alias expansion over 10,000 nodes"
    assert compose_yaml(bomb(7, 4), CONFIG_YAML)


@pytest.mark.parametrize(
    ("text", "limit"),
    [
        ("a: &a [1, *a]\n", "YAML alias refers to a node that contains it (endless expansion)"),
        ("a: &a {b: *a}\n", "YAML alias refers to a node that contains it (endless expansion)"),
        ("x: " + "[" * 70 + "]" * 70 + "\n", "YAML nested deeper than 64 levels"),
        ("- " * 80 + "x\n", "YAML nested deeper than 64 levels"),
        ("[" + ",".join(["1"] * 100_001) + "]\n", "YAML document over 100,000 nodes"),
        ("x: '" + "a" * (1 << 20) + "'\n", "YAML larger than 1 MB"),
    ],
)
def test_each_yaml_limit_names_itself(text, limit):
    assert str(rejection(lambda: load_yaml(text, CARD_YAML))) == limit


def test_depth_counts_through_aliases():
    lines = ["l0: &l0 [x]"] + [f"l{i}: &l{i} [*l{i - 1}]" for i in range(1, 70)]
    assert "nested deeper" in str(rejection(lambda: load_yaml("\n".join(lines) + "\n", CARD_YAML)))


def test_pure_python_loader_recursion_becomes_over_limit():
    deep = "[" * 3000 + "]" * 3000  # libyaml stops at 1,000 levels itself; PyYAML's own composer recurses
    limits = YamlLimits(max_bytes=1 << 20, max_nodes=10**6, max_alias_nodes=10**6, max_depth=10**6)
    assert "nested deeper" in str(rejection(lambda: compose_yaml(deep, limits, loader=yaml.SafeLoader)))


def test_values_the_safe_constructor_cannot_build_are_yaml_errors():
    for text in ("a: !!timestamp x\n", "a: !!int 1" + "0" * 5000 + "\n", "a: !!binary abc\n", "? [a]\n: b\n"):
        with pytest.raises(yaml.YAMLError):
            load_yaml(text, CARD_YAML)


def test_several_documents_are_composed_only_when_asked():
    assert len(compose_yaml("a: 1\n---\nb: 2\n", CONFIG_YAML, every_document=True)) == 2
    with pytest.raises(yaml.YAMLError):
        compose_yaml("a: 1\n---\nb: 2\n", CONFIG_YAML)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("---\nlicense: mit\n---\n# Card\n", {"license": "mit"}),
        ("\ufeff\n  ---\r\nlicense: mit\r\n---", {"license": "mit"}),
        ("# No front matter\n", None),
        ("---\n---\n", None),
        ("---\n# only a comment\n---\n", None),
    ],
)
def test_front_matter_as_the_hub_reads_it(text, expected):
    assert load_front_matter(text) == expected


def test_card_reader_reasons(tmp_path):
    cases = {
        "bomb.md": ("---\n" + bomb() + "---\n", "front matter over a limit: YAML alias expansion over 10,000 nodes"),
        "list.md": ("---\n- a\n---\n", "front matter is not YAML metadata (card metadata is not a mapping)"),
        "bad.md": ("---\nlicense: [mit\n---\n", "front matter is not valid YAML"),
        "big.md": ("x" * ((1 << 20) + 1), "larger than 1 MB"),
    }
    for name, (text, reason) in cases.items():
        (tmp_path / name).write_text(text)
        with pytest.raises(CardUnreadable) as caught:
            read_card(tmp_path / name)
        assert str(caught.value).startswith(reason), (name, str(caught.value))
    (tmp_path / "latin.md").write_bytes(b"---\nlicense: caf\xe9\n---\n")
    with pytest.raises(CardUnreadable, match="not UTF-8"):
        read_card(tmp_path / "latin.md")


# ------------------------------------------------------------------------------------------------- JSON


def nested(levels: int) -> list:
    value: list = [1]
    for _ in range(levels - 1):
        value = [value]
    return value


def depth_of(value) -> int:
    if isinstance(value, dict):
        return 1 + max((depth_of(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((depth_of(v) for v in value), default=0)
    return 0


@pytest.mark.parametrize(
    "value",
    [
        {"a": "[[[[" * 40, "b": ["]]]]" * 40]},  # brackets inside strings are not nesting
        {"q": 'say "[[[[[" \\' * 30, "r": [[["\\\\"]]]},  # nor behind escaped quotes and backslashes
        [[{"x": [1, {"y": "}}}"}]}]] * 60,
        {"k": nested(52)},
    ],
)
def test_json_depth_check_agrees_with_the_parsed_depth(value):
    text = json.dumps(value)
    for limit in (depth_of(value) - 1, depth_of(value)):
        if depth_of(value) > limit:
            assert "nested deeper" in str(rejection(lambda: check_json_depth(text, limit)))
        else:
            check_json_depth(text, limit)
            check_json_depth(text.encode(), limit)


def test_json_limits():
    assert str(rejection(lambda: load_json("[" * 10_000 + "]" * 10_000, max_bytes=1 << 20))) == "JSON nested deeper than 100 levels"
    # Unbalanced input is left to the parser, whose recursion is caught too.
    assert "nested deeper" in str(rejection(lambda: load_json("[" * 1_000_000, max_bytes=1 << 21)))
    assert str(rejection(lambda: load_json(b"[]" * 600, max_bytes=1000, what="answer"))) == "answer larger than 1,000 bytes"
    with pytest.raises(ValueError):
        load_json("{not json", max_bytes=100)
    assert load_json('{"a": [1, "x\\"]"]}', max_bytes=100) == {"a": [1, 'x"]']}


# ------------------------------------------------------------------------------------------------- TOML


def test_toml_limits():
    assert load_toml('a = [[1], {b = "c"}]\n', max_bytes=100) == {"a": [[1], {"b": "c"}]}
    assert str(rejection(lambda: load_toml("a = " + "[" * 5000 + "]" * 5000, max_bytes=1 << 20))) == "TOML nested too deeply"
    assert str(rejection(lambda: load_toml("a = 1\n" * 100, max_bytes=100, what="uv.lock"))) == "uv.lock larger than 100 bytes"


# ------------------------------------------------------------------------------------------------ helpers


def test_budget_and_sizes_and_gc_state():
    budget = Budget("thing", seconds=0.0)
    time.sleep(0.001)
    assert str(rejection(budget.check)) == "thing took more than 0 s to read (time budget)"
    assert [size_text(n) for n in (1 << 20, 3 << 10, 10_000)] == ["1 MB", "3 KB", "10,000 bytes"]
    assert gc.isenabled()
    with paused_gc():
        assert not gc.isenabled()
        with paused_gc():
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


# ---------------------------------------------------------------------------- the user's own files, bounded


def test_policy_alias_bomb_is_a_policy_error_with_file_and_line(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("name: bomb\n" + bomb().replace("license: *a9", "exceptions: *a9"))
    start = time.perf_counter()
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path))
    assert time.perf_counter() - start < 2.0
    assert caught.value.where is not None and caught.value.where.startswith(f"{path}:")
    assert "policy YAML over a limit: YAML alias expansion over 10,000 nodes" in str(caught.value)


def test_baseline_nested_too_deep_is_a_policy_error(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text("[" * 50_000 + "]" * 50_000)
    with pytest.raises(PolicyError, match="baseline not read: baseline nested deeper than 100 levels"):
        read_baseline(path)


def test_pypi_answer_over_a_limit_is_an_unreadable_source():
    def fetch(url: str, timeout: float) -> tuple[int, bytes]:
        return 200, b'{"info": ' + b"[" * 5000 + b"]" * 5000 + b"}"

    answer = PyPIResolver(offline=False, base_url="http://pypi.invalid/pypi", fetch=fetch).lookup("pkg", "1.0")
    assert answer.fact.license is None
    assert answer.fact.detail.endswith("PyPI answer nested deeper than 100 levels")


def test_config_pyproject_over_a_limit_is_a_config_error(tmp_path: Path):
    from vlicense.config import read_pyproject
    from vlicense.errors import ConfigError

    (tmp_path / "pyproject.toml").write_text("a = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(ConfigError, match="cannot read pyproject.toml: pyproject.toml nested too deeply"):
        read_pyproject(tmp_path)


@pytest.mark.parametrize(
    "text",
    [
        bomb(8, 8),  # anchors after "key: "
        "- &a0 [x]\n" + "".join(f"- &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]\n" for i in range(1, 9)),  # after "- "
        "{a0: &a0 [x], " + ", ".join(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 8) + "]" for i in range(1, 9)) + "}",
        "&a0 k0: [x]\n" + "".join(f"k{i}: &a{i} [" + ", ".join(["*a0" if i == 1 else f"*a{i - 1}"] * 8) + "]\n" for i in range(1, 9)),
    ],
)
def test_configs_skip_the_node_walk_only_without_anchors(text):
    # Configs spare the walk when no anchor is written; every way of writing one still gets the walk.
    with pytest.raises(OverLimit, match="alias expansion"):
        compose_yaml(text, CONFIG_YAML, every_document=True)
