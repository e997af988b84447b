"""Grow the curated library table (kb/libraries.yaml) from real wheels and sdists, read as if they were installed."""

from __future__ import annotations

import argparse
import datetime as _dt
import re
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.parser import Parser
from pathlib import Path, PurePosixPath

import yaml
from license_expression import ExpressionError, get_spdx_licensing
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from vlicense.resolution import spdx
from vlicense.resolution.installed import (
    _LICENSE_NAME,
    Environment,
    InstalledDistribution,
)

# Caps: a wheel is a zip from a registry, still untrusted input (the resolver caps its own reads as well).
_MAX_MEMBER_BYTES = 4 * 1024 * 1024
_MAX_MEMBERS = 200
_SOURCE_DETAIL = 160
_RAW_LIMIT = 120
# "<name>-<version>" at the start of a wheel or sdist file name (PEP 427 / PEP 625; old sdists use "-" too).
_ARCHIVE_NAME = re.compile(r"^(?P<name>.+?)-(?P<version>\d[^-]*?)(?:-.*)?(?:\.whl|\.tar\.gz|\.tgz|\.tar\.bz2|\.zip)$")
# An entry block of libraries.yaml: its key line, two spaces in.
_ENTRY_KEY = re.compile(r"^  (?P<key>[^\s#][^:]*):\s*$")


@dataclass(frozen=True)
class Archive:
    """One downloaded distribution file (wheel or sdist) and the name/version its file name gives."""

    path: Path
    name: str  # canonical
    version: str
    kind: str  # "wheel" or "sdist"


@dataclass(frozen=True)
class Reading:
    """What one archive says about its license, as the installed-metadata resolver decides it."""

    archive: Archive
    display_name: str
    version: str
    license: str | None
    detail: str  # the chosen fact's detail ("License-Expression: MIT"), or why nothing was chosen
    raw: str | None
    also: tuple[str, ...]  # the other, conflicting facts the metadata holds

    @property
    def name(self) -> str:
        return canonicalize_name(self.display_name)


@dataclass
class Outcome:
    """The result of one refresh: entries written, skipped archives and curated entries the wheels contradict."""

    added: dict[str, dict] = field(default_factory=dict)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (name or file, reason)
    agreements: list[str] = field(default_factory=list)
    disagreements: list[tuple[str, str, str, str]] = field(default_factory=list)  # name, curated, wheel, detail


# ------------------------------------------------------------------------------------------ archives


def find_archives(folder: Path) -> tuple[list[Archive], list[tuple[str, str]]]:
    """The newest wheel per distribution in ``folder``, else its newest sdist; unrecognized files are skipped."""
    best: dict[str, Archive] = {}
    skipped: list[tuple[str, str]] = []
    for path in sorted(folder.iterdir()):
        match = _ARCHIVE_NAME.match(path.name)
        if not path.is_file() or match is None:
            skipped.append((path.name, "not a wheel or sdist file name"))
            continue
        kind = "wheel" if path.name.endswith(".whl") else "sdist"
        archive = Archive(path, canonicalize_name(match.group("name")), match.group("version"), kind)
        current = best.get(archive.name)
        if current is None or _rank(archive) > _rank(current):
            best[archive.name] = archive
    return [best[name] for name in sorted(best)], skipped


def _rank(archive: Archive) -> tuple[int, Version]:
    try:
        version = Version(archive.version)
    except InvalidVersion:
        version = Version("0")
    return (archive.kind == "wheel", version)


