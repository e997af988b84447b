"""Cold-run speed work that must not change results: stores as workers report, a total order of the models,
cheap pre-tests that are exact, and the audit-side helpers made cheaper."""

from __future__ import annotations

import dataclasses
import os
import random

import pytest

import vlicense.discovery as disc
from vlicense.discovery import discover
from vlicense.discovery.cache import Cache
from vlicense.discovery.loaders.by_name import _WEIGHT_KEYWORD, _WEIGHT_STEMS, WEIGHT_KEYWORDS, passes_weight_keyword
from vlicense.model import Location, ModelReference
from vlicense.resolution.components import _ordered

from tests.discovery.test_disc_speed import _big_project, write_tree


def test_models_sharing_a_call_come_out_in_one_order_whatever_the_set_order():
    # ``revision=self.revision`` with two candidates: two references at one call, equal but for the revision (the
    # set they sit in before sorting iterates in an order that varies between runs: None hashes by address).
    at = Location("a.py", 3, 5, "Pipe.from_pretrained(")
    refs = [ModelReference("huggingface", "org/m", at, revision=r) for r in (None, "fp16")]
    # Two parametrize rows naming the same weights: equal but for the origin.
    refs += [ModelReference("open_clip", "ViT-B-32", at, variant="laion", origins=(Location("a.py", line, 6, "row"),))
             for line in (11, 12)]
    orders = {tuple(sorted(shuffled, key=disc._model_key)) for shuffled in (refs, refs[::-1], refs[1:] + refs[:1])}
    assert len(orders) == 1
    assert [r.revision for r in next(iter(orders)) if r.loader == "huggingface"] == [None, "fp16"]


def test_discovery_output_does_not_depend_on_hash_order(tmp_path):
    root = write_tree(tmp_path / "p", {
        "app.py": """\
            from diffusers import StableDiffusionInpaintPipeline
            class Tool:
                def __init__(self, device):
                    self.revision = 'fp16' if 'cuda' in device else None
                    self.pipe = StableDiffusionInpaintPipeline.from_pretrained("org/inpaint", revision=self.revision)
            """,
    })
    import subprocess
    import sys

    code = ("import sys; from pathlib import Path; from vlicense.discovery import discover; "
            "print([m.revision for m in discover(Path(sys.argv[1]), cache=False).models])")
    seen = {subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout for seed in range(6)}
    assert seen == {"[None, 'fp16']\n"}


def test_weight_stems_cover_every_weight_keyword_so_the_substring_test_is_exact():
    assert all(any(stem in keyword for stem in _WEIGHT_STEMS) for keyword in WEIGHT_KEYWORDS)
    for source in ("f(pretrained=True)", "f(x,\n  ckpt_path = p)", "f(a == weights)", "g(model_path=='x')", "h(y=1)"):
        assert passes_weight_keyword(source) == (_WEIGHT_KEYWORD.search(source) is not None)


def test_results_stored_as_chunks_arrive_equal_a_serial_run_and_warm_up_the_cache(tmp_path, monkeypatch):
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    root = _big_project(tmp_path)
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "cache"))
    parallel = discover(root, jobs=2)
    assert parallel == discover(root, cache=False, jobs=1)
    stored = Cache()
    assert stored.db is not None and stored.db.execute("SELECT count(*) FROM results").fetchone()[0] >= 60
    stored.close()
    # Warm, file by file (the whole-run entry is bypassed by touching nothing but asking for another job count).
    monkeypatch.setattr(disc, "_remembered_run", lambda *a: None)
    assert discover(root, jobs=1) == parallel


def test_a_pool_that_breaks_half_way_keeps_what_came_back_and_does_the_rest_once(tmp_path, monkeypatch):
    if not hasattr(os, "fork"):
        pytest.skip("no fork")
    root = _big_project(tmp_path)
    expected = discover(root, cache=False, jobs=1)
    real_map = disc.ProcessPoolExecutor.map
    calls: list[tuple[str, str]] = []
    real_task = disc.analyze_task

    def counting_task(index, rel, scope, mode):
        calls.append((rel, mode))
        return real_task(index, rel, scope, mode)

    def breaking_map(self, fn, iterable, *args, **kwargs):
        results = real_map(self, fn, iterable, *args, **kwargs)

        def gen():
            yield next(results)  # the first chunk comes back, then the pool breaks
            raise RuntimeError("pool broke")

        return gen()

    monkeypatch.setattr(disc.ProcessPoolExecutor, "map", breaking_map)
    monkeypatch.setattr(disc, "analyze_task", counting_task)  # in this process only: the serial rest
    assert discover(root, cache=False, jobs=2) == expected
    assert calls and len(calls) == len(set(calls))  # each task the parent finished was done once


def test_ordered_locations_keep_the_best_rank_and_the_first_seen_order():
    random.seed(7)
    for _ in range(50):
        ranked = [(random.choice([0.0, 1.0, 2.5]),
                   Location(random.choice("ab"), random.randint(0, 3), 1, random.choice(["", "x"]), random.choice([None, 0])))
                  for _ in range(random.randint(0, 40))]
        best: dict[Location, float] = {}
        for rank, loc in ranked:
            best[loc] = min(rank, best.get(loc, rank))
        expected = sorted(best, key=lambda loc: (best[loc], loc.path, loc.line, loc.column, loc.snippet,
                                                 -1 if loc.cell is None else loc.cell,
                                                 -1 if loc.cell_line is None else loc.cell_line))
        assert _ordered(ranked) == expected


def test_hygiene_observations_at_one_call_come_out_in_one_order():
    from vlicense.model import HygieneObservation

    at = Location("a.py", 9, 1, "model(**inputs)")
    model = ModelReference("huggingface", "org/m", Location("a.py", 3, 5, "load("))
    observations = [HygieneObservation("processor", at, model=dataclasses.replace(model, revision=r),
                                       processor=ModelReference("huggingface", "org/p", at)) for r in (None, "fp16")]
    orders = {tuple(sorted(shuffled, key=disc._hygiene_key)) for shuffled in (observations, observations[::-1])}
    assert len(orders) == 1
