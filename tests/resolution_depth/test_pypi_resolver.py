"""PyPI JSON API resolver against a local index (VLICENSE_PYPI_URL): license order, failures, offline, cache."""

from __future__ import annotations

import pytest
from pypi_server import pypi_server

from vlicense.resolution.cache import AnswerCache
from vlicense.resolution.pypi import PyPIResolver


@pytest.fixture
def index(monkeypatch):
    with pypi_server(delay=2.0) as (url, state):
        monkeypatch.setenv("VLICENSE_PYPI_URL", url)
        yield state


def test_license_expression_wins_over_classifiers_and_license_field(index):
    index.release("pkg", "1.0", license_expression="Apache-2.0", license="MIT",
                  classifiers=["License :: OSI Approved :: MIT License"])
    answer = PyPIResolver(offline=False).lookup("pkg", "1.0")
    assert (answer.fact.source, answer.fact.license) == ("pypi", "Apache-2.0")
    assert "/pkg/1.0/json" in answer.fact.detail and "license_expression" in answer.fact.detail
    assert index.requests == ["/pypi/pkg/1.0/json"]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ({"classifiers": ["License :: OSI Approved :: MIT License"], "license": ""}, "MIT"),
        # A vague classifier is refined by a short License field naming the variant.
        ({"classifiers": ["License :: OSI Approved :: BSD License"], "license": "BSD-3-Clause"}, "BSD-3-Clause"),
        ({"classifiers": [], "license": "GPL-3.0-or-later"}, "GPL-3.0-or-later"),
        ({"classifiers": [], "license": "UNKNOWN"}, None),
        ({"classifiers": [], "license": None, "license_expression": None}, None),
        # A look-alike: a classifier that is not a License classifier says nothing.
        ({"classifiers": ["Topic :: Software Development :: Libraries"], "license": None}, None),
    ],
)
def test_classifiers_then_license_field(index, info, expected):
    index.release("pkg", "2.0", **info)
    assert PyPIResolver(offline=False).lookup("pkg", "2.0").fact.license == expected


def test_without_a_version_the_latest_release_is_asked_and_said(index):
    index.release("pkg", None, license_expression="MIT")
    answer = PyPIResolver(offline=False).lookup("Pkg")  # any spelling: canonicalized
    assert answer.fact.license == "MIT"
    assert answer.version == "9.9.9" and "latest release 9.9.9" in answer.fact.detail
    assert index.requests == ["/pypi/pkg/json"]


@pytest.mark.parametrize(
    ("answer", "expected"),
    [(404, "not found"), (500, "HTTP 500"), (503, "HTTP 503"), ("malformed", "malformed JSON")],
)
def test_failures_are_failed_source_facts(index, answer, expected):
    index.answers["pkg/1.0"] = answer
    resolver = PyPIResolver(offline=False)
    fact = resolver.lookup("pkg", "1.0").fact
    assert fact.source == "pypi" and fact.license is None and expected in fact.detail
    assert resolver.unreachable is None


def test_timeout_makes_the_index_unreachable_for_the_run(index):
    index.answers["slow/1.0"] = "timeout"
    index.release("fine", "1.0", license_expression="MIT")
    resolver = PyPIResolver(offline=False, timeout=0.3)
    first = resolver.lookup("slow", "1.0").fact
    assert first.license is None and "unreachable" in first.detail
    second = resolver.lookup("fine", "1.0").fact
    assert second.license is None and "not consulted" in second.detail
    assert "/pypi/fine/1.0/json" not in index.requests


def test_connection_refused_is_unreachable_not_a_crash():
    resolver = PyPIResolver(offline=False, base_url="http://127.0.0.1:9/pypi", timeout=0.5)
    fact = resolver.lookup("pkg", "1.0").fact
    assert fact.license is None and "unreachable" in fact.detail and resolver.unreachable


def test_offline_never_asks(index):
    index.release("pkg", "1.0", license_expression="MIT")
    assert PyPIResolver(offline=True).lookup("pkg", "1.0") is None
    assert index.requests == []


def test_answers_are_cached_with_a_ttl(index, tmp_path):
    now = [1_800_000_000.0]
    cache = AnswerCache(tmp_path / "c.sqlite3", ttl_seconds=60, clock=lambda: now[0])
    index.release("pkg", "1.0", license_expression="MIT")
    assert PyPIResolver(offline=False, answer_cache=cache).lookup("pkg", "1.0").fact.license == "MIT"
    index.release("pkg", "1.0", license_expression="Apache-2.0")
    again = PyPIResolver(offline=False, answer_cache=cache).lookup("pkg", "1.0").fact
    assert again.license == "MIT" and "answer cached" in again.detail
    assert len(index.requests) == 1
    now[0] += 61
    assert PyPIResolver(offline=False, answer_cache=cache).lookup("pkg", "1.0").fact.license == "Apache-2.0"
    assert len(index.requests) == 2


def test_cache_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("VLICENSE_CACHE_DIR", str(tmp_path / "mine"))
    cache = AnswerCache.default()
    assert cache.path == tmp_path / "mine" / "answers.sqlite3"
    cache.put("pypi", "k", {"a": 1})
    assert cache.get("pypi", "k").payload == {"a": 1}
    assert cache.get("hf", "k") is None  # namespaces are separate
