"""Regenerate docs/rules.md from the rule registry: `python docs/generate_rules.py` (`--check` exits 1 if stale)."""

from __future__ import annotations

import sys
from pathlib import Path

from vlicense.explain import rules_reference_markdown

TARGET = Path(__file__).resolve().parent / "rules.md"


def main(argv: list[str]) -> int:
    text = rules_reference_markdown()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is out of date: run python docs/generate_rules.py", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
