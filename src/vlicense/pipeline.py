"""run_audit: the one place that knows the stage order (discover -> resolve -> evaluate)."""

from __future__ import annotations

import datetime as _dt
import logging
import os
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from vlicense import __version__
from vlicense.discovery import discover
from vlicense.errors import UsageError
from vlicense.model import AuditResult, Discovery, Finding, ProjectContext
from vlicense.policy import evaluate, load_policy, verdict
from vlicense.policy.baseline import apply_baseline
from vlicense.policy.engine import sort_findings
from vlicense.policy.gitref import apply_new_since, findings_at_ref
from vlicense.resolution.cache import AnswerCache
from vlicense.resolution.components import build_components
from vlicense.resolution.environment import TargetEnvironment, find_site_dirs
from vlicense.resolution.hf import HubResolver
from vlicense.resolution.hygiene import HygieneSources, judge
from vlicense.resolution.installed import Environment
from vlicense.knowledge.knowledge_base import KnowledgeBase
from vlicense.resolution.pypi import PyPIResolver
from vlicense.resolution.weights_enrich import enrich_weight_components, hub_base_identifier

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
    # Findings recorded in this baseline file are reported but not gated (adopting the gate on a legacy project).
    baseline: Path | None = None
    # Gate only findings that did not exist at this git ref (the project as it was there is audited too).
    new_since: str | None = None
    # Reuse per-file discovery results from the user cache dir; jobs: worker processes (None: automatic).
    cache: bool = True
    jobs: int | None = None


