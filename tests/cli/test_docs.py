"""The docs stay true: rules.md is generated from the registry, references cover every key and field, and the
README's --help block is the real output."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from vlicense.explain import all_rules, rule_fix, rules_reference_markdown
from vlicense.resources import preset_names, schema_path

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def test_rules_md_is_current():
    assert (DOCS / "rules.md").read_text(encoding="utf-8") == rules_reference_markdown(), (
        "docs/rules.md is stale: run python docs/generate_rules.py")


def test_generator_check_mode_agrees():
    done = subprocess.run([sys.executable, str(DOCS / "generate_rules.py"), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_rule_is_documented_with_a_rationale_and_a_fix():
    text = rules_reference_markdown()
    for rule_id, rule in all_rules().items():
        assert f"\n## {rule_id}\n" in text
        assert rule_fix(rule), f"rule {rule_id} has no how-to-fix text (add it to explain.RULE_FIXES or rule.fix)"
        assert (rule.doc or "").strip(), f"rule {rule_id} has no docstring"


def test_policy_reference_names_every_key_and_preset():
    from vlicense.policy import schema

    text = (DOCS / "policy.md").read_text(encoding="utf-8")
    keys = [*schema.TOP_LEVEL_KEYS, *schema.CONTEXT_KEYS, *schema.LIST_KEYS, *schema.EXCEPTION_KEYS]
    missing = [k for k in keys if f"`{k}`" not in text]
    assert not missing, f"docs/policy.md does not document: {missing}"
    assert not [p for p in preset_names() if f"`{p}`" not in text]


def _schema_fields(node, found):
    if isinstance(node, dict):
        found.update(node.get("properties", {}))
        for value in node.values():
            _schema_fields(value, found)
    elif isinstance(node, list):
        for value in node:
            _schema_fields(value, found)
    return found


def test_json_report_doc_covers_every_schema_field():
    text = (DOCS / "json-report.md").read_text(encoding="utf-8")
    fields = _schema_fields(json.loads(schema_path().read_text()), set())
    missing = sorted(f for f in fields if f"`{f}`" not in text)
    assert not missing, f"docs/json-report.md does not document: {missing}"
    assert "report.schema.json" in text


@pytest.mark.parametrize("name", ["policy.md", "rules.md", "json-report.md", "ci.md", "faq.md"])
def test_docs_exist_and_their_relative_links_resolve(name):
    path = DOCS / name
    text = path.read_text(encoding="utf-8")
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (path.parent / target).exists(), f"{name}: broken link {target}"


def test_faq_answers_the_four_questions():
    text = (DOCS / "faq.md").read_text(encoding="utf-8").lower()
    for words in ("agpl", "section 13", "weights", "fine-tun", "unknown", "overrides:"):
        assert words in text


def real_help() -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VLICENSE_")}
    env["COLUMNS"] = "80"  # the width of a non-terminal; the README block is rendered at this width
    return subprocess.run([sys.executable, "-m", "vlicense", "--help"], capture_output=True, text=True, env=env,
                          check=True).stdout


def test_readme_help_block_matches_the_real_help():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- help-start -->\s*```[a-z]*\n(.*?)```\s*<!-- help-end -->", readme, re.S)
    actual = real_help()
    assert match, ("README.md lacks the --help block; paste this between <!-- help-start --> and <!-- help-end -->, "
                   "in a ``` fence (output of `COLUMNS=80 vlicense --help`):\n" + actual)
    assert match.group(1).strip() == actual.strip(), "README.md --help block is stale; replace it with:\n" + actual
