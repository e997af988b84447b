"""Audit settings: command line > VLICENSE_* environment > [tool.vlicense] in pyproject.toml > defaults."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vlicense.errors import ConfigError

FAIL_ON_CHOICES = ("error", "warning", "never")
DEFAULT_POLICY = "closed-source-saas"
ENV_PREFIX = "VLICENSE_"
PYPROJECT_ORIGIN = "pyproject.toml [tool.vlicense]"
# The same cap discovery applies to the manifest (discovery.sources.MAX_TEXT_BYTES).
MAX_PYPROJECT_BYTES = 5 * 1024 * 1024
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class Setting:
    """One audit setting: its key is the CLI option's long name without dashes in front (``fail-on``).

    ``kind`` is ``str``, ``bool`` or ``list``; ``paths`` marks values that are file paths, which a pyproject.toml
    value names relative to the project (the command line and the environment are relative to the working folder).
    """

    key: str
    kind: str
    default: Any
    choices: tuple[str, ...] = ()
    paths: bool = False

    @property
    def env(self) -> str:
        return ENV_PREFIX + self.key.upper().replace("-", "_")


# The audit command's options, one entry each; a test checks this table and the click command agree.
# Adding an option (e.g. `baseline`) means adding one entry here and one click.option in cli.py.
SETTINGS: dict[str, Setting] = {
    s.key: s
    for s in (
        Setting("policy", "str", DEFAULT_POLICY, paths=True),
        Setting("format", "list", ("text",)),
        Setting("output", "list", (), paths=True),
        Setting("offline", "bool", False),
        Setting("python", "str", None, paths=True),
        Setting("fail-on", "str", "error", choices=FAIL_ON_CHOICES),
        Setting("exclude", "list", ()),
        Setting("baseline", "str", None, paths=True),
        Setting("new-since", "str", None),
        Setting("cache", "bool", True),
        Setting("template-dir", "str", None, paths=True),
    )
}

# Environment variables that are options of the command line but not project settings (no pyproject key):
# a terminal preference belongs to the user, not to the repository.
GLOBAL_ENV = {
    "quiet": ENV_PREFIX + "QUIET",
    "verbose": ENV_PREFIX + "VERBOSE",
    "color": ENV_PREFIX + "COLOR",
    "debug": ENV_PREFIX + "DEBUG",
}

# Environment variables read by the caches and sources themselves, not by the CLI (docs/ci.md lists them).
SOURCE_ENV = (
    ENV_PREFIX + "CACHE_DIR",  # discovery and answer caches (default: the user cache dir)
    ENV_PREFIX + "PYPI_URL",  # a PyPI-compatible JSON API (private index, tests)
)


@dataclass
class Settings:
    """Resolved settings with, for each, where its value came from (shown by --verbose)."""

    values: dict[str, Any]
    origins: dict[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def describe(self) -> list[str]:
        """One line per setting, ``fail-on = 'error'  (default)``, in the table's order."""
        return [f"{key} = {_show(self.values[key])}  ({self.origins[key]})" for key in SETTINGS]


def load_settings(project_root: Path, cli: Mapping[str, Any], environ: Mapping[str, str] | None = None) -> Settings:
    """Merge the layers; ``cli`` holds only options the user actually gave (None or empty means not given).

    Raises ConfigError naming the key (or variable) and where it was set for any unknown or ill-typed value.
    """
    environ = os.environ if environ is None else environ
    unknown = sorted(set(cli) - set(SETTINGS))
    if unknown:
        raise ValueError(f"not a setting: {', '.join(unknown)}")  # a programming error in the caller, not user input
    values = {key: _copy(s.default) for key, s in SETTINGS.items()}
    origins = {key: "default" for key in SETTINGS}
    for key, value in read_pyproject(project_root).items():
        values[key], origins[key] = value, PYPROJECT_ORIGIN
    for key, value in read_environment(environ).items():
        values[key], origins[key] = value, f"environment {SETTINGS[key].env}"
    for key, value in cli.items():
        if value is None or (isinstance(value, (tuple, list)) and not value):
            continue
        values[key], origins[key] = (list(value) if isinstance(value, tuple) else value), "command line"
    for key, setting in SETTINGS.items():
        if setting.choices and values[key] not in setting.choices:
            raise ConfigError(
                f"{key} must be one of {', '.join(setting.choices)}, not {values[key]!r}",
                where=origins[key],
                fix=f"set {key} to one of: {', '.join(setting.choices)}",
            )
    return Settings(values, origins)