def _safe_parts(member: str) -> tuple[str, ...] | None:
    """The parts of an archive member path; None for absolute or escaping paths."""
    rel = PurePosixPath(member.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        return None
    return rel.parts


def _write(site: Path, parts: Iterable[str], data: bytes) -> None:
    target = site.joinpath(*parts)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _unpack_wheel(path: Path, site: Path) -> None:
    """The wheel's .dist-info folder and its top-level modules' entry files into ``site``, as pip installs them
    (the resolver reads METADATA, license files, RECORD/top_level.txt and a top-level module's license header)."""
    with zipfile.ZipFile(path) as wheel:
        infos = [i for i in wheel.infolist() if not i.is_dir() and i.file_size <= _MAX_MEMBER_BYTES]
        meta = [i for i in infos if (p := _safe_parts(i.filename)) and p[0].endswith(".dist-info")]
        for info in meta[:_MAX_MEMBERS]:
            _write(site, _safe_parts(info.filename) or (), wheel.read(info))
    # Which modules are top-level is what the resolver reads from RECORD / top_level.txt, now unpacked.
    dist = next(iter(Environment.from_paths([site]).distributions.values()), None)
    tops = dist.top_level if dist is not None else ()
    wanted = {f"{top}.py" for top in tops} | {f"{top}/__init__.py" for top in tops}
    with zipfile.ZipFile(path) as wheel:
        for info in wheel.infolist():
            if info.filename in wanted and info.file_size <= _MAX_MEMBER_BYTES:
                _write(site, _safe_parts(info.filename) or (), wheel.read(info))


def _sdist_members(path: Path) -> Iterator[tuple[tuple[str, ...], bytes]]:
    """(parts below the sdist's root folder, content) of PKG-INFO and license-named files."""
    def wanted(parts: tuple[str, ...]) -> bool:
        return len(parts) >= 2 and (parts[1:] == ("PKG-INFO",) or bool(_LICENSE_NAME.search(parts[-1])))

    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist()[: 20 * _MAX_MEMBERS]:
                parts = _safe_parts(info.filename)
                if parts and not info.is_dir() and info.file_size <= _MAX_MEMBER_BYTES and wanted(parts):
                    yield parts[1:], archive.read(info)
        return
    with tarfile.open(path) as archive:
        for count, info in enumerate(archive):
            if count >= 20 * _MAX_MEMBERS:
                break
            parts = _safe_parts(info.name)
            if parts and info.isfile() and info.size <= _MAX_MEMBER_BYTES and wanted(parts):
                handle = archive.extractfile(info)
                if handle is not None:
                    yield parts[1:], handle.read()


def _unpack_sdist(archive: Archive, site: Path) -> None:
    """An sdist laid out as the wheel built from it would be: PKG-INFO as METADATA, the license files it lists
    (License-File, paths from the sdist root) under licenses/, unlisted root license files in the dist-info."""
    members = dict(_sdist_members(archive.path))
    pkg_info = members.get(("PKG-INFO",))
    if pkg_info is None:
        return
    dist_info = (f"{archive.name.replace('-', '_')}-{archive.version}.dist-info",)
    _write(site, dist_info + ("METADATA",), pkg_info)
    headers = Parser().parsestr(pkg_info.decode("utf-8", errors="replace"), headersonly=True)
    listed = [parts for value in headers.get_all("License-File") or [] if (parts := _safe_parts(value.strip()))]
    for parts in listed:
        if parts in members:
            _write(site, dist_info + ("licenses",) + parts, members[parts])
    if not listed:
        for parts, data in members.items():
            if len(parts) == 1 and parts != ("PKG-INFO",):
                _write(site, dist_info + parts, data)


# ------------------------------------------------------------------------------------------ reading


def read_archive(archive: Archive) -> Reading | None:
    """The license the installed-metadata resolver gives the archive's distribution; None when it has no metadata."""
    with tempfile.TemporaryDirectory(prefix="vlicense-wheel-") as tmp:
        site = Path(tmp)
        if archive.kind == "wheel":
            _unpack_wheel(archive.path, site)
        else:
            _unpack_sdist(archive, site)
        env = Environment.from_paths([site])
        if not env.distributions:
            return None
        dist = next(iter(env.distributions.values()))
        return _reading(archive, dist)


def _reading(archive: Archive, dist: InstalledDistribution) -> Reading:
    chosen = dist.facts[0] if dist.facts else None
    detail = chosen.detail if chosen is not None else "no license metadata"
    also = tuple(f.detail for f in dist.facts[1:] if f.license is not None)
    return Reading(archive, dist.display_name, dist.version, dist.license, detail, _raw(dist, detail), also)


def _raw(dist: InstalledDistribution, detail: str) -> str | None:
    """The source's own spelling: the declared value, the classifier's leaf, or a license file's first line."""
    label, _, value = detail.partition(": ")
    if label == "Classifier":
        return "; ".join(c.split(" :: ")[-1] for c in value.split("; "))[:_RAW_LIMIT]
    if value and label in ("License-Expression", "License"):
        return value[:_RAW_LIMIT]
    if detail.startswith("License-File "):
        for name in detail[len("License-File "):].split():
            for path in (dist.path / "licenses" / name, dist.path / name):
                if path.is_file():
                    # The text's title ("MIT License", "Apache License"), when its opening lines have one.
                    lines = [ln.strip() for ln in path.read_text("utf-8", errors="replace").splitlines() if ln.strip()]
                    titles = [ln for ln in lines[:5] if "licen" in ln.lower()]
                    return titles[0][:_RAW_LIMIT] if titles else None
    return None


def writable(license_id: str | None) -> bool:
    """A valid SPDX expression (SPDX ids and LicenseRef-...; a "family, variant unspecified" ref is what an
    installed environment answers too, and the policy classifies it by family)."""
    return bool(license_id) and spdx.is_valid(license_id)


def _same(curated: str | None, wheel: str | None) -> bool:
    if curated == wheel:
        return True
    if not curated or not wheel or not spdx.is_valid(curated) or not spdx.is_valid(wheel):
        return False
    if spdx.refines(wheel, curated):
        return True  # the wheel names the family only; the curated entry narrows it
    try:
        return bool(get_spdx_licensing().is_equivalent(curated, wheel))
    except ExpressionError:  # LicenseRef-... mixes: compare as written
        return False


def _entry(reading: Reading, date: str) -> dict:
    what = "wheel METADATA" if reading.archive.kind == "wheel" else "sdist PKG-INFO"
    detail = " ".join(reading.detail.split())
    if len(detail) > _SOURCE_DETAIL:
        detail = detail[: _SOURCE_DETAIL - 1] + "…"
    entry: dict = {"license": reading.license, "source": f"{reading.display_name} {reading.version} {what} ({detail})",
                   "date": date}
    if reading.raw:
        entry["raw"] = reading.raw
    notes = []
    if spdx.is_vague(reading.license):
        notes.append("the metadata names the license family only, not its version or variant")
    if reading.also:
        notes.append("the metadata also says: " + "; ".join(reading.also) + " (the resolver's order picks the above)")
    if notes:
        entry["note"] = "; ".join(notes) + "."
    return entry


def refresh(archives: Iterable[Archive], curated: dict[str, dict], date: str) -> Outcome:
    """Read every archive; new distributions with a writable answer become entries, curated ones are compared."""
    outcome = Outcome()
    existing = {canonicalize_name(k): v for k, v in curated.items()}
    for archive in archives:
        try:
            reading = read_archive(archive)
        except (OSError, zipfile.BadZipFile, tarfile.TarError, EOFError, ValueError) as exc:
            outcome.skipped.append((archive.path.name, f"not readable: {exc}"))
            continue
        if reading is None:
            outcome.skipped.append((archive.path.name, f"no METADATA/PKG-INFO in the {archive.kind}"))
            continue
        name = reading.name
        if name in existing:
            old = existing[name].get("license")
            if reading.license is None:
                # A silent wheel contradicts nothing: the curated entry (read elsewhere) is what answers.
                outcome.skipped.append((name, f"curated entry kept; the {archive.kind} declares no license"))
            elif _same(old, reading.license):
                outcome.agreements.append(name)
            else:
                outcome.disagreements.append((name, str(old), str(reading.license), reading.detail))
            continue
        if not writable(reading.license):
            outcome.skipped.append((name, f"no SPDX answer: {reading.license or '-'} ({' '.join(reading.detail.split())})"))
            continue
        outcome.added[name] = _entry(reading, date)
    return outcome


# ------------------------------------------------------------------------------------------ the table


def _blocks(text: str) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """libraries.yaml split into its header lines and (key, lines) entry blocks, text kept as written."""
    lines = text.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.rstrip() == "libraries:") + 1
    header, blocks = lines[:start], []
    for line in lines[start:]:
        match = _ENTRY_KEY.match(line)
        if match:
            blocks.append((canonicalize_name(match.group("key")), [line]))
        elif blocks:
            blocks[-1][1].append(line)
        else:
            header.append(line)
    return header, blocks


