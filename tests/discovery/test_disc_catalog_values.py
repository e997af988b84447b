"""The loader engine's value features on a fixture catalog: match rules, closed sets, templates over several
arguments, class constants, delegation, dispatch cases, defaults with their own mapping, list-valued ids,
``equals`` conditions, attribute assignments, aliases of registry entries, and the command-line forms."""

from __future__ import annotations

import pytest

from vlicense.discovery.loaders import cli
from vlicense.model import Location, ModelReference

ZOO = """
library: zoo
distribution: zoo
modules: [zoo]
read_from: {version: "1.0", source: "zoo/api.py", date: "2026-12-05"}
calls:
  - callee: [zoo.load]
    id: {pos: 0, kw: name}
    map: file
    match:
      - {in: [tiny, base], map: component, namespace: zoo}
      - {regex: '(^|/)zoo_(?P<size>[sml])\\.pt$', map: component, namespace: zoo, value: "ckpt-{size}"}
      - {regex: '^hf://(?P<repo>.+)$', map: hub, value: "{repo}"}
  - callee: [zoo.pick]
    id: {pos: 0}
    args: {data: {kw: dataset}}
    map: component
    namespace: zoo
    values: [a, b]
    value: "{callee}.{value}.{data}"
  - callee: [zoo.get]
    id: {pos: 0}
    map: component
    namespace: zoo
  - callee: [zoo.Wrapper]
    id: {kw: path}
    map: file
    dispatch:
      arg: {kw: kind}
      default: {value: plain, at: "zoo/api.py:3"}
      cases:
        plain: {}
        helper: {delegate: helper.open}
        named: {id: {kw: name}, map: component, namespace: zoo, default: {value: base, at: "zoo/api.py:4"}}
      otherwise: {unresolved: "kind {value} unknown"}
  - callee: [zoo.Model]
    id: {kw: weights}
    map: file
    when: {kw: weights, truthy: true, missing: true}
    default: {value: Model, map: component, namespace: zoo, at: "zoo/model.py:9"}
  - callee: [zoo.multi]
    id: {kw: names, pos: 0, multiple: true}
    default: {value: [x, y], at: "zoo/api.py:5"}
    map: component
    namespace: zoo
    match:
      - {in: [skip], map: none}
  - callee: [zoo.maybe]
    id: {pos: 0}
    map: component
    namespace: zoo
    when: {kw: pretrained, equals: true}
  - callee: [zoo.langs]
    id: {pos: 0}
    map: component
    namespace: zoo
    value: generic
    match:
      - {equals: [en], value: english}
      - {in: [fr, de], value: european}
  - callee: [zoo.tagged]
    id: {pos: 0}
    variant: {const: laion}
    map: open_clip
  - callee: ["zoo.**.*().CONFIG.WEIGHTS"]
    id: {pos: 0}
    map: file
  - callee: ["zoo.registry[]"]
    id: {kw: checkpoint}
    map: file
    when: {kw: checkpoint, truthy: true, missing: false}
constants:
  zoo.Names: {at: "zoo/names.py:1", members: {BIG: big_model}}
cli:
  - command: zoo
    subcommand: [run]
    id: {option: --model}
    map: file
    dispatch:
      arg: {option: --kind}
      default: {value: plain, at: "zoo/cli.py:2"}
      cases: {plain: {}, helper: {delegate: helper.open}}
  - command: zoo
    subcommand: [fetch]
    id: {option: --config, multiple: true}
    map: component
    namespace: zoo
"""

HELPER = """
library: helper
distribution: helper
modules: [helper]
read_from: {version: "2.0", source: "helper/io.py", date: "2026-12-05"}
calls:
  - callee: [helper.open]
    id: {pos: 0}
    map: component
    namespace: helper
    transform: [strip_weight_suffix]
"""


@pytest.fixture
def zoo(fixture_catalog):
    """analyze(code) -> (models as (loader, name), unresolved as (expression, reason), refs)."""
    analyze = fixture_catalog({"zoo.yaml": ZOO, "helper.yaml": HELPER})

    def run(code: str):
        models, unresolved, refs = analyze(code)
        return [m[:2] for m in models], [u[1:] for u in unresolved], refs

    return run


def test_match_rules_pick_the_mapping_in_order(zoo):
    models, unresolved, _ = zoo(
        "import zoo\nzoo.load('tiny')\nzoo.load('weights/zoo_m.pt')\nzoo.load('hf://org/x')\nzoo.load('other.pt')\n"
    )
    assert models == [("zoo", "tiny"), ("zoo", "ckpt-m"), ("huggingface", "org/x"), ("file", "other.pt")]
    assert unresolved == []


def test_closed_set_and_a_template_over_several_arguments(zoo):
    models, unresolved, _ = zoo(
        "import zoo\nzoo.pick('a', dataset='coco')\nzoo.pick('c', dataset='coco')\ndef f(d):\n    zoo.pick('b', dataset=d)\n"
    )
    assert models == [("zoo", "pick.a.coco")]
    assert [u[1] for u in unresolved] == ["'c' is not one of the 2 names the library accepts", "dataset argument is a function parameter"]