def read_pyproject(project_root: Path) -> dict[str, Any]:
    """The ``[tool.vlicense]`` table of ``project_root/pyproject.toml``, checked; relative paths made absolute."""
    import tomllib  # only when a pyproject exists: keeps a bare `vlicense explain` quick

    from vlicense.bounded import OverLimit, load_toml

    path = Path(project_root) / "pyproject.toml"
    if not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_PYPROJECT_BYTES + 1)
        data = load_toml(raw.decode("utf-8"), max_bytes=MAX_PYPROJECT_BYTES, what="pyproject.toml")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot parse pyproject.toml: {error}", where=str(path), fix="fix the TOML syntax") from None
    except OverLimit as error:
        raise ConfigError(f"cannot read pyproject.toml: {error}", where=str(path)) from None
    except OSError as error:
        raise ConfigError(f"cannot read pyproject.toml: {error.strerror}", where=str(path)) from None
    tool = data.get("tool", {})
    section = tool.get("vlicense", {}) if isinstance(tool, dict) else {}
    if not isinstance(section, dict):
        raise ConfigError("[tool.vlicense] must be a table", where=str(path), fix="write it as a [tool.vlicense] section")
    result: dict[str, Any] = {}
    for key, value in section.items():
        setting = SETTINGS.get(key) or SETTINGS.get(key.replace("_", "-"))
        if setting is None:
            raise ConfigError(
                f"unknown key {key!r} in [tool.vlicense]",
                where=str(path),
                fix=f"known keys: {', '.join(SETTINGS)}",
            )
        if setting.key != key:
            raise ConfigError(
                f"[tool.vlicense] key {key!r} is spelled {setting.key!r}",
                where=str(path),
                fix="use the command-line option's name, with dashes",
            )
        result[key] = _typed_from_toml(setting, value, path)
        if setting.paths:
            result[key] = _under(Path(project_root), result[key])
    return result


def read_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """The VLICENSE_* variables that are set (empty means unset); an unknown VLICENSE_* name is an error."""
    known = {s.env for s in SETTINGS.values()} | set(GLOBAL_ENV.values()) | set(SOURCE_ENV)
    strays = sorted(name for name in environ if name.startswith(ENV_PREFIX) and name not in known)
    if strays:
        raise ConfigError(
            f"unknown environment variable {strays[0]}",
            fix=f"known: {', '.join(sorted(known))}; unset it or fix the name",
        )
    result: dict[str, Any] = {}
    for key, setting in SETTINGS.items():
        raw = environ.get(setting.env)
        if raw is None or raw.strip() == "":
            continue
        if setting.kind == "bool":
            result[key] = parse_bool(raw, setting.env)
        elif setting.kind == "list":
            # Commas, because paths and globs may contain spaces.
            result[key] = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            result[key] = raw.strip()
    return result


def parse_bool(raw: str, name: str) -> bool:
    """1/0, true/false, yes/no, on/off (any case); anything else is an error naming the variable."""
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(f"{name} must be a boolean, not {raw!r}", fix="use 1/0, true/false, yes/no or on/off")


def env_flag(environ: Mapping[str, str], name: str) -> bool | None:
    """A boolean VLICENSE_* variable, or None when unset or empty."""
    raw = environ.get(name)
    return None if raw is None or raw.strip() == "" else parse_bool(raw, name)


def _typed_from_toml(setting: Setting, value: Any, path: Path) -> Any:
    where = str(path)
    if setting.kind == "list":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"[tool.vlicense] {setting.key} must be a list of strings", where=where,
                              fix=f'e.g. {setting.key} = ["..."]')
        return list(value)
    if setting.kind == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"[tool.vlicense] {setting.key} must be true or false, not {value!r}", where=where,
                              fix=f"{setting.key} = true")
        return value
    if not isinstance(value, str):
        raise ConfigError(f"[tool.vlicense] {setting.key} must be a string, not {type(value).__name__}", where=where,
                          fix=f'{setting.key} = "..."')
    return value


def _under(root: Path, value: Any) -> Any:
    """A path from pyproject.toml is relative to the project; a preset name (no slash, no suffix) stays a name."""
    if isinstance(value, list):
        return [_under(root, v) for v in value]
    if value is None or not _looks_like_path(value):
        return value
    candidate = Path(value).expanduser()
    return str(candidate if candidate.is_absolute() else root / candidate)


def _looks_like_path(value: str) -> bool:
    return "/" in value or os.sep in value or value.startswith(".") or Path(value).suffix != ""


def _copy(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _show(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(repr(v) for v in value) + "]"
    return repr(value)
