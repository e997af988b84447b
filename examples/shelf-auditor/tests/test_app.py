"""Smoke test of the API."""

import pytest


def test_placeholder():
    pytest.importorskip("fastapi")
