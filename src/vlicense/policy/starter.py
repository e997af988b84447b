"""The starter policy `vlicense policy init` writes: extends the preset for the context, with comments that teach."""

from __future__ import annotations

from vlicense.model import ProjectContext

# The preset that fits each distribution model; with several, the one whose obligations trigger most wins
# (shipping binaries triggers everything a SaaS does, plus GPL).
_PRESET_ORDER = (("binary", "closed-source-binary"), ("saas", "closed-source-saas"), ("open-source", "open-source"),
                 ("internal", "internal"))


def preset_for(context: ProjectContext) -> str:
    """The shipped preset a starter policy for this context extends."""
    for dist, preset in _PRESET_ORDER:
        if dist in context.distribution:
            return preset
    return "closed-source-saas"


def _yaml_str(value: str) -> str:
    # Double-quoted YAML scalar: safe for any SPDX expression (parentheses, '+', ':').
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def starter_policy(context: ProjectContext, *, name: str = "my-project") -> str:
    """YAML text of a starter policy for ``context``; `vlicense policy check` accepts it as written."""
    preset = preset_for(context)
    dist = ", ".join(context.distribution)
    project_license = _yaml_str(context.project_license) if context.project_license else "null"
    return f"""\
# vlicense policy: which licenses this project may use, given how it is distributed.
# Check it with `vlicense policy check vlicense.yaml`; use it with `vlicense audit --policy vlicense.yaml`
# (or set `policy = "vlicense.yaml"` under [tool.vlicense] in pyproject.toml).
name: {name}

# Start from a shipped preset and change only what differs. Presets: closed-source-saas, closed-source-binary,
# internal, open-source, strict (`vlicense policy list`). Everything below is merged over the preset.
extends: {preset}

# How the project reaches people decides which license obligations trigger:
#   internal     - used only inside the organisation: copyleft does not trigger (no distribution, no service)
#   saas         - users reach it over a network: AGPL/SSPL/EUPL trigger (AGPL-3.0 section 13), GPL does not
#   binary       - customers get a copy (installer, image, device): GPL and AGPL both trigger
#   open-source  - the source is published: copyleft is about compatibility with project_license
# commercial: non-commercial licenses (CC-BY-NC, research-only weights) restrict *use*, wherever it happens.
context:
  distribution: [{dist}]
  commercial: {"true" if context.commercial else "false"}
  project_license: {project_license}

# Severity per license category and context key (internal, saas, binary, open-source, commercial,
# non-commercial, default): error | warning | info | ignore. The preset's values apply unless you change them.
rules:
  unknown-license: {{default: warning}}   # unknown is never a pass; `strict` makes it an error
  #   its two kinds can differ: not-determined (a source offline or failing) and declared-none (no license given;
  #   an error in the commercial presets), e.g. {{default: warning, declared-none: {{saas: error}}}}
  # use-restricted: {{default: error}}    # OpenRAIL, Llama, Gemma: block until someone reviews the restrictions
  # license-drift: {{default: error}}     # a fine-tune claiming a more permissive license than its base model
  # unpinned-revision: {{default: warning}}

# Components used only outside shipped code (tests, dev tools, notebooks...) are capped at these severities.
# scopes:
#   test: info
#   notebook: warning

# Explicit decisions. Packages are distribution names (globs allowed), models are component ids.
allow:
  licenses: []        # e.g. [LicenseRef-Roboflow-PML-1.0] once the vendor agreement is signed
  packages: []
  models: []
deny:
  licenses: []        # e.g. [SSPL-1.0]
  packages: []
  models: []          # e.g. ["ultralytics:*"]

# Correct a wrong license in metadata; the reason is printed in the report.
overrides: {{}}
#   pypi:some-package:
#     license: MIT
#     reason: "PyPI metadata says UNKNOWN; LICENSE file in the sdist is MIT (checked 2026-01-15)"

# Pin the branch of an OR license you rely on (otherwise vlicense picks the mildest branch and says so).
choices: {{}}
#   pypi:some-dual-licensed:
#     license: MIT
#     reason: "we use it under MIT"

# Accept a finding for a while. Every exception needs a reason, an owner or ticket, and an expiry date:
# an expired exception is an error, an unused one a warning, so none outlives its reason.
exceptions: []
#   - component: "ultralytics:yolo11n.pt"
#     reason: "Ultralytics Enterprise License signed"
#     owner: legal@example.com
#     ticket: LEGAL-123
#     expires: 2027-06-30
"""
