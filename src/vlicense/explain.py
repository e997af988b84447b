"""`vlicense explain ID`: what vlicense knows about a rule, a license, a model id or a package, with sources."""

from __future__ import annotations

from typing import Any

from vlicense.errors import UsageError
from vlicense.model import Component, Location, ModelReference

_MODEL_PREFIXES = ("timm:", "torchvision:", "hf:", "ultralytics:", "torchhub:", "open_clip:")
PRESETS_SHOWN = ("closed-source-saas", "closed-source-binary", "internal", "open-source", "strict")

# How to make each rule's finding go away for good: the user-facing half of docs/rules.md. A rule module may
# carry its own ``fix`` attribute instead; that wins. tests/cli/test_docs.py fails when a rule has neither.
RULE_FIXES: dict[str, str] = {
    "network-copyleft": "Replace the component with a permissively licensed one (the finding lists alternatives), buy the "
    "vendor's commercial license where one exists (Ultralytics Enterprise for YOLO), or, if the project really is "
    "internal or open source, say so in the policy (`--policy internal` / `open-source`).",
    "strong-copyleft": "Do not ship the GPL component inside a closed binary: replace it, keep it in a separate program "
    "you do not distribute, or publish the combined work under a compatible license. As a SaaS this is informational.",
    "weak-copyleft": "Keep the component unmodified and dynamically linked/importable, ship its license text and source "
    "offer with the product (LGPL/MPL obligations apply to the component's own files), or replace it.",
    "non-commercial": "Use weights licensed for commercial use (the finding names same-architecture and same-task "
    "alternatives), license the weights commercially from their owner, or train your own from a permissive base.",
    "use-restricted": "Read the use restrictions (OpenRAIL attachment A, Llama/Gemma acceptable-use policy), pass them on "
    "to your users in your terms, and record the review as a policy exception with an owner and an expiry.",
    "source-available": "Check the license's additional-use grant against how you deploy; hosted or production use "
    "usually needs a commercial license from the vendor, or replace the component.",
    "proprietary": "Confirm the organisation holds the agreement the license requires (an account, a paid plan); record "
    "it as a policy exception with the contract as the reason, or replace the component.",
    "unknown-license": "Not determined: rerun as the finding says (online, without --offline; with HF_TOKEN for a gated "
    "model; after `huggingface-cli download <repo> README.md`). Declared none: obtain a license from the publisher or "
    "replace the component. Either way, once the license is known from its card, LICENSE file or vendor page, an "
    "`overrides:` entry with the license and a reason records it.",
    "unreviewed-license": "Have someone read the custom license text and record the decision as a policy exception "
    "(owner, reason, expiry), or replace the component with one under a reviewed license.",
    "permissive": "Nothing to fix: permissive licenses only ask for attribution (keep the notices); a policy can raise "
    "this rule to list them.",
    "public-domain": "Nothing to fix; a policy can raise this rule to list public-domain components.",
    "denied": "Remove the denied license, package or model, or change the policy's `deny:` list if the denial is wrong.",
    "allowed": "Nothing to fix: the policy's `allow:` list accepts this component without evaluating its license.",
    "license-choice": "Nothing to fix; check that the branch vlicense relied on is the one you comply with, or pin it "
    "in the policy.",
    "choice-unused": "Remove the stale license choice from the policy, or fix the component id or branch it names.",
    "exception-expired": "Renew the exception (new `expires:` date, still with an owner and a reason) after a review, or "
    "fix the finding it covered.",
    "exception-unused": "Delete the exception from the policy, or fix its component id/version/path so it matches.",
    "override-unused": "Delete the license override from the policy, or fix the component id it names.",
    "gated": "Make sure everyone who downloads the model (CI included) accepted its terms on the Hub with their own "
    "account; the license still applies as resolved.",
    "license-drift": "Check the base model's license: a fine-tune cannot relax its base's terms. Resolve the lineage "
    "(the finding names the base) and treat the derived model under the stricter license.",
    "tool-stamp": "Nothing to fix in the file itself; establish the weights' real origin (who trained them, on what) "
    "and their license, and add a policy override if needed.",
    "unpinned-revision": "Pin the Hub revision (`revision=\"<commit sha>\"`) so the card and license you audited are the "
    "ones you load.",
    "unsafe-pickle": "Convert the weights to safetensors, or load them with `torch.load(..., weights_only=True)` after "
    "checking their origin; never unpickle untrusted files.",
}


