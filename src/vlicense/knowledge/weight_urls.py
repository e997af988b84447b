"""What a weight URL or a weight name stands for: a Hub file, an Ultralytics asset, a table weight, or a plain file.

One mapping for every scanner (Python loader calls, config values, shell and Docker downloads):
``huggingface.co/<org>/<name>/resolve/<rev>/<file>`` -> ``hf:<org>/<name>``; an Ultralytics assets release
-> ``ultralytics:<file>``; a torchvision/timm/open_clip download URL -> the weight the generated table lists
for it; any other URL of a weight file -> ``file:<name>`` (its license unknown unless something else says).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from vlicense.knowledge.knowledge_base import KnowledgeBase

# Weight-file formats by suffix (the variant of a ``file`` weight is the suffix without its dot).
WEIGHT_SUFFIXES = (".pt", ".pth", ".ckpt", ".safetensors", ".onnx", ".gguf", ".bin", ".tflite", ".engine", ".mlmodel")
ARCHIVE_SUFFIXES = (".zip", ".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
# Example images, videos and audio a model repository also serves: downloading one loads no weights.
MEDIA_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".svg", ".mp4", ".mov", ".avi",
                  ".webm", ".wav", ".mp3", ".flac", ".ogg")
# Besides media: configs, documents, code and fonts a download can save (yolov5's check_font, check_yaml): no weights.
DOCUMENT_SUFFIXES = (".yaml", ".yml", ".json", ".txt", ".py", ".cfg", ".ini", ".toml", ".md", ".csv", ".xml", ".html",
                     ".sh", ".log", ".pdf", ".ttf", ".otf", ".woff", ".woff2")
HUB_HOSTS = ("huggingface.co", "www.huggingface.co", "hf.co")
# huggingface_hub's repo-id rules (validate_repo_id), without importing the library on the hot path.
HUB_REPO_ID = re.compile(r"^[A-Za-z0-9](?:[\w\-.]{0,94}[A-Za-z0-9_])?(?:/[A-Za-z0-9](?:[\w\-.]{0,94}[A-Za-z0-9_])?)?$")
HF_FILE = re.compile(r"^/(?P<repo>[^/]+/[^/]+)/(?:resolve|blob|raw)/(?P<rev>[^/]+)/(?P<file>.+)$")
HF_REPO = re.compile(r"^/(?P<repo>[^/]+/[^/]+?)/?$")
# Non-model Hub pages (``/datasets/org/x``, ``/spaces/org/x``) are not model repositories.
HF_NON_MODEL = ("datasets", "spaces", "docs", "blog", "models", "collections", "papers", "api", "learn", "tasks")
ULTRALYTICS_RELEASE = re.compile(r"^/ultralytics/assets/releases/download/(?P<tag>[^/]+)/(?P<file>[^/]+)$")
# Hosts that serve model weights (a URL there is a weight download wherever the code passes it).
KNOWN_HOSTS: dict[str, re.Pattern[str] | None] = {
    "github.com": re.compile(r"^/[^/]+/[^/]+/releases/download/"),
    "dl.fbaipublicfiles.com": None,
    "download.pytorch.org": re.compile(r"^/models/"),
    "huggingface.co": HF_FILE,
    "hf.co": HF_FILE,
    "download.openmmlab.com": None,
    "openaipublic.azureedge.net": None,
}


@dataclass(frozen=True)
class WeightId:
    """A weight as a component: ``loader`` (huggingface, ultralytics, torchvision, timm, open_clip, file), name,
    variant (Hub file, torchvision ``Enum.MEMBER``, open_clip tag, file format), revision; ``host`` of a URL."""

    loader: str
    name: str
    variant: str | None = None
    revision: str | None = None
    host: str = ""

    @property
    def component_id(self) -> str:
        if self.loader == "huggingface":
            return f"hf:{self.name}"
        if self.loader == "torchvision":
            return f"torchvision:{self.variant}"
        if self.loader == "open_clip":
            return f"open_clip:{self.name}:{self.variant}"
        if self.loader == "ultralytics":
            return f"ultralytics:{PurePosixPath(self.name).name}"
        return f"{self.loader}:{self.name}"


def weight_format(path: str) -> str | None:
    """The weight format (suffix without the dot) when ``path`` names a weight file."""
    lowered = path.lower()
    for suffix in WEIGHT_SUFFIXES:
        if lowered.endswith(suffix):
            return suffix[1:]
    return None


def names_no_weights(path: str) -> bool:
    """True when ``path`` (a file name, path or URL) ends in a media, config, document or font suffix."""
    return path.split("?", 1)[0].split("#", 1)[0].lower().endswith(MEDIA_SUFFIXES + DOCUMENT_SUFFIXES)


def valid_hub_id(value: str) -> bool:
    """Whether ``value`` is a valid Hugging Face repo id (``name`` or ``org/name``)."""
    if not HUB_REPO_ID.match(value) or "--" in value or ".." in value or value.endswith(".git"):
        return False
    org, _, name = value.rpartition("/")
    return not (org and (org.isdigit() and name.isdigit()))


def looks_like_path(text: str) -> bool:
    """True for strings that can only be filesystem paths (never a Hub id ``org/name``)."""
    if text.startswith(("./", "../", "/", "~", ".\\", "..\\")) or text in (".", ".."):
        return True
    if "\\" in text or re.match(r"^[A-Za-z]:[\\/]", text):
        return True
    return text.count("/") > 1


def names_a_file(text: str) -> bool:
    """A URL, a path, or an ``a/b.pt`` weight file: what a namespace's name never is."""
    return is_url(text) or looks_like_path(text) or ("/" in text and weight_format(text) is not None)


