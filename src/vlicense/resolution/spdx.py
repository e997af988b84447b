"""Turn raw license metadata (License fields, trove classifiers, license texts) into SPDX expressions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from license_expression import get_spdx_licensing

# Decisions (explicit, so every caller gets the same answer):
# * Unknown is None, never a guess.
# * A GNU license named with a version and no "or later" is "-only" ("GPLv3" -> GPL-3.0-only). This is how
#   SPDX maps its deprecated bare ids (GPL-3.0 == GPL-3.0-only) and what license-expression does too.
# * A license family named without its version or variant ("BSD", "Apache Software License", "GPL", "LGPL")
#   is not guessed: it becomes LicenseRef-vlicense-<Family>-unspecified. The policy catalog classifies these
#   by family (BSD/Apache: permissive; LGPL/MPL: weak copyleft; GPL: strong; AGPL: network). A license file
#   that names the variant refines them (see ``refines``).
# * PEP 639's own canonical refs: LicenseRef-Public-Domain and LicenseRef-Proprietary.
UNSPECIFIED = {
    "BSD": "LicenseRef-vlicense-BSD-unspecified",
    "Apache": "LicenseRef-vlicense-Apache-unspecified",
    "GPL": "LicenseRef-vlicense-GPL-unspecified",
    "LGPL": "LicenseRef-vlicense-LGPL-unspecified",
    "AGPL": "LicenseRef-vlicense-AGPL-unspecified",
    "MPL": "LicenseRef-vlicense-MPL-unspecified",
}
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"
PROPRIETARY = "LicenseRef-Proprietary"

# Which SPDX ids a vague family ref may be refined into.
_FAMILY_PREFIXES = {
    UNSPECIFIED["BSD"]: ("BSD-", "0BSD"),
    UNSPECIFIED["Apache"]: ("Apache-",),
    UNSPECIFIED["GPL"]: ("GPL-",),
    UNSPECIFIED["LGPL"]: ("LGPL-",),
    UNSPECIFIED["AGPL"]: ("AGPL-",),
    UNSPECIFIED["MPL"]: ("MPL-",),
}

# SPDX says LicenseRef ids are "LicenseRef-" followed by letters, digits, "." and "-".
_LICENSEREF = re.compile(r"^LicenseRef-[A-Za-z0-9.\-]+$")

# Alias table: lower-cased, whitespace-collapsed names seen in real metadata -> SPDX expression.
# Keys are matched after _alias_key() (lowercase, punctuation trimmed, "the " and trailing "license" dropped).
_ALIASES: dict[str, str] = {
    # MIT family
    "mit": "MIT",
    "mit/x11": "MIT",
    "expat": "MIT",
    "expat (mit/x11)": "MIT",
    "x11": "X11",
    "mit no attribution": "MIT-0",
    "mit-0": "MIT-0",
    "cmu": "MIT-CMU",
    # BSD family
    "bsd": UNSPECIFIED["BSD"],
    "bsd-style": UNSPECIFIED["BSD"],
    "bsd style": UNSPECIFIED["BSD"],
    "bsd 3-clause": "BSD-3-Clause",
    "bsd 3 clause": "BSD-3-Clause",
    "bsd-3": "BSD-3-Clause",
    "bsd3": "BSD-3-Clause",
    "3-clause bsd": "BSD-3-Clause",
    "3 clause bsd": "BSD-3-Clause",
    "bsd (3 clause)": "BSD-3-Clause",
    "bsd (3-clause)": "BSD-3-Clause",
    "new bsd": "BSD-3-Clause",
    "new-style bsd": "BSD-3-Clause",
    "modified bsd": "BSD-3-Clause",
    "revised bsd": "BSD-3-Clause",
    "bsd 2-clause": "BSD-2-Clause",
    "bsd 2 clause": "BSD-2-Clause",
    "bsd-2": "BSD-2-Clause",
    "bsd2": "BSD-2-Clause",
    "2-clause bsd": "BSD-2-Clause",
    "2 clause bsd": "BSD-2-Clause",
    "simplified bsd": "BSD-2-Clause",
    "freebsd": "BSD-2-Clause",
    "zero-clause bsd": "0BSD",
    "0-clause bsd": "0BSD",
    # Apache
    "apache": UNSPECIFIED["Apache"],
    "apache software": UNSPECIFIED["Apache"],
    "asl": UNSPECIFIED["Apache"],
    "apache 2": "Apache-2.0",
    "apache 2.0": "Apache-2.0",
    "apache-2": "Apache-2.0",
    "apache2": "Apache-2.0",
    "apache v2": "Apache-2.0",
    "apache v2.0": "Apache-2.0",
    "apache version 2.0": "Apache-2.0",
    "apache license 2.0": "Apache-2.0",
    "apache license v2": "Apache-2.0",
    "apache license v2.0": "Apache-2.0",
    "apache license version 2.0": "Apache-2.0",
    "apache license, version 2.0": "Apache-2.0",
    "apache software license 2.0": "Apache-2.0",
    "apache software license, version 2.0": "Apache-2.0",
    "apache software license version 2.0": "Apache-2.0",
    "asl 2": "Apache-2.0",
    "asl 2.0": "Apache-2.0",
    "al2": "Apache-2.0",
    "apache 1.1": "Apache-1.1",
    # GNU family (versions named, no "or later" -> -only; see decisions above)
    "gpl": UNSPECIFIED["GPL"],
    "gnu gpl": UNSPECIFIED["GPL"],
    "gnu general public": UNSPECIFIED["GPL"],
    "gnu general public license (gpl)": UNSPECIFIED["GPL"],
    "gplv2": "GPL-2.0-only",
    "gpl v2": "GPL-2.0-only",
    "gpl2": "GPL-2.0-only",
    "gpl 2": "GPL-2.0-only",
    "gpl-2": "GPL-2.0-only",
    "gpl 2.0": "GPL-2.0-only",
    "gnu gpl v2": "GPL-2.0-only",
    "gnu gplv2": "GPL-2.0-only",
    "gplv2+": "GPL-2.0-or-later",
    "gpl v2+": "GPL-2.0-or-later",
    "gpl-2+": "GPL-2.0-or-later",
    "gplv2 or later": "GPL-2.0-or-later",
    "gplv3": "GPL-3.0-only",
    "gpl v3": "GPL-3.0-only",
    "gpl3": "GPL-3.0-only",
    "gpl 3": "GPL-3.0-only",
    "gpl-3": "GPL-3.0-only",
    "gpl 3.0": "GPL-3.0-only",
    "gnu gpl v3": "GPL-3.0-only",
    "gnu gplv3": "GPL-3.0-only",
    "gnu gpl v3.0": "GPL-3.0-only",
    "gplv3+": "GPL-3.0-or-later",
    "gpl v3+": "GPL-3.0-or-later",
    "gpl-3+": "GPL-3.0-or-later",
    "gplv3 or later": "GPL-3.0-or-later",
    "lgpl": UNSPECIFIED["LGPL"],
    "gnu lgpl": UNSPECIFIED["LGPL"],
    "gnu lesser general public": UNSPECIFIED["LGPL"],
    "lgplv2": "LGPL-2.0-only",
    "lgpl v2": "LGPL-2.0-only",
    "lgplv2+": "LGPL-2.0-or-later",
    "lgpl v2+": "LGPL-2.0-or-later",
    "lgplv2.1": "LGPL-2.1-only",
    "lgpl v2.1": "LGPL-2.1-only",
    "lgpl 2.1": "LGPL-2.1-only",
    "lgpl-2.1": "LGPL-2.1-only",
    "lgplv2.1+": "LGPL-2.1-or-later",
    "lgpl v2.1+": "LGPL-2.1-or-later",
    "lgplv3": "LGPL-3.0-only",
    "lgpl v3": "LGPL-3.0-only",
    "lgpl3": "LGPL-3.0-only",
    "lgpl 3": "LGPL-3.0-only",
    "lgpl-3": "LGPL-3.0-only",
    "lgpl 3.0": "LGPL-3.0-only",
    "lgplv3+": "LGPL-3.0-or-later",
    "lgpl v3+": "LGPL-3.0-or-later",
    "lgpl-3+": "LGPL-3.0-or-later",
    "agpl": UNSPECIFIED["AGPL"],
    "gnu agpl": UNSPECIFIED["AGPL"],
    "agplv3": "AGPL-3.0-only",
    "agpl v3": "AGPL-3.0-only",
    "agpl3": "AGPL-3.0-only",
    "agpl 3": "AGPL-3.0-only",
    "agpl-3": "AGPL-3.0-only",
    "agpl 3.0": "AGPL-3.0-only",
    "gnu agpl v3": "AGPL-3.0-only",
    "gnu agplv3": "AGPL-3.0-only",
    "gnu affero general public license v3": "AGPL-3.0-only",
    "gnu affero general public license version 3": "AGPL-3.0-only",
    "agplv3+": "AGPL-3.0-or-later",
    "agpl v3+": "AGPL-3.0-or-later",
    "agpl-3+": "AGPL-3.0-or-later",
    # Mozilla
    "mpl": UNSPECIFIED["MPL"],
    "mozilla public": UNSPECIFIED["MPL"],
    "mpl 2": "MPL-2.0",
    "mpl 2.0": "MPL-2.0",
    "mpl v2": "MPL-2.0",
    "mpl v2.0": "MPL-2.0",
    "mpl2": "MPL-2.0",
    "mplv2": "MPL-2.0",
    "mplv2.0": "MPL-2.0",
    "mozilla public license 2.0": "MPL-2.0",
    "mozilla public license version 2.0": "MPL-2.0",
    "mozilla public license, version 2.0": "MPL-2.0",
    "mozilla public license 2.0 (mpl 2.0)": "MPL-2.0",
    "mpl 1.1": "MPL-1.1",
    # Python
    "psf": "PSF-2.0",
    "psfl": "PSF-2.0",
    "psf-2": "PSF-2.0",
    "psf 2.0": "PSF-2.0",
    "psf license": "PSF-2.0",
    "python software foundation": "PSF-2.0",
    "python software foundation license": "PSF-2.0",
    "python software foundation license version 2": "PSF-2.0",
    "cnri python": "CNRI-Python",
    # Others
    "isc": "ISC",
    "iscl": "ISC",
    "isc (iscl)": "ISC",
    "isc license (iscl)": "ISC",
    "hpnd": "HPND",
    "historical permission notice and disclaimer": "HPND",
    "historical permission notice and disclaimer (hpnd)": "HPND",
    "unlicense": "Unlicense",
    "the unlicense (unlicense)": "Unlicense",
    "unlicensed": None,  # "unlicensed" means *no* license granted, not the Unlicense: unknown, not a guess.
    "public domain": PUBLIC_DOMAIN,
    "public-domain": PUBLIC_DOMAIN,
    "cc0": "CC0-1.0",
    "cc0 1.0": "CC0-1.0",
    "cc0 1.0 universal": "CC0-1.0",
    "zlib": "Zlib",
    "zlib/libpng": "Zlib",
    "boost": "BSL-1.0",
    "boost software license 1.0": "BSL-1.0",
    "bsl 1.0": "BSL-1.0",
    "wtfpl": "WTFPL",
    "postgresql": "PostgreSQL",
    "proprietary": PROPRIETARY,
    "commercial": PROPRIETARY,
    "other/proprietary": PROPRIETARY,
    # NVIDIA's CUDA wheels spell their EULA these ways (nvidia-cusparselt-cu13 0.8.1: "NVIDIA Proprietary Software").
    "nvidia proprietary software": "LicenseRef-NVIDIA-Proprietary",
    "nvidia proprietary": "LicenseRef-NVIDIA-Proprietary",
    "cc by-nc 4.0": "CC-BY-NC-4.0",
    "cc-by-nc 4.0": "CC-BY-NC-4.0",
    "cc by-nc-sa 4.0": "CC-BY-NC-SA-4.0",
    "cc by 4.0": "CC-BY-4.0",
    "cc by-sa 4.0": "CC-BY-SA-4.0",
    # Say-nothing values.
    "unknown": None,
    "none": None,
    "n/a": None,
    "other": None,
    "dual": None,
    "dual license": None,
    "see license": None,
    "see license file": None,
    "see license.txt": None,
    "osi approved": None,
    "free": None,
}

# Every current trove license classifier (trove-classifiers 2025), mapped per the PEP 639 appendix
# "Mapping License Classifiers to SPDX Identifiers". Classifiers that appendix calls ambiguous for lack of a
# version/variant map to our "unspecified" family refs (never to a guessed version); the GNU classifiers that
# carry a version map to "-only"/"-or-later" as written. None = says nothing about the license.
_CLASSIFIERS: dict[str, str | None] = {
    "Aladdin Free Public License (AFPL)": "Aladdin",
    "CC0 1.0 Universal (CC0 1.0) Public Domain Dedication": "CC0-1.0",
    "CeCILL-B Free Software License Agreement (CECILL-B)": "CECILL-B",
    "CeCILL-C Free Software License Agreement (CECILL-C)": "CECILL-C",
    "DFSG approved": None,
    "Eiffel Forum License (EFL)": None,
    # PEP 639: these MAY map to LicenseRef-Proprietary; we do, so they are never a silent pass.
    "Free For Educational Use": PROPRIETARY,
    "Free For Home Use": PROPRIETARY,
    "Free To Use But Restricted": PROPRIETARY,
    "Free for non-commercial use": PROPRIETARY,
    "Freely Distributable": PROPRIETARY,
    "Freeware": PROPRIETARY,
    "Other/Proprietary License": PROPRIETARY,
    "GUST Font License 1.0": None,
    "GUST Font License 2006-09-30": None,
    "Netscape Public License (NPL)": None,
    "Nokia Open Source License (NOKOS)": "Nokia",
    "OSI Approved": None,
    "OSI Approved :: Academic Free License (AFL)": None,
    "OSI Approved :: Apache Software License": UNSPECIFIED["Apache"],
    "OSI Approved :: Apple Public Source License": None,
    "OSI Approved :: Artistic License": None,
    "OSI Approved :: Attribution Assurance License": "AAL",
    "OSI Approved :: BSD License": UNSPECIFIED["BSD"],
    "OSI Approved :: Blue Oak Model License (BlueOak-1.0.0)": "BlueOak-1.0.0",
    "OSI Approved :: Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "OSI Approved :: CEA CNRS Inria Logiciel Libre License, version 2.1 (CeCILL-2.1)": "CECILL-2.1",
    "OSI Approved :: CMU License (MIT-CMU)": "MIT-CMU",
    "OSI Approved :: Common Development and Distribution License 1.0 (CDDL-1.0)": "CDDL-1.0",
    "OSI Approved :: Common Public License": "CPL-1.0",
    "OSI Approved :: Eclipse Public License 1.0 (EPL-1.0)": "EPL-1.0",
    "OSI Approved :: Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0",
    "OSI Approved :: Educational Community License, Version 2.0 (ECL-2.0)": "ECL-2.0",
    "OSI Approved :: Eiffel Forum License": None,
    "OSI Approved :: European Union Public Licence 1.0 (EUPL 1.0)": "EUPL-1.0",
    "OSI Approved :: European Union Public Licence 1.1 (EUPL 1.1)": "EUPL-1.1",
    "OSI Approved :: European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
    "OSI Approved :: GNU Affero General Public License v3": "AGPL-3.0-only",
    "OSI Approved :: GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "OSI Approved :: GNU Free Documentation License (FDL)": None,
    "OSI Approved :: GNU General Public License (GPL)": UNSPECIFIED["GPL"],
    "OSI Approved :: GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "OSI Approved :: GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "OSI Approved :: GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "OSI Approved :: GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    # "v2" is the Library GPL 2.0 as written; "v2 or later" includes 2.1, so -or-later is exact.
    "OSI Approved :: GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "OSI Approved :: GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "OSI Approved :: GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "OSI Approved :: GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "OSI Approved :: GNU Library or Lesser General Public License (LGPL)": UNSPECIFIED["LGPL"],
    "OSI Approved :: Historical Permission Notice and Disclaimer (HPND)": "HPND",
    "OSI Approved :: IBM Public License": "IPL-1.0",
    "OSI Approved :: ISC License (ISCL)": "ISC",
    "OSI Approved :: MIT License": "MIT",
    "OSI Approved :: MIT No Attribution License (MIT-0)": "MIT-0",
    "OSI Approved :: MirOS License (MirOS)": "MirOS",
    "OSI Approved :: Motosoto License": "Motosoto",
    "OSI Approved :: Mozilla Public License 1.0 (MPL)": "MPL-1.0",
    "OSI Approved :: Mozilla Public License 1.1 (MPL 1.1)": "MPL-1.1",
    "OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "OSI Approved :: Mulan Permissive Software License v2 (MulanPSL-2.0)": "MulanPSL-2.0",
    "OSI Approved :: NASA Open Source Agreement v1.3 (NASA-1.3)": "NASA-1.3",
    "OSI Approved :: Nethack General Public License": "NGPL",
    "OSI Approved :: Nokia Open Source License": "Nokia",
    "OSI Approved :: Open Group Test Suite License": "OGTSL",
    "OSI Approved :: Open Software License 3.0 (OSL-3.0)": "OSL-3.0",
    "OSI Approved :: PostgreSQL License": "PostgreSQL",
    "OSI Approved :: Python License (CNRI Python License)": "CNRI-Python",
    "OSI Approved :: Python Software Foundation License": "PSF-2.0",
    "OSI Approved :: Qt Public License (QPL)": "QPL-1.0",
    "OSI Approved :: Ricoh Source Code Public License": "RSCPL",
    "OSI Approved :: SIL Open Font License 1.1 (OFL-1.1)": "OFL-1.1",
    "OSI Approved :: Sleepycat License": "Sleepycat",
    "OSI Approved :: Sun Public License": "SPL-1.0",
    "OSI Approved :: The Unlicense (Unlicense)": "Unlicense",
    "OSI Approved :: Universal Permissive License (UPL)": "UPL-1.0",
    "OSI Approved :: University of Illinois/NCSA Open Source License": "NCSA",
    "OSI Approved :: Vovida Software License 1.0": "VSL-1.0",
    "OSI Approved :: W3C License": "W3C",
    "OSI Approved :: Zero-Clause BSD (0BSD)": "0BSD",
    "OSI Approved :: Zope Public License": None,
    "OSI Approved :: zlib/libpng License": "Zlib",
    "Public Domain": PUBLIC_DOMAIN,
    "Repoze Public License": None,
}

_LONG_TEXT = 200  # ORT's cut-off too: a License value longer than this, or multi-line, is a pasted text.


@lru_cache(maxsize=1)
def _licensing():
    return get_spdx_licensing()


@lru_cache(maxsize=1)
def _spdx_keys() -> dict[str, str]:
    """Lower-cased SPDX license and exception ids (and license-expression's aliases) -> canonical id."""
    keys: dict[str, str] = {}
    for symbol in _licensing().known_symbols.values():
        keys[symbol.key.lower()] = symbol.key
        for alias in getattr(symbol, "aliases", ()) or ():
            keys.setdefault(alias.lower(), symbol.key)
    return keys


def is_valid(expression: str) -> bool:
    """True when ``expression`` parses and every id is a known SPDX id or a well-formed LicenseRef."""
    if not expression or not expression.strip():
        return False
    try:
        parsed = _licensing().parse(expression, validate=False, strict=True)
    except Exception:  # the parser raises several unrelated exception types on garbage
        return False
    if parsed is None:
        return False
    known = _spdx_keys()
    return all(_LICENSEREF.match(key) or key.lower() in known for key in _keys_of(parsed))


def license_keys(expression: str) -> list[str]:
    """The leaf ids of an expression, in order of first appearance (WITH exceptions are not leaves)."""
    return list(_license_keys_cached(expression))


@lru_cache(maxsize=4096)
def _license_keys_cached(expression: str) -> tuple[str, ...]:
    try:
        parsed = _licensing().parse(expression, validate=False)
    except Exception:
        return ()
    if parsed is None:
        return ()
    # "X WITH exc" counts as its license X: the policy engine reads the exception from the expression itself.
    return tuple(dict.fromkeys(_keys_of(parsed, decompose=False)))


def _keys_of(parsed, decompose: bool = True) -> list[str]:
    keys = []
    for symbol in _licensing().license_symbols(parsed, unique=False, decompose=decompose):
        base = getattr(symbol, "license_symbol", None)  # LicenseWithExceptionSymbol when not decomposed
        keys.append(base.key if base is not None else symbol.key)
    return keys


def refines(vague: str, specific: str) -> bool:
    """True when ``specific`` only narrows ``vague``'s unspecified family refs (e.g. BSD-unspecified -> BSD-3-Clause)."""
    vague_keys = license_keys(vague)
    specific_keys = license_keys(specific)
    if not any(key in _FAMILY_PREFIXES for key in vague_keys) or not specific_keys:
        return False
    if set(specific_keys) <= set(vague_keys):
        return False  # nothing narrowed
    for key in specific_keys:
        if key in vague_keys:
            continue
        if not any(
            vk in _FAMILY_PREFIXES and key.startswith(_FAMILY_PREFIXES[vk]) for vk in vague_keys
        ):
            return False
    return True


def is_vague(expression: str | None) -> bool:
    """True when the expression names a license family without its version/variant."""
    return bool(expression) and any(key in _FAMILY_PREFIXES for key in license_keys(expression))


def normalize(raw: str | None) -> str | None:
    """A metadata License / License-Expression value -> SPDX expression, LicenseRef-..., or None when unknown."""
    if raw is None:
        return None
    return _normalize_cached(raw)


@lru_cache(maxsize=4096)  # the same few dozen values ("MIT", "Apache-2.0", ...) recur across an environment
def _normalize_cached(raw: str) -> str | None:
    text = raw.replace("\r\n", "\n").strip()
    if not text:
        return None
    if "\n" in text or len(text) > _LONG_TEXT:
        # A pasted license text: identify it, never echo it.
        return identify_text(text)
    return _normalize_short(text)


def _normalize_short(text: str) -> str | None:
    key = _alias_key(text)
    if key in _ALIASES:
        return _ALIASES[key]
    exact = _as_spdx(text)
    if exact is not None:
        return exact
    # An expression whose operands are aliases: "MIT License OR Apache License 2.0".
    return _normalize_compound(text)


def _alias_key(text: str) -> str:
    key = re.sub(r"\s+", " ", text.strip().strip("\"'").strip()).lower()
    key = key.rstrip(".;,")
    if key.startswith("the "):
        key = key[4:]
    # "MIT License", "ISC licence", "BSD License" -> the family name; keep "(...)" suffixes intact.
    key = re.sub(r"[ -]licen[cs]e$", "", key)
    return key.strip()


def _as_spdx(text: str) -> str | None:
    """The canonical rendering when ``text`` already is a valid SPDX expression (any case), else None."""
    licensing = _licensing()
    try:
        info = licensing.validate(text, strict=False)
    except Exception:
        return None
    if not info.errors and info.normalized_expression:
        return info.normalized_expression
    # Expressions that mix SPDX ids and LicenseRef-... are valid too; license-expression only lacks the refs.
    if is_valid(text):
        try:
            return licensing.parse(text, validate=False).render()
        except Exception:
            return None
    return None


_OPERATOR = re.compile(r"\s+(AND|OR|and|or)\s+|([()])")


def _normalize_compound(text: str) -> str | None:
    parts = [p for p in _OPERATOR.split(text) if p is not None]
    if len(parts) < 3:
        return None
    rendered: list[str] = []
    for part in parts:
        token = part.strip()
        if not token:
            continue
        if token.upper() in ("AND", "OR") or token in "()":
            rendered.append(token.upper() if token.upper() in ("AND", "OR") else token)
            continue
        value = _normalize_short(token) if not _OPERATOR.search(token) else None
        if value is None:
            return None  # one unknown operand makes the whole expression unknown
        rendered.append(f"({value})" if " " in value else value)
    candidate = " ".join(rendered).replace("( ", "(").replace(" )", ")")
    if not is_valid(candidate):
        return None
    return _licensing().parse(candidate, validate=False).render()


def from_classifiers(classifiers: Iterable[str]) -> str | None:
    """Trove ``License ::`` classifiers -> SPDX expression, or None when absent, unmapped or ambiguous.

    Several different license classifiers give None. PEP 639 (appendix "Mapping License Classifiers to SPDX
    Identifiers") says their relationship "is ambiguous ... tools MUST NOT automatically infer a license
    expression"; real packages prove it (python-dateutil lists BSD and Apache because its code is partly under
    each, an AND; trio lists MIT and Apache as a choice, an OR). A parent classifier ("License :: OSI Approved")
    next to its child is dropped, as that appendix allows. The License field or the license files usually
    settle such packages.
    """
    names = sorted({c.strip()[len("License :: "):].strip() for c in classifiers
                    if c.strip().startswith("License :: ")})
    # Drop parents: a classifier whose children are also listed says nothing more.
    names = [n for n in names if not any(other != n and other.startswith(n + " :: ") for other in names)]
    values = {_classifier_value(n) for n in names}
    if not names or len(values) != 1:
        return None
    return values.pop()


def _classifier_value(name: str) -> str | None:
    if name in _CLASSIFIERS:
        return _CLASSIFIERS[name]
    # A classifier newer than this table: try its abbreviation "(...)" and then its leaf name.
    leaf = name.split(" :: ")[-1]
    match = re.search(r"\(([^()]+)\)\s*$", leaf)
    if match:
        value = _normalize_short(match.group(1))
        if value is not None:
            return value
    return _normalize_short(leaf)


# ------------------------------------------------------------------------------------------ license texts

_COMMENT_PREFIX = re.compile(r"^[ \t]*(?:#+|//+|\*+|;+|--)[ \t]?", re.MULTILINE)


def _flat(text: str) -> str:
    """Lower-case, comment markers dropped (license headers pasted from source files), whitespace collapsed."""
    text = text.lower()
    if "#" in text or "*" in text or "//" in text or ";" in text or "--" in text:
        text = _COMMENT_PREFIX.sub("", text)
    return " ".join(text.replace("\u2019", "'").replace("`", "'").split())


# Distinctive phrases, checked on the lower-cased whitespace-collapsed text. Each entry: id, phrases that
# must all be present, phrases that must all be absent. Order matters: the first match wins within a group.
_TEXT_RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    # GNU texts name each other (the GPL-3.0 points to the LGPL and the AGPL), so match on their headers.
    ("AGPL-3.0-only", ("gnu affero general public license version 3, 19 november 2007",), ()),
    ("LGPL-3.0-only", ("gnu lesser general public license version 3, 29 june 2007",), ()),
    ("LGPL-2.1-only", ("gnu lesser general public license version 2.1, february 1999",), ()),
    ("LGPL-2.0-only", ("gnu library general public license version 2, june 1991",), ()),
    ("GPL-3.0-only", ("gnu general public license version 3, 29 june 2007",), ()),
    ("GPL-2.0-only", ("gnu general public license version 2, june 1991",), ()),
    ("SSPL-1.0", ("server side public license", "version 1"), ()),
    ("MPL-2.0", ("mozilla public license", "version 2.0", "\"covered software\""), ()),
    ("MPL-2.0", ("mozilla public license, v. 2.0",), ()),
    # GNU notices (not the full texts): "either version N of the License, or (at your option) any later version".
    ("LGPL-3.0-or-later", ("gnu lesser general public license as published by the free software foundation, either version 3 of the license, or (at your option) any later version",), ()),
    ("LGPL-2.1-or-later", ("gnu lesser general public license as published by the free software foundation; either version 2.1 of the license, or (at your option) any later version",), ()),
    ("GPL-3.0-or-later", ("gnu general public license as published by the free software foundation, either version 3 of the license, or (at your option) any later version",), ("lesser", "affero")),
    ("GPL-2.0-or-later", ("gnu general public license as published by the free software foundation; either version 2 of the license, or (at your option) any later version",), ("lesser", "library general")),
    ("Apache-2.0", ("apache license", "version 2.0", "terms and conditions for use, reproduction, and distribution"), ()),
    ("Apache-2.0", ("licensed under the apache license, version 2.0",), ()),
    ("EPL-2.0", ("eclipse public license - v 2.0",), ()),
    ("BSL-1.0", ("boost software license - version 1.0",), ()),
    ("CC-BY-NC-SA-4.0", ("attribution-noncommercial-sharealike 4.0 international",), ()),
    ("CC-BY-NC-ND-4.0", ("attribution-noncommercial-noderivatives 4.0 international",), ()),
    ("CC-BY-NC-4.0", ("attribution-noncommercial 4.0 international",), ()),
    ("CC-BY-SA-4.0", ("attribution-sharealike 4.0 international",), ("noncommercial",)),
    ("CC-BY-4.0", ("attribution 4.0 international", "creative commons"), ("noncommercial", "sharealike", "noderivatives")),
    ("CC0-1.0", ("cc0 1.0 universal",), ()),
    ("CC0-1.0", ("creative commons", "cc0"), ()),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",), ()),
    ("PSF-2.0", ("python software foundation license version 2",), ()),
    ("PSF-2.0", ("psf license agreement",), ()),
    ("Zlib", ("the origin of this software must not be misrepresented", "altered source versions must be plainly marked"), ()),
    ("BSD-4-Clause", ("redistribution and use in source and binary forms", "all advertising materials mentioning features"), ()),
    ("BSD-3-Clause", ("redistribution and use in source and binary forms", "endorse or promote products derived from this software"), ()),
    ("BSD-2-Clause", ("redistribution and use in source and binary forms", "redistributions in binary form must reproduce"),
     ("endorse or promote products", "advertising materials")),
    # "(including the next paragraph)" variants are MIT too, so match the condition's tail only.
    ("MIT", ("permission is hereby granted, free of charge, to any person obtaining a copy",
             "shall be included in all copies or substantial portions"), ()),
    ("MIT-0", ("permission is hereby granted, free of charge, to any person obtaining a copy",),
     ("shall be included in all copies",)),
    ("ISC", ("permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted, provided that the above copyright notice and this permission notice appear in all copies",), ()),
    ("ISC", ("permission to use, copy, modify, and distribute this software for any purpose with or without fee is hereby granted, provided that the above copyright notice and this permission notice appear in all copies",), ()),
    ("0BSD", ("permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted",),
     ("provided that the above copyright notice",)),
    ("HPND-sell-variant", ("permission to use, copy, modify, distribute, and sell this software and its documentation for any purpose is hereby granted without fee",), ()),
    ("HPND", ("permission to use, copy, modify, and distribute this software and its documentation for any purpose and without fee is hereby granted",), ()),
]