def explain_identifier(identifier: str) -> str:
    """Text for one identifier; raises UsageError when nothing is known about it."""
    identifier = identifier.strip()
    prefix, sep, rest = identifier.partition(":")
    if sep and f"{prefix}:" in (*_MODEL_PREFIXES, "pypi:") and not rest.strip():
        raise UsageError(f"{identifier!r} names no model or package", fix=f"e.g. {prefix}:<name>")
    rule = _rule(identifier)
    if rule is not None:
        return explain_rule(identifier)

    from vlicense.knowledge.licenses import license_info
    from vlicense.knowledge.knowledge_base import KnowledgeBase

    if identifier.startswith(_MODEL_PREFIXES) or (sep and rest.strip() and prefix in _catalog_namespaces()):
        return _explain_model(identifier, KnowledgeBase.load())
    if identifier.startswith("pypi:"):
        return _explain_package(identifier[len("pypi:"):], KnowledgeBase.load())
    if license_info(identifier) is not None:
        return _explain_license(identifier)
    kb = KnowledgeBase.load()
    if kb.library(identifier) is not None:
        return _explain_package(identifier, kb)
    raise UsageError(
        f"nothing known about {identifier!r}",
        fix="give a rule id (network-copyleft), a license id (AGPL-3.0-only), a model id (timm:resnet50, "
        "hf:org/name, ultralytics:yolo11n.pt, insightface:buffalo_l) or a package (pypi:ultralytics)",
    )


# ------------------------------------------------------------------------------------------------- rules


def all_rules() -> dict[str, Any]:
    """Every registered rule by id: license-category, signal, model-hygiene and fixed-severity rules."""
    from vlicense.policy import rules

    out: dict[str, Any] = {}
    for table in ("SEVERITY_RULES", "SIGNAL_RULES", "HYGIENE_RULES", "FIXED_RULES"):
        out.update(getattr(rules, table, {}))
    return out


def _rule(rule_id: str) -> Any | None:
    from vlicense.policy.rules import rule_alias

    return all_rules().get(rule_alias(rule_id))


def rule_rationale(rule: Any) -> str:
    """The rule module's docstring without its ``Rule <id>:`` lead-in."""
    doc = " ".join((getattr(rule, "doc", "") or "").split())
    head, sep, rest = doc.partition(":")
    text = rest.strip() if sep and head.lower().startswith("rule") else doc
    return text[:1].upper() + text[1:]


def rule_fix(rule: Any) -> str | None:
    """How to fix the rule's finding: the rule's own ``fix`` text, else RULE_FIXES, else None."""
    return getattr(rule, "fix", None) or RULE_FIXES.get(rule.id)


def preset_severities(rule_id: str, variant: str | None = None) -> dict[str, str]:
    """The severity this rule (or one of its kinds) gets under each preset in PRESETS_SHOWN (``ignore``: no finding)."""
    from vlicense.policy import load_policy
    from vlicense.policy.context import context_keys
    from vlicense.resources import preset_names

    rule = all_rules()[rule_id]
    out = {}
    for name in (p for p in PRESETS_SHOWN if p in preset_names()):
        if not hasattr(rule, "defaults"):
            out[name] = rule.severity
            continue
        policy = load_policy(name)
        out[name] = policy.severity(rule_id, context_keys(policy.context), variant)[0]
    return out


def _preset_cells(rule: Any) -> dict[str, str]:
    """Per preset: the rule's severity, and each kind's where it differs (``warning (declared-none: error)``)."""
    plain = preset_severities(rule.id)
    differ: dict[str, list[str]] = {name: [] for name in plain}
    for variant in getattr(rule, "variants", ()):
        for name, severity in preset_severities(rule.id, variant).items():
            if severity != plain[name]:
                differ[name].append(f"{variant}: {severity}")
    return {name: sev + (f" ({', '.join(differ[name])})" if differ[name] else "") for name, sev in plain.items()}


def explain_rule(rule_id: str) -> str:
    rule = _rule(rule_id)
    assert rule is not None
    lines = [f"rule {rule.id}: {rule.title}", f"why: {rule_rationale(rule)}"]
    categories = getattr(rule, "categories", ())
    table_rule = hasattr(rule, "defaults")
    if categories:
        lines.append(f"license categories: {', '.join(categories)}")
        examples = _licenses_in(categories)
        if examples:
            lines.append(f"licenses: {', '.join(examples[:10])}" + (f" and {len(examples) - 10} more" if len(examples) > 10 else ""))
    if table_rule:
        lines.append("built-in severity by context: " + ", ".join(f"{k} {v}" for k, v in rule.defaults.items()))
        lines.append("under the presets: " + ", ".join(f"{k} {v}" for k, v in _preset_cells(rule).items()))
        if getattr(rule, "variants", ()):
            lines.append(f"kinds with their own severity table: {', '.join(rule.variants)}")
    else:
        lines.append(f"severity: {rule.severity} (fixed; policies do not change it)")
    fix = rule_fix(rule)
    if fix:
        lines.append(f"how to fix: {fix}")
    example = getattr(rule, "example", "")
    if example:
        lines.append(f"example: {example}")
        lines.append("family: model hygiene (`hygiene: false` in a policy turns the whole family off)")
    if table_rule:
        lines.append(f"change its severity in a policy: rules: {{{rule.id}: {{default: warning}}}} (see docs/policy.md)")
    return "\n".join(lines)


