"""The rule protocol: a rule id, a default severity table keyed by context, and the words that explain a finding."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from vlicense.model import Component, HygieneIssue, ProjectContext, Signal
from vlicense.knowledge.licenses import ExceptionInfo, LicenseInfo


@dataclass(frozen=True)
class Trigger:
    """Why a rule fired for one license leaf of one component, in the project's context."""

    component: Component
    license: str  # the leaf as written, WITH exception included
    info: LicenseInfo | None
    exception: ExceptionInfo | None
    category: str
    severity: str
    decided_by: str  # the severity-table key that set the severity: "saas", "commercial", "default", ...
    context: ProjectContext

    @property
    def key(self) -> str:
        return self.info.key if self.info else self.license

    @property
    def clause(self) -> str:
        return self.info.clause if self.info else "no license terms known"

    @property
    def is_model(self) -> bool:
        return self.component.kind == "model"


@dataclass(frozen=True)
class SeverityRule:
    """A rule whose severity comes from a context-keyed table (policy ``rules:`` over ``defaults``)."""

    id: str
    title: str
    categories: tuple[str, ...]
    defaults: Mapping[str, str]
    explain: Callable[[Trigger], str]
    recommend: Callable[[Trigger], str]
    doc: str = ""
    # Kinds of finding a policy may give severities of their own (``rules: {<id>: {<variant>: {...}}}``); each
    # variant's keys override the rule's shared keys (see Policy.severity_table).
    variants: tuple[str, ...] = ()


@dataclass(frozen=True)
class FixedRule:
    """A rule with a fixed severity (deny lists, exception bookkeeping); its module builds the message."""

    id: str
    title: str
    severity: str
    doc: str = ""


def unreviewed_note(t: Trigger) -> str:
    """A caveat for custom licenses whose text vlicense has not read."""
    if t.info is not None and not t.info.reviewed:
        return f" ({t.info.name} is a custom license whose full text vlicense has not reviewed; '{t.category}' is its best sourced reading.)"
    return ""


def exception_note(t: Trigger) -> str:
    """What a WITH exception changes, when there is one."""
    if t.exception is not None:
        return f" The {t.exception.key} exception applies: {t.exception.effect}"
    return ""


@dataclass(frozen=True)
class SignalTrigger:
    """Why a signal rule fired: one signal on one component, in the project's context."""

    component: Component
    signal: Signal
    severity: str
    decided_by: str
    context: ProjectContext

    @property
    def is_model(self) -> bool:
        return self.component.kind == "model"


@dataclass(frozen=True)
class SignalRule:
    """A rule acting on a component signal (``Component.signals``), severity from a context-keyed table."""

    id: str
    title: str
    signal: str  # the Signal.kind it acts on (one of vlicense.model.SIGNAL_KINDS)
    # Put on the finding: "security" for code-execution risks; None otherwise (Finding.category holds license
    # categories, and the JSON report schema enumerates them plus "security").
    category: str | None
    defaults: Mapping[str, str]
    explain: Callable[[SignalTrigger], str]
    recommend: Callable[[SignalTrigger], str]
    # False for rules whose risk does not depend on where the component is used (e.g. code execution on load).
    scope_capped: bool = True
    doc: str = ""


@dataclass(frozen=True)
class HygieneRule:
    """A model-hygiene rule (family ``hygiene``): acts on a HygieneIssue from resolution, not on a license.

    Severity comes from a context-keyed table like the others (warning by default: a finding to fix, never
    blocking unless a policy raises it); ``hygiene: false`` in a policy turns the whole family off.
    ``example`` is the worked case ``vlicense explain`` prints.
    """

    id: str
    title: str
    defaults: Mapping[str, str]
    recommend: Callable[[HygieneIssue], str]
    fix: str
    example: str
    doc: str = ""