# A full GNU text and the "or later" notice its appendix shows: the full text decides.
_NOTICE_OF = {"GPL-3.0-only": "GPL-3.0-or-later", "GPL-2.0-only": "GPL-2.0-or-later",
              "LGPL-3.0-only": "LGPL-3.0-or-later", "LGPL-2.1-only": "LGPL-2.1-or-later"}

# Families a text may name. A text matched as license X that also names another family (numpy's LICENSE.txt
# lists bundled MIT/Zlib/... code) is a bundle; we answer None rather than report only its first part.
_MENTIONS: dict[str, tuple[tuple[str, ...], re.Pattern[str]]] = {
    # family: (cheap substrings, at least one of which must occur; the precise pattern)
    "mit": (("mit",), re.compile(r"\bmit\b(?! ?-?(?:cmu))")),
    "apache": (("apache",), re.compile(r"\bapache\b")),
    "gnu": (("gnu", "gpl"), re.compile(r"\bgnu\b|\b[al]?gpl(?![- ]?compatib)")),  # "GPL-compatible" names no license
    "mozilla": (("mozilla", "mpl"), re.compile(r"\bmozilla\b|\bmpl\b")),
    "bsd": (("bsd",), re.compile(r"\bbsd\b")),
    "zlib": (("zlib",), re.compile(r"\bzlib\b")),
    "cc": (("creative commons", "cc0", "cc-by"), re.compile(r"creative commons|\bcc0\b|\bcc-by")),
    "boost": (("boost software",), re.compile(r"\bboost software\b")),
    "python": (("python software foundation", "psf"), re.compile(r"python software foundation|\bpsf\b")),
    "isc": (("isc license",), re.compile(r"\bisc license\b")),
}
# Which mention families each identified license may contain without being a bundle.
_OWN_FAMILIES: dict[str, set[str]] = {
    "MIT": {"mit"}, "MIT-0": {"mit"},
    "Apache-2.0": {"apache"},
    "MPL-2.0": {"mozilla", "gnu"},  # MPL-2.0 defines "Secondary Licenses" by naming the GNU licenses
    "GPL-2.0-only": {"gnu"}, "GPL-3.0-only": {"gnu"}, "LGPL-2.0-only": {"gnu"}, "LGPL-2.1-only": {"gnu"},
    "LGPL-3.0-only": {"gnu"}, "AGPL-3.0-only": {"gnu"},
    "GPL-2.0-or-later": {"gnu"}, "GPL-3.0-or-later": {"gnu"}, "LGPL-2.1-or-later": {"gnu"}, "LGPL-3.0-or-later": {"gnu"},
    "SSPL-1.0": {"gnu", "mongodb"},
    "BSD-2-Clause": {"bsd"}, "BSD-3-Clause": {"bsd"}, "BSD-4-Clause": {"bsd"}, "0BSD": {"bsd"},
    "Zlib": {"zlib"},
    "CC0-1.0": {"cc"}, "CC-BY-4.0": {"cc"}, "CC-BY-SA-4.0": {"cc"}, "CC-BY-NC-4.0": {"cc"},
    "CC-BY-NC-SA-4.0": {"cc"}, "CC-BY-NC-ND-4.0": {"cc"},
    "BSL-1.0": {"boost"},
    "PSF-2.0": {"python", "gnu"},  # its history table says which releases are "GPL-compatible"
    "ISC": {"isc"},
    "EPL-2.0": {"gnu"},  # EPL-2.0 names GPL-2.0 as a possible Secondary License
}