def test_a_class_constant_is_its_value(zoo):
    models, _, _ = zoo("import zoo\nfrom zoo import Names\nzoo.get(Names.BIG)\n")
    assert models == [("zoo", "big_model")]


@pytest.mark.parametrize(
    ("call", "models", "unresolved"),
    [
        ("zoo.Wrapper(path='a.pt')", [("file", "a.pt")], []),  # the dispatch argument's default picks a case
        ("zoo.Wrapper(path='x.pt', kind='helper')", [("helper", "x")], []),  # delegated to helper.open's mapping
        ("zoo.Wrapper(kind='named')", [("zoo", "base")], []),  # the case reads another argument, with its default
        ("zoo.Wrapper(kind='named', name='n')", [("zoo", "n")], []),
        ("zoo.Wrapper(kind='zzz', path='p.pt')", [], ["kind zzz unknown"]),
    ],
)
def test_dispatch_cases_refine_the_id_the_default_and_the_mapping(zoo, call, models, unresolved):
    got, unres, _ = zoo(f"import zoo\n{call}\n")
    assert got == models and [u[1] for u in unres] == unresolved


def test_a_default_with_its_own_mapping(zoo):
    models, _, refs = zoo("import zoo\nzoo.Model()\nzoo.Model(weights=None)\nzoo.Model(weights='my.pt')\n")
    assert models == [("zoo", "Model"), ("file", "my.pt")]
    assert refs[0].api == "zoo.Model() (default weights in zoo 1.0)"


def test_list_valued_ids_and_none_rules(zoo):
    models, _, _ = zoo("import zoo\nzoo.multi()\nzoo.multi(['a', 'skip', 'b'])\nzoo.multi(names=('c',))\n")
    assert models == [("zoo", "x"), ("zoo", "y"), ("zoo", "a"), ("zoo", "b"), ("zoo", "c")]


def test_equals_condition_and_tests_on_a_list_value(zoo):
    models, _, _ = zoo(
        "import zoo\nzoo.maybe('m', pretrained=True)\nzoo.maybe('n', pretrained='yes')\nzoo.maybe('o')\n"
        "LANGS = ['de', 'xx']\nzoo.langs(['en'])\nzoo.langs(LANGS)\nzoo.langs(['jp'])\n"
    )
    assert models == [("zoo", "m"), ("zoo", "english"), ("zoo", "european"), ("zoo", "generic")]


def test_a_constant_argument_the_library_passes_itself(zoo):
    _, _, refs = zoo("import zoo\nzoo.tagged('ViT-B-32')\n")
    assert [(r.loader, r.name, r.variant) for r in refs] == [("open_clip", "ViT-B-32", "laion")]


def test_attribute_assignment_on_a_returned_object(zoo):
    models, _, refs = zoo(
        "import zoo\ncfg = zoo.make()\ncfg.CONFIG.WEIGHTS = 'w/best.pt'\ncfg = zoo.make()\n"
        "other = object()\nother.CONFIG.WEIGHTS = 'x.pt'\n"
    )
    assert models == [("file", "w/best.pt")]
    assert refs[0].location.line == 3 and refs[0].api == "zoo.make().CONFIG.WEIGHTS"


def test_a_local_alias_of_a_registry_entry_and_a_replaceable_default(zoo):
    models, unresolved, _ = zoo(
        "import argparse\nimport zoo\np = argparse.ArgumentParser()\np.add_argument('--ckpt', default='')\n"
        "args = p.parse_args()\nbuild = zoo.registry['k']\nbuild(checkpoint='c.pt')\nbuild(checkpoint=args.ckpt)\n"
    )
    assert models == [("file", "c.pt")]
    # An empty default of the checkpoint itself loads nothing here; a value given at run time does.
    assert [u[0] for u in unresolved] == ["args.ckpt"] and "a value given at run time does" in unresolved[0][1]


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("zoo run --model m.pt", [("file", "m.pt")]),
        ("zoo run --kind helper --model x.pt", [("helper", "x")]),
        ("zoo fetch --config a b --dest .", [("zoo", "a"), ("zoo", "b")]),
        ("zoo other --model m.pt", []),
        ("zoo run --kind zzz --model m.pt", [("unresolved", "'zzz': not a value the loader catalog knows")]),
    ],
)
def test_command_line_forms_dispatch_and_list_options(zoo, words, expected):
    here = Location("run.sh", 1, 1, words)
    refs = [r for hit in cli.cli_hits(words.split()) for r in cli.cli_reference(hit, here, "runtime", "zoo CLI")]
    assert [(r.loader, r.name) if isinstance(r, ModelReference) else ("unresolved", r.reason) for r in refs] == expected
