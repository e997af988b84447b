"""Baselines: accept today's findings on a legacy project so the gate fails only on new ones.

A baseline file lists the fingerprints (rule + component + license; no line numbers, so moving code does not
change them) of the error and warning findings of one audit. Applying it does not hide anything: a baselined
finding stays in the report, lowered to ``info`` with a message that says it is baselined and what it was, so
the gate (``--fail-on``) ignores it while the memo still lists it. Two cases stay active on purpose:
- a finding that is now *more* severe than when it was baselined (the policy or the license got stricter);
- policy bookkeeping (expired or unused exceptions, unused overrides or pins): those are fixed in the policy
  file, and baselining an expired exception would defeat its expiry.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from vlicense.bounded import OverLimit, load_json
from vlicense.errors import PolicyError
from vlicense.model import SEVERITY_RANK, Finding

BASELINE_FORMAT = "vlicense-baseline"
BASELINE_VERSION = 1
# A finding is a few hundred bytes: this holds hundreds of thousands of them.
MAX_BASELINE_BYTES = 64 * 1024 * 1024
# Findings about the policy file itself are never baselined (see the module docstring).
NOT_BASELINED = frozenset({"exception-expired", "exception-unused", "override-unused", "choice-unused"})
_GATED = ("error", "warning")


@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding: its fingerprint, with rule/component/license/severity kept for humans and diffs."""

    fingerprint: str
    rule: str
    component: str
    license: str | None
    severity: str


def baseline_entries(findings: Iterable[Finding]) -> list[BaselineEntry]:
    """The entries a baseline of these findings holds: errors and warnings, sorted by fingerprint, unique."""
    entries = {
        f.fingerprint: BaselineEntry(f.fingerprint, f.rule, f.component, f.license, f.severity)
        for f in findings
        if f.severity in _GATED and f.rule not in NOT_BASELINED and f.fingerprint
    }
    return [entries[k] for k in sorted(entries)]


def write_baseline(findings: Iterable[Finding], path: Path) -> int:
    """Write the baseline of these findings to ``path`` (deterministic JSON, no timestamp); returns the entry count."""
    entries = baseline_entries(findings)
    doc = {
        "format": BASELINE_FORMAT,
        "version": BASELINE_VERSION,
        "about": "Findings accepted when the gate was adopted; see `vlicense audit --baseline`. Remove entries as you fix them.",
        "findings": [
            {"fingerprint": e.fingerprint, "rule": e.rule, "component": e.component, "license": e.license, "severity": e.severity}
            for e in entries
        ],
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(doc, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    except OSError as exc:
        raise PolicyError(f"cannot write baseline: {exc.strerror or exc}", where=str(path), fix="choose a writable path") from None
    return len(entries)


def read_baseline(path: Path) -> dict[str, BaselineEntry]:
    """The baseline's entries by fingerprint; a missing or malformed file is a PolicyError (exit 2)."""
    where = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PolicyError("baseline file not found", where=where, fix="create it with --write-baseline FILE") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PolicyError(f"cannot read baseline: {exc}", where=where) from None
    try:
        doc = load_json(text, max_bytes=MAX_BASELINE_BYTES, what="baseline")
    except json.JSONDecodeError as exc:
        raise PolicyError(f"baseline is not valid JSON ({exc.msg})", where=f"{where}:{exc.lineno}",
                          fix="regenerate it with --write-baseline FILE") from None
    except OverLimit as exc:
        raise PolicyError(f"baseline not read: {exc}", where=where, fix="regenerate it with --write-baseline FILE") from None
    if not isinstance(doc, dict) or doc.get("format") != BASELINE_FORMAT:
        raise PolicyError(f"not a vlicense baseline (expected \"format\": \"{BASELINE_FORMAT}\")", where=where,
                          fix="regenerate it with --write-baseline FILE")
    if doc.get("version") != BASELINE_VERSION:
        raise PolicyError(f"unsupported baseline version {doc.get('version')!r} (this vlicense reads {BASELINE_VERSION})",
                          where=where, fix="regenerate it with this vlicense version")
    items = doc.get("findings")
    if not isinstance(items, list):
        raise PolicyError("baseline: 'findings' must be a list", where=where)
    out: dict[str, BaselineEntry] = {}
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise PolicyError(f"baseline: findings[{i}] must be an object", where=where)
        fp, sev = item.get("fingerprint"), item.get("severity", "error")
        if not isinstance(fp, str) or not fp:
            raise PolicyError(f"baseline: findings[{i}].fingerprint must be a non-empty string", where=where)
        if sev not in SEVERITY_RANK:
            raise PolicyError(f"baseline: findings[{i}].severity {sev!r} is not error/warning/info", where=where)
        lic = item.get("license")
        out[fp] = BaselineEntry(fp, str(item.get("rule", "")), str(item.get("component", "")),
                                lic if isinstance(lic, str) else None, sev)
    return out


def apply_baseline(findings: list[Finding], path: Path) -> list[Finding]:
    """Findings with those recorded in the baseline at ``path`` lowered to info (see the module docstring)."""
    entries = read_baseline(path)
    return apply_known(findings, {fp: e.severity for fp, e in entries.items()}, f"baselined in {path.name}")


def apply_known(findings: list[Finding], known: dict[str, str], label: str) -> list[Finding]:
    """Lower findings whose fingerprint is in ``known`` (fingerprint -> severity then) to info, saying ``label``.

    Shared by baselines and ``--new-since REF`` (where ``known`` are the fingerprints present at the ref).
    Order is preserved, so the caller's sorting stays valid apart from the lowered severities.
    """
    out = []
    for f in findings:
        then = known.get(f.fingerprint)
        if (
            then is not None
            and f.severity in _GATED
            and f.rule not in NOT_BASELINED
            and SEVERITY_RANK[f.severity] <= SEVERITY_RANK.get(then, SEVERITY_RANK["error"])
        ):
            f = replace(f, severity="info", message=f"Not gated: {label} (was {f.severity}). {f.message}")
        out.append(f)
    return out
