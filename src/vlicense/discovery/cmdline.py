"""What a command's words mean: the URL a downloader fetches and where it saves it, the weights a script option
passes, the script ``sh -c`` runs. Pure functions over the words of one simple command (program first)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

# Downloaders and their options that name the saved file (``file``) or its folder (``dir``); options taking a
# value that is neither (so the value is not mistaken for a URL or a positional argument).
DOWNLOAD_OPTIONS: dict[str, dict[str, str]] = {
    "wget": {"-O": "file", "--output-document": "file", "-P": "dir", "--directory-prefix": "dir"},
    "curl": {"-o": "file", "--output": "file", "--output-dir": "dir"},
    "aria2c": {"-o": "file", "--out": "file", "-d": "dir", "--dir": "dir"},
    "axel": {"-o": "file", "--output": "file"},
    "gdown": {"-O": "file", "--output": "file"},
}
DOWNLOAD_VALUE_OPTIONS: dict[str, frozenset[str]] = {
    "wget": frozenset({"-o", "--output-file", "-a", "--append-output", "-t", "--tries", "-T", "--timeout", "-U",
                       "--user-agent", "--header", "--user", "--password", "-e", "--execute", "-i", "--input-file"}),
    "curl": frozenset({"-H", "--header", "-u", "--user", "-A", "--user-agent", "-d", "--data", "-X", "--request",
                       "-e", "--referer", "--retry", "-m", "--max-time", "-C", "--continue-at", "-w", "--write-out",
                       "-x", "--proxy", "-b", "--cookie", "-c", "--cookie-jar", "-F", "--form", "--connect-timeout"}),
    "aria2c": frozenset({"-x", "--max-connection-per-server", "-s", "--split", "-k", "--min-split-size", "-j",
                         "--max-concurrent-downloads", "--header", "-U", "--user-agent", "-i", "--input-file"}),
    "axel": frozenset({"-n", "--num-connections", "-s", "--max-speed", "-H", "--header", "-U", "--user-agent"}),
    "gdown": frozenset({"--proxy", "--speed", "--format"}),
}  # fmt: skip
# Downloaders that put the ``-o`` name inside the ``-d``/``--output-dir`` folder (wget's ``-O`` ignores ``-P``).
JOINED_FOLDER = frozenset({"aria2c", "curl"})
GDRIVE_URL = "https://drive.google.com/uc?id="
SHELLS = frozenset({"sh", "bash", "dash", "zsh", "ash"})
PYTHON = re.compile(r"^python(?:[23](?:\.\d+)?)?$")
# Python's own options that take a value (``python -W ignore train.py``).
PYTHON_VALUE_OPTIONS = frozenset({"-W", "-X", "-Q", "--check-hash-based-pycs"})
LAUNCHERS = frozenset({"torchrun", "deepspeed"})
# Words of a script option that writes rather than reads (``--output``, ``--save_dir``, ``--export-path``).
WRITE_WORDS = frozenset({"out", "output", "outdir", "save", "export", "dst", "dest", "destination", "target", "log",
                         "logdir", "logs", "project", "result", "results", "write"})  # fmt: skip
# Words of a script option that hands weights to the script even when its value is only known at run time.
WEIGHT_WORDS = frozenset({"weights", "weight", "checkpoint", "ckpt", "pretrained", "resume"})


@dataclass(frozen=True)
class Download:
    """One URL a downloader fetches (``index`` = the word holding it; a Drive id becomes a Drive URL) and where
    it is saved: ``file`` (a path), ``folder`` (a directory the URL's file name goes into), both None when the
    command does not say."""

    index: int
    url: str
    file: str | None = None
    folder: str | None = None


def downloads(program: str, words: list[str]) -> list[Download]:
    """The URLs of ``wget``/``curl``/``aria2c``/``axel``/``gdown`` words (program first) and where they are saved."""
    saving = DOWNLOAD_OPTIONS.get(program)
    if saving is None:
        return []
    valued = DOWNLOAD_VALUE_OPTIONS.get(program, frozenset())
    urls: list[tuple[int, str]] = []
    file = folder = None
    remote_name = False
    i = 1
    while i < len(words):
        word = words[i]
        option, eq, inline = word.partition("=")
        if word.startswith("-") and (option in saving or option in valued or _short_with_value(word, saving, valued)):
            if eq and option.startswith("--"):
                value = inline
            elif not option.startswith("--") and len(word) > 2:
                option, value = word[:2], word[2:]  # ``-Oout.pt``
            else:
                value = words[i + 1] if i + 1 < len(words) else ""
                i += 1
            kind = saving.get(option)
            if kind == "file":
                file = value
            elif kind == "dir":
                folder = value
        elif program == "gdown" and word == "--id" and i + 1 < len(words):
            urls.append((i + 1, GDRIVE_URL + words[i + 1]))
            i += 1
        elif program == "curl" and (word == "--remote-name" or re.fullmatch(r"-[A-Za-z]*O[A-Za-z]*", word)):
            remote_name = True  # ``-O``, ``-LO``
        elif program == "curl" and re.fullmatch(r"-[A-Za-z]+o", word) and i + 1 < len(words):
            file = words[i + 1]  # ``-Lo out.pt``
            i += 1
        elif not word.startswith("-"):
            if word.lower().startswith(("http://", "https://")):
                urls.append((i, word))
            elif program == "gdown" and re.fullmatch(r"[\w-]{20,}", word):
                urls.append((i, GDRIVE_URL + word))  # a bare Drive file id
        i += 1
    if program == "curl" and file is None and not remote_name:
        return []  # curl without -o/-O writes to stdout: a download only when piped somewhere this scan cannot follow
    # One output name belongs to one URL; with several URLs only the folder is known.
    if len(urls) != 1:
        file = None
    if file and folder and program in JOINED_FOLDER:
        file = f"{folder.rstrip('/')}/{file}"
    return [Download(index, url, file, folder) for index, url in urls]


def _short_with_value(word: str, saving: dict[str, str], valued: frozenset[str]) -> bool:
    """``-Oout.pt`` / ``-P./weights``: a short option glued to its value."""
    return len(word) > 2 and word[1] != "-" and (word[:2] in saving or word[:2] in valued)


def saved_path(download: Download) -> str:
    """Where the download lands, as the command writes it (``-O`` path; else folder + the URL's file name)."""
    if download.file:
        return download.file
    name = PurePosixPath(download.url.split("?", 1)[0].split("#", 1)[0]).name if "://" in download.url else ""
    if download.folder and name:
        return f"{download.folder.rstrip('/')}/{name}"
    return name


def shell_script(program: str, words: list[str]) -> tuple[int, str] | None:
    """``sh -c 'script'`` / ``bash -lc "..."`` -> (index of the script word, script), else None."""
    if program not in SHELLS:
        return None
    for i, word in enumerate(words[1:], start=1):
        if word.startswith("-") and not word.startswith("--") and "c" in word[1:]:
            return (i + 1, words[i + 1]) if i + 1 < len(words) else None
        if not word.startswith("-"):
            return None  # ``bash script.sh``: a file, not a string
    return None


@dataclass(frozen=True)
class ScriptOption:
    """A ``--name value`` (or ``--name=value``) pair of a Python script's command line; ``index`` = the value's word."""

    index: int
    option: str
    value: str

    @property
    def words(self) -> list[str]:
        return [w for w in re.split(r"[_\-]+", self.option.lstrip("-").lower()) if w]

    @property
    def writes(self) -> bool:
        return any(w in WRITE_WORDS for w in self.words)

    @property
    def passes_weights(self) -> bool:
        """The option's name says it hands weights to the script (``--weights``, ``--checkpoint``, ``--resume``)."""
        return bool(self.words) and self.words[-1] in WEIGHT_WORDS


def script_options(program: str, words: list[str]) -> list[ScriptOption]:
    """The options given to a Python script: ``python [opts] x.py --a b``, ``x.py``, ``torchrun ... x.py``,
    ``accelerate launch x.py``, ``python -m pkg.mod --a b``; [] for anything else (``python -c``)."""
    start = _script_start(program, words)
    if start is None:
        return []
    out: list[ScriptOption] = []
    i = start
    while i < len(words):
        word = words[i]
        if word.startswith("-") and len(word) > 1 and not _number(word):
            option, eq, inline = word.partition("=")
            if eq and option.startswith("--"):
                out.append(ScriptOption(i, option, inline))
            elif i + 1 < len(words) and not (words[i + 1].startswith("-") and not _number(words[i + 1])):
                out.append(ScriptOption(i + 1, option, words[i + 1]))
                i += 1
        i += 1
    return out


def _script_start(program: str, words: list[str]) -> int | None:
    """Index of the first word after the script (or ``-m module``), None when this is not a script's command line."""
    i = 1
    if program == "accelerate" and words[1:2] == ["launch"]:
        program, i = "torchrun", 2
    if program.endswith(".py"):
        return 1
    if not (PYTHON.match(program) or program in LAUNCHERS):
        return None
    while i < len(words):
        word = words[i]
        if word in ("-c", "--command"):
            return None
        if word == "-m":
            return i + 2 if i + 1 < len(words) else None
        if word.endswith(".py") and not word.startswith("-"):
            return i + 1
        if word.startswith("-"):
            # Launcher and interpreter options: ``--nproc_per_node 2``, ``--nproc_per_node=2``, ``-W ignore``.
            takes_value = word in PYTHON_VALUE_OPTIONS or (program in LAUNCHERS and word.startswith("--") and "=" not in word)
            i += 2 if takes_value else 1
            continue
        return None  # ``python script`` without .py, or a launcher's own subcommand: not read
    return None


def _number(word: str) -> bool:
    return bool(re.fullmatch(r"-\d+(?:\.\d+)?(?:e-?\d+)?", word))