def utc_now() -> _dt.datetime:
    """The real clock, unless SOURCE_DATE_EPOCH pins it (reproducible builds); tests inject their own."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
    return _dt.datetime.now(_dt.timezone.utc)


# Observer for long runs: (stage name, items done or None, items total or None); the CLI shows a spinner.
Progress = Callable[[str, "int | None", "int | None"], None]


def _silent(stage: str, done: int | None = None, total: int | None = None) -> None:
    """The default observer: reports nothing."""


def run_audit(options: AuditOptions, *, clock: Clock = utc_now, progress: Progress = _silent) -> AuditResult:
    """Discover, resolve and evaluate one project; raises VLicenseError subclasses for bad input."""
    target = options.path
    if not target.exists():
        raise UsageError(
            f"path does not exist: {target}", fix="pass the folder (or a single .py/.ipynb file) of the project to audit"
        )
    root = target if target.is_dir() else target.parent
    policy = load_policy(options.policy, search_dir=root)
    progress("discovering imports, manifests, model loads and weight files", None, None)
    reader = _EnvironmentReader(root, options)
    try:
        found = discover(target, exclude=options.exclude, cache=options.cache, jobs=options.jobs,
                         workers_started=reader.start)
    finally:
        reader.close()
    site, environment = reader.result()
    progress("resolving licenses", None, None)
    kb = KnowledgeBase.load()
    answers = AnswerCache.default()
    hub = HubResolver(offline=options.offline, cache_dir=options.hf_cache_dir, answer_cache=answers)
    pypi = PyPIResolver(offline=options.offline, answer_cache=answers)
    components = build_components(
        found, environment=environment, kb=kb, hub=hub, project_path=project_path_finder(root), pypi=pypi
    )
    # Weight files and model folders in the tree: embedded metadata, lineage, unsafe pickles (never loaded).
    weight_skipped = enrich_weight_components(components, root, kb, hub_base_identifier(kb, hub))
    # Model hygiene: the preprocessing that reaches each model against what its weights declare.
    issues, hygiene_skipped = judge(found.hygiene, kb, HygieneSources(root, hub.cache_dir, project_path_finder(root)))
    skipped = sorted({*found.skipped, *weight_skipped, *hygiene_skipped, *hub.skipped}, key=lambda s: (s.path, s.reason))
    progress("evaluating the policy", None, None)
    today = clock().date()
    findings = evaluate(components, policy, today=today, hygiene=issues)
    findings = _gate(findings, options, root, policy_ref=_policy_reference(options.policy, root), clock=clock)
    sources_offline = _offline_sources(options, hub, pypi)
    return AuditResult(
        root=_display_root(target),
        policy_name=policy.name,
        context=policy.context,
        verdict=verdict(findings),
        components=components,
        findings=findings,
        unresolved=sorted(found.unresolved, key=lambda u: (u.location.path, u.location.line, u.expression)),
        skipped=skipped,
        stats=_stats(found, components, findings, site.description, skipped=len(skipped)),
        tool_version=__version__,
        generated_at=today.isoformat(),
        sources_offline=sources_offline,
    )


class _EnvironmentReader:
    """The target environment and its distributions, read on a thread while discovery's worker processes run
    (the main thread only waits on them then; the environment does not depend on the project's code), or after
    discovery when it runs serially."""

    def __init__(self, root: Path, options: AuditOptions) -> None:
        self.root, self.options = root, options
        self._thread: ThreadPoolExecutor | None = None
        self._reading: Future | None = None

    def start(self) -> None:
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vlicense-environment")
        self._reading = self._thread.submit(self._read)

    def close(self) -> None:
        if self._thread is not None:
            self._thread.shutdown(wait=True)

    def result(self) -> tuple[TargetEnvironment, Environment]:
        return self._reading.result() if self._reading is not None else self._read()

    def _read(self) -> tuple[TargetEnvironment, Environment]:
        site = _target_environment(self.root, self.options.python)
        # A cache connection of this thread's own (SQLite connections stay in the thread that opened them).
        answers = AnswerCache.default() if self.options.cache else None
        try:
            return site, Environment.from_paths(site.site_dirs, site.python_version, cache=answers)
        finally:
            if answers is not None:
                answers.close()


# `--python none`: read no installed environment (manifests, knowledge base and PyPI only). Reproducible
# anywhere, and the right choice when the project's dependencies are not installed where vlicense runs.
NO_ENVIRONMENT = "none"


def _target_environment(root: Path, python: str | None) -> TargetEnvironment:
    if python is not None and python.strip().lower() == NO_ENVIRONMENT:
        return TargetEnvironment((), None, "none (--python none: installed metadata not read)", "--python")
    found = find_site_dirs(root, python)
    if found.origin in {"VIRTUAL_ENV", "current-interpreter"} and _inside_isolated_hook():
        # pre-commit runs the `vlicense` hook in a venv of its own and points VIRTUAL_ENV at it: that venv holds
        # vlicense, not the project's dependencies, so reading it would report vlicense's own packages.
        return TargetEnvironment(
            (), None, "none (isolated pre-commit hook: use the vlicense-system hook to read the project's venv)", found.origin
        )
    return found


def _inside_isolated_hook() -> bool:
    """True when running as pre-commit's `language: python` hook, from the hook's own virtualenv."""
    if not os.environ.get("PRE_COMMIT"):
        return False
    venv = os.environ.get("VIRTUAL_ENV")
    return bool(venv) and Path(venv).resolve() == Path(sys.prefix).resolve()


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


def _gate(findings: list[Finding], options: AuditOptions, root: Path, *, policy_ref: str, clock: Clock) -> list[Finding]:
    """Apply --new-since and --baseline: known findings stay in the report but are lowered to info."""
    if options.new_since:
        old_options = replace(options, path=root, new_since=None, baseline=None, policy=policy_ref)
        old = findings_at_ref(root, options.new_since, lambda path: run_audit(replace(old_options, path=path), clock=clock).findings)
        findings = apply_new_since(findings, old, options.new_since)
    if options.baseline is not None:
        findings = apply_baseline(findings, options.baseline)
    return sort_findings(findings)


def _policy_reference(policy: str, root: Path) -> str:
    """The policy as the run at another git ref must see it: a file path made absolute, or the preset name."""
    candidate = Path(policy)
    if candidate.suffix in {".yaml", ".yml"} or "/" in policy:
        return str((candidate if candidate.is_absolute() else Path.cwd() / candidate).resolve())
    return policy


def _offline_sources(options: AuditOptions, hub: HubResolver, pypi: PyPIResolver) -> list[str]:
    sources = []
    if hub.offline:
        sources.append("Hugging Face Hub API (offline mode: local cache and bundled snapshot only)")
    elif hub.hub_unreachable:
        sources.append(f"Hugging Face Hub API (unreachable: {hub.hub_unreachable})")
    if pypi.offline:
        sources.append("PyPI JSON API (offline mode: installed metadata and bundled knowledge base only)")
    elif pypi.unreachable:
        sources.append(f"PyPI JSON API (unreachable: {pypi.unreachable})")
    return sources


def _stats(found: Discovery, components, findings, environment: str, *, skipped: int) -> dict[str, int | float | str]:
    return {
        "files_scanned": found.files_scanned,
        "libraries": sum(1 for c in components if c.kind == "library"),
        "models": sum(1 for c in components if c.kind == "model"),
        "unknown_licenses": sum(1 for c in components if c.license is None),
        "errors": sum(1 for f in findings if f.severity == "error"),
        "warnings": sum(1 for f in findings if f.severity == "warning"),
        "infos": sum(1 for f in findings if f.severity == "info"),
        "unresolved": len(found.unresolved),
        "skipped": skipped,
        "environment": environment,
    }


def _display_root(target: Path) -> str:
    return target.name or str(target)


__all__ = ["AuditOptions", "ProjectContext", "run_audit", "utc_now"]