def identify_text(text: str) -> str | None:
    """Identify a full license text by distinctive phrases; None when unsure or when it bundles several licenses."""
    if not text or not text.strip():
        return None
    return _identify_flat(_flat(text[:300_000]))


# A line of dashes/equals/underscores/asterisks/tildes alone: how license files separate the package's own terms
# from the terms of code they bundle (sympy, scipy, numpy, python-dateutil, psycopg2, ...).
_SECTION_BREAK = re.compile(r"^[ \t]*[-=_*~]{4,}[ \t]*$", re.MULTILINE)
_MIN_SECTION_CHARS = 200
_MAX_SECTIONS = 64
_MAX_LEADING_SECTIONS = 3


def identify_sections(text: str) -> list[str | None]:
    """The license of each section of a license file split at separator lines, in order (None: unidentified).

    A file that bundles the terms of vendored code puts the package's own license first, sometimes after a short
    introduction under its own heading ("py-amqp is licensed under The BSD License ... License\n=======\n<text>"):
    the first entry is the license of the shortest run of leading sections that identifies as one license.
    Sections shorter than a license text (titles, "licensed as:" lead-ins) are ignored. A section may name a
    license another section of the same file holds ("the above BSD license applies to all code, even that also
    covered by Apache 2.0").
    """
    if not text or not text.strip():
        return []
    parts = [p for p in _SECTION_BREAK.split(text[:300_000]) if len(p.strip()) >= _MIN_SECTION_CHARS]
    flats = [_flat(p) for p in parts[:_MAX_SECTIONS]]
    if not flats:
        return []
    matches = [_matches(flat) for flat in flats]
    families = {family for found in matches if len(found) == 1 for family in _OWN_FAMILIES.get(found[0], ())}
    lead = 1
    for lead in range(1, min(len(flats), _MAX_LEADING_SECTIONS) + 1):
        joined = " ".join(flats[:lead])
        if len(_matches(joined)) == 1:
            break
    else:
        lead = 1
    joined = " ".join(flats[:lead])
    first = _unbundled(joined, _matches(joined), families)
    return [first] + [_unbundled(flat, found, families) for flat, found in zip(flats[lead:], matches[lead:])]