def is_url(text: str) -> bool:
    return text[:8].lower().startswith(("http://", "https://"))


def weight_for_url(url: str, *, repo_pages: bool = False, archives: bool = False) -> WeightId | None:
    """The weight a download URL stands for; None when the URL names no weight file.

    ``repo_pages``: a Hub repository page (``huggingface.co/org/name``) counts as that model (config values);
    ``archives``: an archive URL (``.zip``, ``.tar.gz``) counts as a weight file.
    """
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = unquote(parts.path)
    if host in HUB_HOSTS:
        match = HF_FILE.match(path)
        if match and match.group("file").lower().endswith(MEDIA_SUFFIXES):
            return None
        if match and match.group("repo").split("/")[0] not in HF_NON_MODEL and valid_hub_id(match.group("repo")):
            rev = match.group("rev")
            return WeightId("huggingface", match.group("repo"), match.group("file"), None if rev in ("main", "master") else rev, host)
        match = HF_REPO.match(path)
        if repo_pages and match and match.group("repo").split("/")[0] not in HF_NON_MODEL and valid_hub_id(match.group("repo")):
            return WeightId("huggingface", match.group("repo"), host=host)
    fmt = weight_format(path)
    if host == "github.com":
        match = ULTRALYTICS_RELEASE.match(path)
        if match and fmt:
            return WeightId("ultralytics", match.group("file"), host=host)
    listed = _kb().weight_by_url(f"https://{host}{parts.path}") if fmt else None
    if listed is not None:
        return WeightId(listed[0], listed[1], listed[2], host=host)
    if fmt or (archives and path.lower().endswith(ARCHIVE_SUFFIXES)):
        return WeightId("file", PurePosixPath(path).name, fmt, host=host)
    return None


def is_known_host(url: str) -> bool:
    """A URL on a host that serves model weights (GitHub release assets, the Hub's resolve URLs, FAIR, PyTorch, ...)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return False
    host = (parts.hostname or "").lower()
    if host not in KNOWN_HOSTS:
        return False
    pattern = KNOWN_HOSTS[host]
    return pattern is None or bool(pattern.match(unquote(parts.path)))


_SPACE = re.compile(r"\s")


def known_weight(text: str) -> WeightId | None:
    """The weight a string names when it is known wherever it appears: a weight URL of a known host, an official
    Ultralytics asset name or another library's official file name (models.yaml ``weight_files``; or a path
    ending in one), or a Hub id the knowledge base has a fact for."""
    value = text.strip()
    if not value or len(value) > 500 or _SPACE.search(value):
        return None
    if is_url(value):
        return weight_for_url(value) if is_known_host(value) else None
    base = value.replace("\\", "/").rsplit("/", 1)[-1]
    if base.endswith((".pt", ".pth", ".onnx", ".ts")) and base in _ultralytics_assets():
        return WeightId("ultralytics", value)
    named = _kb().weight_by_file_name(base) if base.endswith((".pt", ".pth")) else None
    if named is not None:
        return WeightId(named[0], named[1])
    if value.count("/") == 1 and valid_hub_id(value) and _kb().hub_model(value) is not None:
        return WeightId("huggingface", value)
    return None


@lru_cache(maxsize=1)
def _ultralytics_assets() -> frozenset[str]:
    # Only the small Ultralytics table: the discovery pre-filter asks this of many files, and must not pay for
    # reading the whole knowledge base (timm's table alone is 300 KB of JSON).
    import json

    path = Path(__file__).resolve().parent / "kb" / "ultralytics.json"
    return frozenset((json.loads(path.read_text(encoding="utf-8")).get("assets") or {}).keys())


@lru_cache(maxsize=1)
def _kb() -> KnowledgeBase:
    # Imported lazily: discovery pays for the knowledge base only when a URL or a weight name needs it.
    from vlicense.knowledge.knowledge_base import KnowledgeBase

    return KnowledgeBase.load()


def preload() -> None:
    """Load now what known_weight reads lazily (forked workers then share one copy instead of each reading it)."""
    _ultralytics_assets()
    _kb()

