"""Byte-identical reports: the same audit twice (and under another hash seed) gives the same bytes in every format."""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from vlicense.pipeline import AuditOptions, run_audit
from vlicense.report import FORMATS, render

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def fixed_clock() -> datetime.datetime:
    return datetime.datetime(2026, 3, 4, 5, 6, 7, tzinfo=datetime.UTC)


def audit(name: str):  # type: ignore[no-untyped-def]
    return run_audit(AuditOptions(path=EXAMPLES / name, offline=True), clock=fixed_clock)


@pytest.mark.parametrize("example", ["shelf-auditor", "shelf-auditor-clean"])
def test_two_runs_are_byte_identical(example: str) -> None:
    first, second = audit(example), audit(example)
    for fmt in sorted(FORMATS):
        a, b = render(fmt, first), render(fmt, second)
        assert a.encode("utf-8") == b.encode("utf-8"), fmt
        assert "2026-03-04" in a or fmt in ("text", "json"), fmt  # the injected clock, not the wall clock


_SCRIPT = """
import datetime, hashlib, json, sys
from pathlib import Path
from vlicense.pipeline import AuditOptions, run_audit
from vlicense.report import FORMATS, render
clock = lambda: datetime.datetime(2026, 3, 4, tzinfo=datetime.timezone.utc)
result = run_audit(AuditOptions(path=Path(sys.argv[1]), offline=True), clock=clock)
print(json.dumps({f: hashlib.sha256(render(f, result).encode()).hexdigest() for f in sorted(FORMATS)}))
"""


def test_identical_across_processes_and_hash_seeds() -> None:
    """Set iteration order and object hashes change between processes; the reports must not."""
    digests = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(EXAMPLES / "shelf-auditor")], env=env,
                              capture_output=True, text=True, timeout=300, check=False)
        assert proc.returncode == 0, proc.stderr[-2000:]
        digests.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    assert set(digests[0]) == set(FORMATS)
    assert digests[0] == digests[1]


def test_example_reports_are_valid(tmp_path: Path) -> None:
    """The real example through every machine format: SARIF against the official schema, CycloneDX strict."""
    import jsonschema

    result = audit("shelf-auditor")
    schema = json.loads((Path(__file__).resolve().parents[1] / "schemas" / "sarif-schema-2.1.0.json").read_text("utf-8"))
    sarif = json.loads(render("sarif", result))
    assert not list(jsonschema.Draft4Validator(schema).iter_errors(sarif))
    assert len(sarif["runs"][0]["results"]) == len(result.findings) > 0
    pytest.importorskip("cyclonedx")
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(render("cyclonedx", result)) is None
    digest = hashlib.sha256(render("html", result).encode()).hexdigest()
    assert digest == hashlib.sha256(render("html", audit("shelf-auditor")).encode()).hexdigest()
