"""The loader catalog: every bundled entry passes its schema (jsonschema and the built-in checker agree), a bad
entry fails loudly, and defaults match the installed libraries they were read from."""

from __future__ import annotations

import importlib.util
import inspect
import re
import textwrap
from pathlib import Path

import jsonschema
import pytest

from vlicense.knowledge.loader_catalog import CatalogError, catalog_dir, load_catalog, read_catalog, schema
from vlicense.knowledge.schema_check import problems, unsupported_keywords
from vlicense.yaml_fast import load_bundled_yaml

ENTRIES = sorted(catalog_dir().glob("*.yaml"))

GOOD = """
library: acme
distribution: acme
modules: [acme]
read_from: {version: "1.0", source: "acme/api.py", date: "2026-12-05"}
calls:
  - callee: [acme.load]
    id: {pos: 0, kw: name}
    map: component
    namespace: acme
"""


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return directory


def test_the_builtin_checker_supports_every_keyword_the_schema_uses():
    assert unsupported_keywords(schema()) == set()
    jsonschema.Draft202012Validator.check_schema(schema())


@pytest.mark.parametrize("path", ENTRIES, ids=lambda p: p.name)
def test_every_bundled_entry_passes_the_schema(path: Path):
    data = load_bundled_yaml(path.read_text(encoding="utf-8"))
    assert list(jsonschema.Draft202012Validator(schema()).iter_errors(data)) == []
    assert problems(data, schema()) == []
    assert data["library"] == path.stem


def test_the_bundled_catalog_loads_and_indexes_every_entry():
    catalog = load_catalog()
    assert {e.library for e in catalog.entries} >= {"torchvision", "timm", "huggingface", "ultralytics", "torch", "open_clip"}
    assert catalog.rule_for("ultralytics.models.yolo.model.YOLO").library == "ultralytics"
    assert catalog.rule_for("torchvision.models._utils.handle_legacy_interface").part.mapping.map == "none"
    assert catalog.rule_for("mylib.YOLO") is None
    for entry in catalog.entries:
        for rule in entry.calls:
            assert rule.triggers, (entry.library, rule.callees)
            for part in rule.parts:
                for default in (part.default, *(c.default for _, c in (part.dispatch.cases if part.dispatch else ()))):
                    # ``file:line`` in the library at read_from.version, then free text
                    assert default is None or re.match(r"^[^\s:]+:\d+", default.at), default


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (GOOD.replace("map: component", "map: teleport"), "'teleport' is not one of"),
        (GOOD.replace("    namespace: acme\n", ""), "map component needs a namespace"),
        (GOOD.replace("[acme.load]", "[other.load]"), "does not start with one of the modules"),
        (GOOD.replace("distribution: acme\n", ""), "missing required key 'distribution'"),
        (GOOD.replace("    map: component", "    mapp: component"), "unknown key 'mapp'"),
        (GOOD.replace('date: "2026-12-05"', 'date: "last week"'), "does not match"),
        (GOOD.replace("library: acme", "library: other"), "must match the file name"),
        (GOOD.replace("{pos: 0, kw: name}", "{pos: -1}"), "is below 0"),
        (GOOD.replace("[acme.load]", '["acme.**"]'), "give triggers"),
        (GOOD + "cli:\n  - {command: acme, id: {key: m, pos: 0}, map: file}\n", "exactly one of key, option, pos"),
        ("library: [broken\n", "not valid YAML"),
        (GOOD + "    match: [{regex: '(unclosed'}]\n", "bad regex"),
        (GOOD + "    match: [{regex: 'a', in: [b]}]\n", "give exactly one of regex, in, equals"),
        (GOOD + "  - {callee: acme.open, id: {pos: 0}, delegate: acme.nothing}\n", "delegate acme.nothing is not a callee"),
        (GOOD + "  - {callee: acme.aa, delegate: acme.load}\n  - {callee: acme.bb, delegate: acme.aa}\n", "delegates again"),
        (GOOD + "    dispatch: {arg: {kw: k}, cases: {true: {map: file}}}\n", "quote every case name"),
        (GOOD + "    dispatch: {arg: {kw: k}, cases: {x: {map: file}}}\n", None),
        (GOOD + "    dispatch: {arg: {kw: k}, cases: {x: {map: file, namespace: acme}}}\n", "namespace is only for map component"),
        (GOOD.replace("    namespace: acme\n", "    dispatch: {arg: {kw: k}, cases: {x: {map: component}}, otherwise: {map: file}}\n"),
         "map component needs a namespace"),
        (GOOD + "constants:\n  other.Names: {at: 'a.py:1', members: {A: a}}\n", "other.Names does not start with one of the modules"),
        (GOOD + "    default: {value: x, at: 'somewhere'}\n", "does not match"),
    ],
)
def test_a_bad_entry_fails_loudly(tmp_path, text, problem):
    write(tmp_path, "acme.yaml", text)
    if problem is None:  # a valid refinement (a case's namespace for its own component kind) reads fine
        read_catalog(tmp_path)
        return
    with pytest.raises(CatalogError, match=problem.replace("(", r"\(").replace(")", r"\)")) as info:
        read_catalog(tmp_path)
    assert "acme.yaml" in str(info.value)


