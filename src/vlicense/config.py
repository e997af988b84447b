"""Audit settings: command line > VLICENSE_* environment > [tool.vlicense] in pyproject.toml > defaults."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlicense.errors import ConfigError

FAIL_ON_CHOICES = ("error", "warning", "never")
DEFAULT_POLICY = "closed-source-saas"

# key -> (type, default). Names match the CLI options (dashes), as DESIGN.md section 3 requires.
SETTINGS: dict[str, tuple[type, Any]] = {
    "policy": (str, DEFAULT_POLICY),
    "format": (list, ["text"]),
    "output": (list, []),
    "offline": (bool, False),
    "python": (str, None),
    "fail-on": (str, "error"),
    "exclude": (list, []),
}


@dataclass
class Settings:
    """Resolved settings with, for each, where its value came from (shown by the report and --verbose)."""

    values: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]


def load_settings(project_root: Path, cli: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    """Merge the layers; ``cli`` holds only options the user actually gave (None means not given)."""
    environ = os.environ if environ is None else environ
    values = {key: default for key, (_, default) in SETTINGS.items()}
    origins = {key: "default" for key in SETTINGS}
    for key, value in _from_pyproject(project_root).items():
        values[key], origins[key] = value, "pyproject.toml [tool.vlicense]"
    for key, value in _from_environment(environ).items():
        values[key], origins[key] = value, f"environment {_env_name(key)}"
    for key, value in cli.items():
        if value is not None and value != () and value != []:
            values[key], origins[key] = (list(value) if isinstance(value, tuple) else value), "command line"
    if values["fail-on"] not in FAIL_ON_CHOICES:
        raise ConfigError(
            f"fail-on must be one of {', '.join(FAIL_ON_CHOICES)}, not {values['fail-on']!r}", where=origins["fail-on"]
        )
    return Settings(values, origins)


def _from_pyproject(project_root: Path) -> dict[str, Any]:
    path = project_root / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot parse pyproject.toml: {error}", where=str(path), fix="fix the TOML syntax") from None
    except OSError as error:
        raise ConfigError(f"cannot read pyproject.toml: {error.strerror}", where=str(path)) from None
    section = data.get("tool", {}).get("vlicense", {})
    if not isinstance(section, dict):
        raise ConfigError("[tool.vlicense] must be a table", where=str(path))
    result = {}
    for key, value in section.items():
        if key not in SETTINGS:
            raise ConfigError(
                f"unknown key {key!r} in [tool.vlicense]",
                where=str(path),
                fix=f"known keys: {', '.join(sorted(SETTINGS))}",
            )
        expected, _ = SETTINGS[key]
        if expected is list and isinstance(value, str):
            value = [value]
        if not isinstance(value, expected):
            raise ConfigError(
                f"[tool.vlicense] {key} must be a {expected.__name__}, not {type(value).__name__}", where=str(path)
            )
        result[key] = value
    return result


def _env_name(key: str) -> str:
    return "VLICENSE_" + key.upper().replace("-", "_")


def _from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, (expected, _) in SETTINGS.items():
        raw = environ.get(_env_name(key))
        if raw is None or raw == "":
            continue
        if expected is bool:
            lowered = raw.strip().lower()
            if lowered not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
                raise ConfigError(f"{_env_name(key)} must be a boolean (1/0, true/false), not {raw!r}")
            result[key] = lowered in {"1", "true", "yes", "on"}
        elif expected is list:
            result[key] = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            result[key] = raw
    return result
