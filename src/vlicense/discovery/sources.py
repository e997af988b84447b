"""Read project files defensively: size limits, binary detection, PEP 263 decoding; failures become reasons."""

from __future__ import annotations

import io
import os
import tokenize
from pathlib import Path

MAX_PYTHON_BYTES = 5 * 1024 * 1024
MAX_TEXT_BYTES = 5 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024


class Unreadable(Exception):
    """A file discovery cannot examine; the message is the SkippedFile reason."""


def read_bytes(path: Path | str, limit: int) -> bytes:
    """The file's bytes, or Unreadable when it is too large or cannot be read."""
    try:
        with open(path, "rb") as fh:
            # The size the file system declares is checked first: a sparse 1 GB file is refused without a read.
            if os.fstat(fh.fileno()).st_size > limit:
                raise Unreadable(f"file larger than {limit // (1024 * 1024)} MB")
            data = fh.read(limit + 1)
    except PermissionError as exc:
        raise Unreadable("permission denied") from exc
    except IsADirectoryError as exc:
        raise Unreadable("not a regular file (directory)") from exc
    except OSError as exc:
        raise Unreadable(f"cannot be read ({exc.strerror or exc})") from exc
    if len(data) > limit:
        raise Unreadable(f"file larger than {limit // (1024 * 1024)} MB")
    return data


def decode_python(data: bytes) -> str:
    """Decode Python source per PEP 263 (BOM or coding cookie, else UTF-8)."""
    if b"\0" in data:
        raise Unreadable("binary file (contains NUL bytes), not Python source")
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    head = data[:second] if second >= 0 else data
    if b"coding" not in head and not head.startswith(b"\xef\xbb\xbf"):
        # No BOM and no cookie where PEP 263 allows one (the first two lines): UTF-8, without the tokenizer's look.
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise Unreadable("not UTF-8 text (and no PEP 263 coding cookie)") from exc
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:
        # detect_encoding raises SyntaxError for an unknown cookie or invalid UTF-8 in the first two lines.
        msg = str(exc)
        if "unknown encoding" in msg:
            raise Unreadable(f"unknown encoding in coding cookie ({msg})") from exc
        raise Unreadable("not UTF-8 text (and no PEP 263 coding cookie)") from exc
    try:
        text = data.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        if encoding in ("utf-8", "utf-8-sig"):
            raise Unreadable("not UTF-8 text (and no PEP 263 coding cookie)") from exc
        raise Unreadable(f"not valid {encoding} text (as declared by its coding cookie)") from exc
    return text.lstrip("\ufeff")


def decode_text(data: bytes) -> str:
    """Decode a manifest or notebook: UTF-8 (BOM allowed) only."""
    if b"\0" in data:
        raise Unreadable("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Unreadable("not UTF-8 text") from exc
