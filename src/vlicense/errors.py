"""Error types: every user-facing failure is a VLicenseError carrying what went wrong, where, and how to fix it."""

from __future__ import annotations


class VLicenseError(Exception):
    """Root of the errors the CLI turns into one clear message and exit code 2."""

    def __init__(self, what: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.what = what
        self.where = where
        self.fix = fix
        super().__init__(self.message())

    def message(self) -> str:
        parts = [f"{self.where}: {self.what}" if self.where else self.what]
        if self.fix:
            parts.append(f"({self.fix})")
        return " ".join(parts)


class UsageError(VLicenseError):
    """Bad command-line input: a missing path, an unknown format, conflicting options."""


class ConfigError(VLicenseError):
    """Bad [tool.vlicense] configuration or environment variable."""


class PolicyError(VLicenseError):
    """A malformed or unknown policy; ``where`` is ``file:line`` and the message names the key."""


class SourceUnavailable(Exception):
    """A license source that failed to answer (network, timeout, malformed response); recorded, not fatal."""