def _licenses_in(categories: tuple[str, ...]) -> list[str]:
    from vlicense.knowledge.licenses import all_licenses

    return sorted(info.key for info in all_licenses() if info.category in categories)


# ---------------------------------------------------------------------------------------------- licenses


def _explain_license(key: str) -> str:
    from vlicense.knowledge.licenses import license_info
    from vlicense.policy.rules import RULE_FOR_CATEGORY

    info = license_info(key)
    assert info is not None
    lines = [
        f"{info.key}: {info.name}",
        f"category: {info.category}",
        f"obligation: {info.obligation}",
        f"rests on: {info.clause}",
        f"text: {info.url}",
    ]
    if info.restrictions:
        lines.append("restrictions: " + "; ".join(info.restrictions))
    if info.note:
        lines.append(f"note: {info.note}")
    if info.commercial_route:
        lines.append(f"commercial route: {info.commercial_route}")
    rule_id = RULE_FOR_CATEGORY.get(info.category)
    if rule_id is not None:
        severities = ", ".join(f"{k} {v}" for k, v in preset_severities(rule_id).items())
        lines.append(f"rule: {rule_id} ({severities})")
    lines.append(f"source: {info.source}" + ("" if info.reviewed else " (custom terms, not reviewed in full)"))
    return "\n".join(lines)


# ------------------------------------------------------------------------------------ models and packages


def _explain_model(identifier: str, kb: Any) -> str:
    from vlicense.resolution.identify import identify

    fact = kb.model(identifier)
    lines = [identifier]
    component_id = identifier
    key = kb.curated_key(identifier)
    if fact is not None and key is not None and key != identifier:
        lines.append(f"answered by the knowledge base rule {key} (no entry for this exact id)")
    if fact is None:
        ref = _reference_for(identifier)
        if ref is not None:
            ident = identify(ref, kb)
            fact = ident.fact
            if ident.component_id != identifier:
                component_id = ident.component_id
                lines.append(f"resolves to: {ident.component_id}")
            lines.extend(f"note: {note}" for note in ident.notes)
    if fact is None:
        lines.append("license: unknown (not in the bundled knowledge base; an audit also asks the Hugging Face cache/Hub)")
        lines.append("resolve it: read the model card or repository LICENSE, then add an `overrides:` entry to your "
                     "policy with the license and a reason (docs/faq.md, 'What does unknown mean')")
        return "\n".join(lines)
    lines.extend(_fact_lines(fact))
    lines.extend(_alternative_lines(Component(component_id, "model", component_id, license=fact.license,
                                              task=getattr(fact, "task", None))))
    return "\n".join(lines)


def _explain_package(name: str, kb: Any) -> str:
    fact = kb.library(name)
    lines = [f"pypi:{name}"]
    if fact is None:
        lines.append("license: not in the bundled knowledge base (an audit reads it from the installed metadata)")
        return "\n".join(lines)
    lines.extend(_fact_lines(fact))
    lines.extend(_alternative_lines(Component(f"pypi:{name}", "library", name, license=fact.license)))
    return "\n".join(lines)


def _alternative_lines(component: Component) -> list[str]:
    """Alternatives, shown when the license is not plainly permissive (that is when someone needs them)."""
    from vlicense.policy.alternatives import alternatives_for
    from vlicense.knowledge.licenses import categorize, license_info

    categories = categorize(component.license)
    if not categories or set(categories) <= {"permissive", "public-domain"}:
        return []
    info = license_info(component.license) if component.license and " " not in component.license else None
    alternatives = alternatives_for(component, info)
    if not alternatives:
        return []
    lines = ["alternatives:"]
    for alt in alternatives:
        note = f" ({alt.note})" if alt.note else ""
        lines.append(f"  - {alt.name} [{alt.license}]{note}")
    return lines


def _fact_lines(fact: Any) -> list[str]:
    from vlicense.knowledge.licenses import license_info

    lines = [f"license: {fact.license or 'unknown'}" + (f" (declared as {fact.raw!r})" if fact.raw and fact.raw != fact.license else "")]
    if fact.license:
        info = license_info(fact.license) if " " not in fact.license else None
        if info is not None:
            lines.append(f"category: {info.category}; rests on: {info.clause}")
    if fact.task:
        lines.append(f"task: {fact.task}")
    if fact.note:
        lines.append(f"note: {fact.note}")
    lines.append(f"source: {fact.source} ({fact.date})")
    basis = getattr(fact, "basis", None)
    if basis:
        lines.append("basis: " + ("read from the model's Hub card" if basis == "card" else
                                  "inferred from an upstream source, not the Hub card (an online audit asks the Hub)"))
    return lines