def test_two_entries_claiming_one_callee_fail(tmp_path):
    write(tmp_path, "acme.yaml", GOOD)
    write(tmp_path, "zeta.yaml", GOOD.replace("library: acme", "library: zeta"))
    with pytest.raises(CatalogError, match="also claimed by acme.yaml"):
        read_catalog(tmp_path)


def test_a_good_entry_reads_into_rules(tmp_path):
    write(tmp_path, "acme.yaml", GOOD + "  - {callee: [\"acme.**.get\"], map: none, triggers: [get]}\n")
    catalog = read_catalog(tmp_path)
    rule = catalog.rule_for("acme.load")
    assert (rule.library, rule.part.mapping.loader, rule.part.id.kw, rule.triggers) == ("acme", "acme", "name", ("load",))
    assert catalog.rule_for("acme.x.y.get").part.mapping.map == "none"
    assert catalog.rule_for("acme.get").part.mapping.map == "none"  # ``**`` also matches no part
    assert catalog.rule_for("acme.x.get_all") is None


@pytest.mark.skipif(importlib.util.find_spec("ultralytics") is None, reason="ultralytics is not installed")
def test_ultralytics_defaults_match_the_installed_library_and_lines():
    import ultralytics

    catalog = load_catalog()
    entry = catalog.entry("ultralytics")
    assert entry.read_from.version == ultralytics.__version__
    root = Path(ultralytics.__file__).parent
    for rule in entry.calls:
        if rule.api == "ultralytics.Model.load":
            from ultralytics.engine.model import Model

            default = inspect.signature(Model.load).parameters["weights"].default
        else:
            cls = getattr(ultralytics, rule.api.rsplit(".", 1)[1])
            default = inspect.signature(cls.__init__).parameters["model"].default
        assert rule.part.default.value == default, rule.api
        where, line = rule.part.default.at.rsplit(":", 1)
        text = (root.parent / where).read_text(encoding="utf-8").splitlines()[int(line) - 1]
        assert f'"{default}"' in text, (rule.api, rule.part.default.at, text)
    (cli,) = entry.cli
    where, line = cli.default.at.rsplit(":", 1)
    assert f'"{cli.default.value}"' in (root.parent / where).read_text(encoding="utf-8").splitlines()[int(line) - 1]


def test_the_checked_catalog_is_reused_from_the_cache_and_a_damaged_cache_is_ignored(tmp_path, monkeypatch):
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "cache"))
    write(tmp_path / "catalog", "acme.yaml", GOOD)
    first = read_catalog(tmp_path / "catalog", use_cache=True)
    (cached,) = (tmp_path / "cache" / "loader-catalog").glob("*.json")
    assert read_catalog(tmp_path / "catalog", use_cache=True).entries == first.entries
    cached.write_text('[{"library": 1}]', encoding="utf-8")
    assert read_catalog(tmp_path / "catalog", use_cache=True).entries == first.entries
    # A changed entry is a different key: it is checked again (and fails loudly when bad).
    write(tmp_path / "catalog", "acme.yaml", GOOD.replace("map: component", "map: teleport"))
    with pytest.raises(CatalogError):
        read_catalog(tmp_path / "catalog", use_cache=True)
