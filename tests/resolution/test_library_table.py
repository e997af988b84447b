"""The library-table generator reads real wheel/sdist layouts and answers as an installed environment does."""

from __future__ import annotations

import io
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from resolution_dists import APACHE_TEXT, BSD3_TEXT, MIT_TEXT

from vlicense.cli import cli
from vlicense.resolution import library_table
from vlicense.resolution.installed import Environment

TABLE = """# Curated licenses (header comment kept as written).
libraries:
  curated-mit:
    license: MIT
    source: https://example.org/curated-mit  # hand-written, comments survive
    date: '2026-11-29'
    note: written by hand.
  read-elsewhere:
    license: Apache-2.0
    source: https://example.org/read-elsewhere
    date: '2026-11-29'
  zzz-last:
    license: BSD-3-Clause
    source: https://example.org/zzz
    date: '2026-11-29'
"""


def make_wheel(folder: Path, name: str, version: str, headers: list[tuple[str, str]],
               files: dict[str, str] | None = None, modules: dict[str, str] | None = None) -> Path:
    """A wheel as a build backend writes it: the package's modules and <name>-<ver>.dist-info/ with METADATA,
    license files (``files``, paths inside the dist-info), WHEEL and RECORD."""
    stem = f"{name.replace('-', '_')}-{version}"
    dist_info = f"{stem}.dist-info"
    metadata = "Metadata-Version: 2.4\n" + f"Name: {name}\nVersion: {version}\n"
    metadata += "".join(f"{key}: {value}\n" for key, value in headers) + "\nThe long description.\n"
    members = {f"{dist_info}/METADATA": metadata, f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"}
    members.update({f"{dist_info}/{path}": text for path, text in (files or {}).items()})
    members.update(modules or {"pkg_" + name.replace("-", "_") + "/__init__.py": ""})
    members[f"{dist_info}/RECORD"] = "".join(f"{path},,\n" for path in members) + f"{dist_info}/RECORD,,\n"
    path = folder / f"{stem}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as wheel:
        for member, text in members.items():
            wheel.writestr(member, text)
    return path


def make_sdist(folder: Path, name: str, version: str, headers: list[tuple[str, str]], files: dict[str, str]) -> Path:
    root = f"{name}-{version}"
    pkg_info = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(f"{k}: {v}\n" for k, v in headers)
    path = folder / f"{root}.tar.gz"
    with tarfile.open(path, "w:gz") as tar:
        for member, text in {"PKG-INFO": pkg_info, "setup.py": "raise SystemExit('never run')\n", **files}.items():
            data = text.encode()
            info = tarfile.TarInfo(f"{root}/{member}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture
def table(tmp_path: Path) -> Path:
    path = tmp_path / "kb" / "libraries.yaml"
    path.parent.mkdir()
    path.write_text(TABLE, encoding="utf-8")
    return path


@pytest.fixture
def wheels(tmp_path: Path) -> Path:
    folder = tmp_path / "wheels"
    folder.mkdir()
    return folder


def _entries(table: Path) -> dict:
    return yaml.safe_load(table.read_text(encoding="utf-8"))["libraries"]


def test_license_expression_classifier_and_license_file_wheels_are_written(wheels: Path, table: Path) -> None:
    make_wheel(wheels, "expr-pkg", "1.2.0", [("License-Expression", "Apache-2.0 OR MIT"),
                                             ("Classifier", "License :: OSI Approved :: MIT License")])
    make_wheel(wheels, "classifier-pkg", "0.3", [("Classifier", "License :: OSI Approved :: MIT License")])
    make_wheel(wheels, "file-pkg", "2.0", [("License-File", "LICENSE.txt")], files={"licenses/LICENSE.txt": BSD3_TEXT})
    # Older wheels copy the file into the dist-info without listing it.
    make_wheel(wheels, "unlisted-file-pkg", "5.0", [], files={"LICENSE": APACHE_TEXT})

    outcome = library_table.run(wheels, table, "2026-12-05")

    entries = _entries(table)
    assert entries["expr-pkg"] == {
        "license": "Apache-2.0 OR MIT", "date": "2026-12-05", "raw": "Apache-2.0 OR MIT",
        "source": "expr-pkg 1.2.0 wheel METADATA (License-Expression: Apache-2.0 OR MIT)",
        # What else the metadata says stays visible, as the installed path keeps it as a second fact.
        "note": "the metadata also says: Classifier: License :: OSI Approved :: MIT License (the resolver's order "
                "picks the above).",
    }
    assert entries["classifier-pkg"]["license"] == "MIT"
    assert entries["classifier-pkg"]["source"] == (
        "classifier-pkg 0.3 wheel METADATA (Classifier: License :: OSI Approved :: MIT License)")
    assert entries["classifier-pkg"]["raw"] == "MIT License"
    assert entries["file-pkg"]["license"] == "BSD-3-Clause"
    assert entries["file-pkg"]["source"] == "file-pkg 2.0 wheel METADATA (License-File LICENSE.txt)"
    assert entries["unlisted-file-pkg"]["license"] == "Apache-2.0"
    assert entries["unlisted-file-pkg"]["raw"] == "Apache License"
    assert sorted(outcome.added) == ["classifier-pkg", "expr-pkg", "file-pkg", "unlisted-file-pkg"]


def test_answers_agree_with_the_installed_metadata_path(wheels: Path, table: Path, tmp_path: Path) -> None:
    """Installing the same wheels (unzipped into a site dir, as pip lays them out) gives the same licenses."""
    made = [
        make_wheel(wheels, "expr-pkg", "1.0", [("License-Expression", "mit")]),
        make_wheel(wheels, "license-field", "1.0", [("License", "BSD 3-Clause")]),
        # A vague family narrowed by the package's own module header, as the installed path does.
        make_wheel(wheels, "header-pkg", "1.0", [("License", "BSD")],
                   modules={"header_pkg/__init__.py": "# " + BSD3_TEXT.replace("\n", "\n# ") + "\n"}),
        make_wheel(wheels, "conflicting", "1.0", [("Classifier", "License :: OSI Approved :: MIT License")],
                   files={"LICENSE": APACHE_TEXT}),
    ]
    outcome = library_table.run(wheels, table, "2026-12-05")
    site = tmp_path / "site-packages"
    for wheel in made:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(site)
    installed = Environment.from_paths([site])
    entries = _entries(table)
    for name in ("expr-pkg", "license-field", "header-pkg", "conflicting"):
        assert entries[name]["license"] == installed.get(name).license, name
    assert entries["header-pkg"]["license"] == "BSD-3-Clause"
    assert "header_pkg/__init__.py" in entries["header-pkg"]["source"]
    # The file wins over the classifier (PEP 639 order); the classifier stays visible in a note.
    assert entries["conflicting"]["license"] == "Apache-2.0"
    assert "Classifier: License :: OSI Approved :: MIT License" in entries["conflicting"]["note"]
    assert len(outcome.added) == 4


def test_unparseable_and_silent_metadata_are_not_written(wheels: Path, table: Path) -> None:
    make_wheel(wheels, "custom-terms", "1.0", [("License", "Free for non-commercial use, see our website")])
    make_wheel(wheels, "silent", "1.0", [("License", "UNKNOWN")])
    make_wheel(wheels, "good", "1.0", [("License-Expression", "MIT")])

    outcome = library_table.run(wheels, table, "2026-12-05")

    entries = _entries(table)
    assert "custom-terms" not in entries and "silent" not in entries and entries["good"]["license"] == "MIT"
    reasons = dict(outcome.skipped)
    assert "no SPDX answer" in reasons["custom-terms"] and "non-commercial" in reasons["custom-terms"]
    assert "no SPDX answer" in reasons["silent"]


def test_curated_entries_are_kept_and_disagreements_reported(wheels: Path, table: Path) -> None:
    make_wheel(wheels, "curated_mit", "3.0", [("License-Expression", "Apache-2.0")])
    make_wheel(wheels, "zzz-last", "1.0", [("Classifier", "License :: OSI Approved :: BSD License")])
    make_wheel(wheels, "new-one", "1.0", [("License-Expression", "ISC")])
    make_wheel(wheels, "read-elsewhere", "1.0", [])

    outcome = library_table.run(wheels, table, "2026-12-05")

    text = table.read_text(encoding="utf-8")
    # Existing entries (and the header comment) are left exactly as written; the new one lands in name order.
    assert text.replace(_block(text, "new-one"), "") == TABLE
    assert text.index("curated-mit:") < text.index("new-one:") < text.index("read-elsewhere:")
    assert outcome.disagreements == [("curated-mit", "MIT", "Apache-2.0", "License-Expression: Apache-2.0")]
    # "BSD License" is the family the curated BSD-3-Clause narrows: agreement, not conflict.
    assert outcome.agreements == ["zzz-last"]
    # A wheel that declares nothing contradicts nothing.
    assert dict(outcome.skipped) == {"read-elsewhere": "curated entry kept; the wheel declares no license"}
    assert any("disagrees curated-mit: curated MIT, wheel Apache-2.0" in line for line in library_table.report(outcome))


def _block(text: str, key: str) -> str:
    lines = text.splitlines(keepends=True)
    start = lines.index(f"  {key}:\n")
    end = next(i for i in range(start + 1, len(lines)) if not lines[i].startswith("    "))
    return "".join(lines[start:end])


def test_sdist_is_read_when_there_is_no_wheel_and_the_newest_wheel_wins(wheels: Path, table: Path) -> None:
    make_sdist(wheels, "only-sdist", "0.9", [("License-File", "COPYING")], {"COPYING": MIT_TEXT})
    make_sdist(wheels, "both", "2.0", [("License", "GPL")], {})
    make_wheel(wheels, "both", "1.0", [("License-Expression", "BSD-2-Clause")])
    make_wheel(wheels, "both", "1.5", [("License-Expression", "Zlib")])

    outcome = library_table.run(wheels, table, "2026-12-05")

    entries = _entries(table)
    assert entries["only-sdist"]["license"] == "MIT"
    assert entries["only-sdist"]["source"] == "only-sdist 0.9 sdist PKG-INFO (License-File COPYING)"
    assert entries["both"]["source"].startswith("both 1.5 wheel METADATA") and entries["both"]["license"] == "Zlib"
    assert len(outcome.added) == 2


def test_hostile_archives_are_skipped_or_contained(wheels: Path, table: Path, tmp_path: Path) -> None:
    (wheels / "broken-1.0-py3-none-any.whl").write_bytes(b"not a zip")
    (wheels / "notes.txt").write_text("hello")
    make_wheel(wheels, "escaping", "1.0", [("License-File", "../../../escape.txt"), ("License-Expression", "MIT")],
               files={"../../../escape.txt": MIT_TEXT})

    outcome = library_table.run(wheels, table, "2026-12-05")

    reasons = dict(outcome.skipped)
    assert "not readable" in reasons["broken-1.0-py3-none-any.whl"]
    assert "not a wheel or sdist" in reasons["notes.txt"]
    assert _entries(table)["escaping"]["license"] == "MIT"
    assert not list(tmp_path.rglob("escape.txt"))


def test_cli_refresh_libraries(wheels: Path, table: Path) -> None:
    make_wheel(wheels, "cli-pkg", "1.0", [("License-Expression", "MPL-2.0")])
    runner = CliRunner()

    dry = runner.invoke(cli, ["kb", "refresh", "libraries", "--wheels", str(wheels), "--out", str(table.parent),
                              "--dry-run"])
    assert dry.exit_code == 0 and "added 1" in dry.output and table.read_text(encoding="utf-8") == TABLE

    result = runner.invoke(cli, ["kb", "refresh", "libraries", "--wheels", str(wheels), "--out", str(table.parent),
                                 "--date", "2026-12-05"])
    assert result.exit_code == 0, result.output
    assert _entries(table)["cli-pkg"]["license"] == "MPL-2.0"

    misuse = runner.invoke(cli, ["kb", "refresh", "--wheels", str(wheels)])
    assert misuse.exit_code == 2 and "refresh libraries" in misuse.output
    missing = runner.invoke(cli, ["kb", "refresh", "libraries"])
    assert missing.exit_code == 2