def _reference_for(identifier: str) -> ModelReference | None:
    """Rebuild a reference from an id the user typed, so defaults (timm default tag, DEFAULT enum) resolve."""
    loader, _, rest = identifier.partition(":")
    where = Location("<command line>")
    if loader == "timm":
        return ModelReference("timm", rest, where)
    if loader == "torchvision" and "." in rest:
        return ModelReference("torchvision", "", where, variant=rest)
    if loader == "hf":
        return ModelReference("huggingface", rest, where)
    if loader == "ultralytics":
        return ModelReference("ultralytics", rest, where, variant="YOLO")
    if loader == "torchhub" and ":" in rest:
        repo, _, entry = rest.partition(":")
        return ModelReference("torchhub", repo, where, variant=entry)
    if loader == "open_clip" and ":" in rest:
        model, _, tag = rest.partition(":")
        return ModelReference("open_clip", model, where, variant=tag)
    if loader in _catalog_namespaces():
        return ModelReference(loader, rest, where)  # insightface:buffalo_l: exact id, else the namespace's rule
    return None


def _catalog_namespaces() -> frozenset[str]:
    """The namespaces of the loader catalog's libraries (``insightface``, ``super_gradients``, ``keras``, ...)."""
    from vlicense.knowledge.loader_catalog import load_catalog

    return load_catalog().namespaces


# ------------------------------------------------------------------------------- completion and rules doc


def completion_candidates(incomplete: str, limit: int = 200) -> list[str]:
    """Identifiers starting with ``incomplete`` for shell completion: rule ids, license ids, model prefixes."""
    from vlicense.knowledge.licenses import all_licenses
    from vlicense.policy.rules import all_rule_ids

    pool = [*all_rule_ids(), *(info.key for info in all_licenses()), *_MODEL_PREFIXES, "pypi:",
            *(f"{n}:" for n in _catalog_namespaces())]
    lowered = incomplete.lower()
    return sorted({p for p in pool if p.lower().startswith(lowered)})[:limit]


def rules_reference_markdown() -> str:
    """docs/rules.md, generated from the rule registry (docstrings, titles, severities) and RULE_FIXES."""
    from vlicense.policy.rules import all_rule_ids

    registry = all_rules()
    out = [
        "# Rules reference",
        "",
        "<!-- Generated by `python docs/generate_rules.py` from the rule registry (src/vlicense/policy/rules/). "
        "Do not edit by hand; a test checks that this file is current. -->",
        "",
        "Every finding names the rule that produced it. `vlicense explain RULE` prints the same text in the terminal.",
        "Severities: `error` blocks (exit 1 with the default `--fail-on error`), `warning`, `info`, `ignore` (no finding).",
        "A policy changes a rule's severity per context with `rules: {RULE: {saas: error, default: warning}}`",
        "(see [policy.md](policy.md)).",
        "",
        "| rule | title | " + " | ".join(PRESETS_SHOWN) + " |",
        "| --- | --- | " + " | ".join("---" for _ in PRESETS_SHOWN) + " |",
    ]
    for rule_id in all_rule_ids():
        rule = registry[rule_id]
        sev = _preset_cells(rule)
        out.append(f"| [`{rule_id}`](#{rule_id}) | {rule.title} | " + " | ".join(sev.get(p, "-") for p in PRESETS_SHOWN) + " |")
    for rule_id in all_rule_ids():
        rule = registry[rule_id]
        out += ["", f"## {rule_id}", "", f"**{rule.title}.** {rule_rationale(rule)}", ""]
        categories = getattr(rule, "categories", ())
        if categories:
            out.append(f"- License categories: {', '.join(f'`{c}`' for c in categories)}")
            examples = _licenses_in(categories)
            if examples:
                out.append(f"- Licenses in the catalog: {', '.join(f'`{k}`' for k in examples)}")
        if getattr(rule, "variants", ()):
            out.append("- Kinds a policy can weigh apart: " + ", ".join(f"`{v}`" for v in rule.variants)
                       + " (`rules: {" + rule.id + ": {" + rule.variants[-1] + ": {saas: error}}}`)")
        if hasattr(rule, "defaults"):
            out.append("- Built-in severity by context: " + ", ".join(f"`{k}`: {v}" for k, v in rule.defaults.items()))
        else:
            out.append(f"- Severity: {rule.severity} (fixed; not set per context)")
        out.append(f"- How to fix: {rule_fix(rule) or 'see the recommendation in the finding.'}")
        if getattr(rule, "example", ""):
            out.append(f"- Example: {rule.example}")
            out.append("- Family: model hygiene; `hygiene: false` in a policy turns the family off.")
    return "\n".join(out) + "\n"