def _render(name: str, entry: dict) -> list[str]:
    dumped = yaml.safe_dump({name: entry}, sort_keys=False, allow_unicode=True, width=116, default_flow_style=False)
    return ["  " + line + "\n" for line in dumped.splitlines()]


def merge_into(text: str, added: dict[str, dict]) -> str:
    """The table text with ``added`` entries inserted in name order; existing entries' text is left as it is."""
    header, blocks = _blocks(text)
    pending = sorted(added)
    out = list(header)
    for key, lines in blocks:
        while pending and pending[0] < key:
            out += _render(pending[0], added[pending.pop(0)])
        out += lines
    for name in pending:
        out += _render(name, added[name])
    merged = "".join(out)
    # The table must read back as the old entries plus the new ones, nothing else.
    before = yaml.safe_load(text)["libraries"]
    after = yaml.safe_load(merged)["libraries"]
    assert after == {**before, **added}, "libraries.yaml merge changed existing entries"
    return merged


def run(wheels: Path, table: Path, date: str, write: bool = True) -> Outcome:
    """Read ``wheels``, grow ``table`` (written unless ``write`` is false) and return what happened."""
    archives, skipped = find_archives(wheels)
    text = table.read_text(encoding="utf-8")
    outcome = refresh(archives, yaml.safe_load(text)["libraries"], date)
    outcome.skipped[:0] = skipped
    if write and outcome.added:
        table.write_text(merge_into(text, outcome.added), encoding="utf-8")
    return outcome


