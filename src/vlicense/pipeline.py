"""run_audit: the one place that knows the stage order (discover -> resolve -> evaluate)."""

from __future__ import annotations

import datetime as _dt
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from vlicense import __version__
from vlicense.discovery import discover
from vlicense.errors import UsageError
from vlicense.model import AuditResult, Discovery, ProjectContext
from vlicense.policy import evaluate, load_policy, verdict
from vlicense.resolution.components import build_components
from vlicense.resolution.environment import TargetEnvironment, find_site_dirs
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.installed import Environment
from vlicense.resolution.knowledge_base import KnowledgeBase

logger = logging.getLogger(__name__)

Clock = Callable[[], _dt.datetime]


@dataclass
class AuditOptions:
    """Everything an audit needs to know, already merged from CLI, environment and pyproject."""

    path: Path
    policy: str = "closed-source-saas"
    offline: bool = False
    python: str | None = None
    exclude: Sequence[str] = field(default_factory=tuple)
    hf_cache_dir: Path | None = None


def utc_now() -> _dt.datetime:
    """The real clock, unless SOURCE_DATE_EPOCH pins it (reproducible builds); tests inject their own."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc)


def run_audit(options: AuditOptions, *, clock: Clock = utc_now) -> AuditResult:
    """Discover, resolve and evaluate one project; raises VLicenseError subclasses for bad input."""
    target = options.path
    if not target.exists():
        raise UsageError(
            f"path does not exist: {target}", fix="pass the folder (or a single .py/.ipynb file) of the project to audit"
        )
    root = target if target.is_dir() else target.parent
    policy = load_policy(options.policy, search_dir=root)
    found = discover(target, exclude=options.exclude)
    site = _target_environment(root, options.python)
    environment = Environment.from_paths(site.site_dirs, site.python_version)
    kb = KnowledgeBase.load()
    hub = HubResolver(offline=options.offline, cache_dir=options.hf_cache_dir)
    components = build_components(found, environment=environment, kb=kb, hub=hub, project_path=project_path_finder(root))
    today = clock().date()
    findings = evaluate(components, policy, today=today)
    sources_offline = _offline_sources(options, hub)
    return AuditResult(
        root=_display_root(target),
        policy_name=policy.name,
        context=policy.context,
        verdict=verdict(findings),
        components=components,
        findings=findings,
        unresolved=sorted(found.unresolved, key=lambda u: (u.location.path, u.location.line, u.expression)),
        skipped=sorted(found.skipped, key=lambda s: s.path),
        stats=_stats(found, components, findings, site.description),
        tool_version=__version__,
        generated_at=today.isoformat(),
        sources_offline=sources_offline,
    )


# `--python none`: read no installed environment (manifests, knowledge base and PyPI only). Reproducible
# anywhere, and the right choice when the project's dependencies are not installed where vlicense runs.
NO_ENVIRONMENT = "none"


def _target_environment(root: Path, python: str | None) -> TargetEnvironment:
    if python is not None and python.strip().lower() == NO_ENVIRONMENT:
        return TargetEnvironment((), None, "none (--python none: installed metadata not read)", "--python")
    return find_site_dirs(root, python)


def project_path_finder(root: Path) -> Callable[[str], str | None]:
    """A function telling whether a name from the code points at a file or folder inside the project.

    Names come from scanned (hostile) code: they are only checked for existence, and only inside the root.
    """
    resolved_root = root.resolve()

    def find(name: str) -> str | None:
        if not name or "\x00" in name or name.startswith(("http://", "https://")):
            return None
        candidate = (resolved_root / name).resolve() if not Path(name).is_absolute() else Path(name).resolve()
        try:
            relative = candidate.relative_to(resolved_root)
        except ValueError:
            return None
        try:
            return relative.as_posix() if candidate.exists() and relative.parts else None
        except OSError:
            return None

    return find


def _offline_sources(options: AuditOptions, hub: HubResolver) -> list[str]:
    if hub.offline:
        return ["Hugging Face Hub API (offline mode: local cache and bundled snapshot only)"]
    if hub.hub_unreachable:
        return [f"Hugging Face Hub API (unreachable: {hub.hub_unreachable})"]
    return []


def _stats(found: Discovery, components, findings, environment: str) -> dict[str, int | float | str]:
    return {
        "files_scanned": found.files_scanned,
        "libraries": sum(1 for c in components if c.kind == "library"),
        "models": sum(1 for c in components if c.kind == "model"),
        "unknown_licenses": sum(1 for c in components if c.license is None),
        "errors": sum(1 for f in findings if f.severity == "error"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "infos": sum(1 for f in findings if f.severity == "info"),
        "unresolved": len(found.unresolved),
        "skipped": len(found.skipped),
        "environment": environment,
    }


def _display_root(target: Path) -> str:
    return target.name or str(target)


__all__ = ["AuditOptions", "ProjectContext", "run_audit", "utc_now"]
