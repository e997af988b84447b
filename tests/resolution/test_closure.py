"""dependency_closure: paths from the project, markers for the target Python, extras, cycles, missing dists."""

from __future__ import annotations

from resolution_dists import write_dist

from vlicense.resolution.closure import MAX_PATHS, dependency_closure
from vlicense.resolution.installed import Environment


def _env(tmp_path, dists, python="3.11"):
    site = tmp_path / "lib" / f"python{python}" / "site-packages"
    site.mkdir(parents=True)
    for name, requires in dists.items():
        write_dist(site, name, headers=[("Requires-Dist", r) for r in requires] + [("License", "MIT")])
    return Environment.from_paths([site])


def test_agpl_package_pulled_in_through_an_mit_wrapper(tmp_path):
    env = _env(tmp_path, {"shelf-wrapper": ["ultralytics>=8"], "ultralytics": ["numpy"], "numpy": [],
                          "unrelated": []})
    closure = dependency_closure(env, {"shelf-wrapper": "runtime"})
    assert sorted(closure) == ["numpy", "shelf-wrapper", "ultralytics"]  # not the whole environment
    ultra = closure["ultralytics"]
    assert ultra.paths == [["<project>", "shelf-wrapper", "ultralytics"]]
    assert ultra.direct is False and ultra.installed is True and ultra.version == "1.0"
    assert ultra.requested_by == {"shelf-wrapper"}
    assert closure["shelf-wrapper"].direct is True
    assert closure["shelf-wrapper"].requested_by == {"<project>"}
    assert closure["numpy"].paths == [["<project>", "shelf-wrapper", "ultralytics", "numpy"]]


def test_paths_shortest_first_and_capped(tmp_path):
    dists = {"app": [f"mid{i}" for i in range(8)] + ["leaf"], "leaf": []}
    dists.update({f"mid{i}": ["leaf"] for i in range(8)})
    env = _env(tmp_path, dists)
    closure = dependency_closure(env, {"app": "runtime"}, project="demo")
    paths = closure["leaf"].paths
    assert paths[0] == ["demo", "app", "leaf"]
    assert len(paths) == MAX_PATHS
    assert [len(p) for p in paths] == sorted(len(p) for p in paths)
    assert closure["leaf"].requested_by >= {"app", "mid0"}


def test_cycles_terminate(tmp_path):
    env = _env(tmp_path, {"a": ["b"], "b": ["c"], "c": ["a"]})
    closure = dependency_closure(env, {"a": "runtime"})
    assert closure["c"].paths == [["<project>", "a", "b", "c"]]
    assert closure["a"].paths == [["<project>", "a"]]


def test_markers_use_the_target_python_version(tmp_path):
    deps = ['tomli; python_version < "3.11"', 'exceptiongroup; python_version < "3.11"', "plain",
            'winonly; sys_platform == "win32" and sys_platform != "linux" and sys_platform != "darwin"']
    old = _env(tmp_path / "old", {"app": deps, "tomli": [], "exceptiongroup": [], "plain": [], "winonly": []},
               python="3.9")
    new = _env(tmp_path / "new", {"app": deps, "tomli": [], "exceptiongroup": [], "plain": [], "winonly": []},
               python="3.12")
    assert sorted(dependency_closure(old, {"app": "runtime"})) == ["app", "exceptiongroup", "plain", "tomli"]
    assert sorted(dependency_closure(new, {"app": "runtime"})) == ["app", "plain"]


def test_extras_only_when_requested_and_propagated(tmp_path):
    env = _env(tmp_path, {
        "app": ["lib[fast]"],
        "lib": ['speedups; extra == "fast"', 'docs-tool; extra == "docs"', "core"],
        "speedups": ['gpu-kernels; extra == "cuda"'],
        "docs-tool": [], "core": [], "gpu-kernels": [],
    })
    assert sorted(dependency_closure(env, {"app": "runtime"})) == ["app", "core", "lib", "speedups"]
    assert sorted(dependency_closure(env, {"lib": "runtime"})) == ["core", "lib"]
    with_extra = dependency_closure(env, {"lib[docs,fast]": "runtime"})
    assert sorted(with_extra) == ["core", "docs-tool", "lib", "speedups"]
    assert with_extra["lib"].extras == {"docs", "fast"}


def test_extra_requested_later_still_expands(tmp_path):
    env = _env(tmp_path, {"a": ["lib"], "b": ["x"], "x": ["lib[extra1]"],
                          "lib": ['bonus; extra == "extra1"'], "bonus": []})
    closure = dependency_closure(env, {"a": "runtime", "b": "runtime"})
    assert "bonus" in closure
    assert closure["bonus"].paths == [["<project>", "b", "x", "lib", "bonus"]]


def test_not_installed_requirements_are_entries(tmp_path):
    env = _env(tmp_path, {"app": ["ghost>=1", "Real_Name"], "real-name": []})
    closure = dependency_closure(env, {"app": "runtime", "missing-direct": "runtime"})
    assert closure["ghost"].installed is False and closure["ghost"].version is None
    assert closure["ghost"].paths == [["<project>", "app", "ghost"]]
    assert closure["missing-direct"].installed is False and closure["missing-direct"].direct is True
    assert closure["real-name"].installed is True


def test_scope_runtime_wins_over_test(tmp_path):
    env = _env(tmp_path, {"pytest-thing": ["shared"], "app": ["helper"], "helper": ["shared"], "shared": [],
                          "only-test": []})
    closure = dependency_closure(env, {"pytest-thing": "test", "app": "runtime", "only-test": "test"})
    assert closure["shared"].scope == "runtime"  # reached from test first (shorter), but runtime ships
    assert closure["only-test"].scope == "test"
    assert closure["pytest-thing"].scope == "test"


def test_bad_requirement_lines_are_recorded(tmp_path):
    env = _env(tmp_path, {"app": ["ok-dep", "not a valid requirement !!"], "ok-dep": []})
    closure = dependency_closure(env, {"app": "runtime"})
    assert "ok-dep" in closure
    assert closure["app"].problems == ["not a valid requirement !!"]