def report(outcome: Outcome) -> list[str]:
    """Human-readable lines: counts, skipped archives with the reason, disagreements with curated entries."""
    counts = (f"added {len(outcome.added)}, curated and agreeing {len(outcome.agreements)}, "
              f"curated and disagreeing {len(outcome.disagreements)}, skipped {len(outcome.skipped)}")
    lines = [counts]
    lines += [f"skipped {name}: {why}" for name, why in outcome.skipped]
    lines += [f"disagrees {name}: curated {old}, wheel {new} ({detail})"
              for name, old, new, detail in outcome.disagreements]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m vlicense.resolution.library_table", description=__doc__)
    parser.add_argument("--wheels", required=True, type=Path, help="folder of downloaded wheels/sdists "
                        "(pip download --no-deps --only-binary=:all: -d DIR NAME ...)")
    parser.add_argument("--table", type=Path, help="libraries.yaml to grow (default: the bundled one)")
    parser.add_argument("--date", help="date of the reading YYYY-MM-DD (default: today)")
    parser.add_argument("--dry-run", action="store_true", help="report only, write nothing")
    args = parser.parse_args(argv)
    if args.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.date):
        parser.error("--date must be YYYY-MM-DD")
    if not args.wheels.is_dir():
        parser.error(f"--wheels {args.wheels} is not a folder")
    if args.table is None:
        from vlicense.resources import kb_dir

        args.table = kb_dir() / "libraries.yaml"
    if not args.table.is_file():
        parser.error(f"--table {args.table} is not a file")
    outcome = run(args.wheels, args.table, args.date or _dt.date.today().isoformat(), write=not args.dry_run)
    for line in report(outcome):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