def _identify_flat(flat: str) -> str | None:
    return _unbundled(flat, _matches(flat), set())


def _matches(flat: str) -> list[str]:
    matched: list[str] = []
    for license_id, needed, forbidden in _TEXT_RULES:
        if license_id in matched:
            continue
        if all(p in flat for p in needed) and not any(p in flat for p in forbidden):
            matched.append(license_id)
    # The LGPL is a set of additional permissions on top of the GPL: LGPL files often carry both texts.
    if "LGPL-3.0-only" in matched and "GPL-3.0-only" in matched:
        matched.remove("GPL-3.0-only")
    # The BSD-4-Clause text contains every BSD-3-Clause phrase.
    if "BSD-4-Clause" in matched and "BSD-3-Clause" in matched:
        matched.remove("BSD-3-Clause")
    # A full GNU text carries the "or any later version" notice in its how-to-apply appendix: the text decides.
    for only, later in _NOTICE_OF.items():
        if only in matched and later in matched:
            matched.remove(later)
    return matched


def _unbundled(flat: str, matched: list[str], also_allowed: set[str]) -> str | None:
    """The one license matched, unless the text also names another family (then it bundles several: None)."""
    if len(matched) != 1:
        return None
    license_id = matched[0]
    allowed = _OWN_FAMILIES.get(license_id, set()) | also_allowed
    for family, (literals, pattern) in _MENTIONS.items():
        if family in allowed or not any(literal in flat for literal in literals):
            continue
        if pattern.search(flat):
            return None
    return license_id


# Debian machine-readable copyright (DEP-5), as scikit-image ships it: the "Files: *" stanza's License is the
# package's own; other stanzas name the terms of individual files. Read line by line (no backtracking regex:
# the text comes from a package's metadata and may be hostile).
def dep5_main_license(text: str) -> str | None:
    """The license of the ``Files: *`` stanza of a DEP-5 copyright file, normalized; None when there is none."""
    in_main = False
    for line in text[:300_000].splitlines():
        if not line.strip():
            if in_main:
                return None  # the stanza ended without a License field
            continue
        if line[0] in " \t":
            continue  # a continuation line
        key, _, value = line.partition(":")
        key = key.strip().lower()
        if key in ("files", "file"):
            in_main = value.strip() == "*"
        elif key == "license" and in_main:
            return normalize(value.strip()) if value.strip() else None
    return None
