"""Helpers that write real installed-metadata layouts (.dist-info / .egg-info) into a temporary site dir."""

from __future__ import annotations

from pathlib import Path

MIT_TEXT = """MIT License

Copyright (c) 2024 Example Authors

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY.
"""

BSD3_TEXT = """Copyright (c) 2010 Example Team
All rights reserved.

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice,
   this list of conditions and the following disclaimer.
2. Redistributions in binary form must reproduce the above copyright notice,
   this list of conditions and the following disclaimer in the documentation
   and/or other materials provided with the distribution.
3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS".
"""

BSD2_TEXT = BSD3_TEXT.replace(
    """3. Neither the name of the copyright holder nor the names of its
   contributors may be used to endorse or promote products derived from
   this software without specific prior written permission.
""", "")

APACHE_TEXT = """
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.
      "License" shall mean the terms and conditions for use, reproduction,
      and distribution as defined by Sections 1 through 9 of this document.
"""

AGPL_TEXT = """                    GNU AFFERO GENERAL PUBLIC LICENSE
                       Version 3, 19 November 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.

                            Preamble

  The GNU Affero General Public License is a free, copyleft license for
software and other kinds of works, specifically designed to ensure
cooperation with the community in the case of network server software.
  13. Remote Network Interaction; Use with the GNU General Public License.
"""

GPL3_TEXT = """                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
  The GNU General Public License is a free, copyleft license for
software and other kinds of works.
  13. Use with the GNU Affero General Public License.
  ... use the GNU Lesser General Public License instead of this License.
"""

LGPL3_TEXT = """                   GNU LESSER GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

  This version of the GNU Lesser General Public License incorporates
the terms and conditions of version 3 of the GNU General Public
License, supplemented by the additional permissions listed below.
"""


def write_dist(site: Path, name: str, version: str = "1.0", *, headers: list[tuple[str, str]] = (),
               license_files: dict[str, str] | None = None, top_level: list[str] | None = None,
               record: list[str] | None = None, egg: bool = False, metadata_text: str | None = None,
               licenses_folder: bool = True) -> Path:
    """Write ``name-version.dist-info`` (or ``.egg-info``) with METADATA and the given extra files."""
    folder = site / f"{name.replace('-', '_')}-{version}.{'egg-info' if egg else 'dist-info'}"
    folder.mkdir(parents=True, exist_ok=True)
    if metadata_text is None:
        lines = ["Metadata-Version: 2.4", f"Name: {name}", f"Version: {version}"]
        lines += [f"{key}: {value}" for key, value in headers]
        metadata_text = "\n".join(lines) + "\n\nLong description body mentioning GPL and MIT.\n"
    (folder / ("PKG-INFO" if egg else "METADATA")).write_text(metadata_text, encoding="utf-8")
    for rel, text in (license_files or {}).items():
        target = (folder / "licenses" / rel) if licenses_folder and not egg else folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if top_level is not None:
        (folder / "top_level.txt").write_text("\n".join(top_level) + "\n", encoding="utf-8")
    if record is not None:
        (folder / "RECORD").write_text("".join(f"{path},,\n" for path in record), encoding="utf-8")
    return folder
