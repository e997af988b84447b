"""The mapping kinds of the loader catalog (``map:``): how one argument value becomes model references.

Each kind is implemented once here and used by every catalog entry that names it. A kind receives a Part
(the engine has already applied ``when``, ``only_when``, ``dispatch``, ``default`` and ``required``).
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import PurePosixPath
from urllib.parse import urlsplit

from vlicense.discovery.loaders.base import (
    MISSING,
    CallSite,
    Reference,
    Value,
    file_reference,
    local_or_hub,
    looks_like_path,
    normalize_path,
    registry_key,
    weight_format,
)
from vlicense.knowledge.loader_catalog import Arg, CallRule, Mapping, Part
from vlicense.knowledge.weight_urls import is_url, names_no_weights, weight_for_url


# Checkpoint URI schemes that name torchvision weights (mmengine/runner/checkpoint.py:445 load_from_torchvision).
TORCHVISION_SCHEMES = frozenset({"torchvision", "modelzoo"})


@dataclass
class Ctx:
    """One part of one call: the site, its catalog rule and part, the mapping in force and the id's value."""

    site: CallSite
    rule: CallRule
    part: Part
    mapping: Mapping
    value: Value
    api: str
    also: bool = False

    @property
    def door(self) -> str:
        """The loader name unresolved references carry."""
        return self.mapping.loader

    def read(self, name: str, *, strict: bool | None = None) -> Value:
        """An auxiliary argument of the part (variant, revision, task, flag, url, dest, into, filename)."""
        arg = self.part.arg(name)
        if arg is None:
            return MISSING
        if strict is None:
            strict = not self.also and name in ("variant", "task", "flag")
        return read_arg(self.site, arg, strict=strict)

    def string(self, value: Value, what: str = "") -> str | list[Reference]:
        """The value as a string, or the references to return instead: none for an explicit None/False (nothing
        loads) or for weights an inner loader call fetches, else one unresolved reference saying why."""
        text = self.site.string(value)
        if text and text.strip():
            return text
        # None, False or an empty string: nothing loads. When that is only a default the outside world replaces
        # (``torch.load(args.resume)`` with ``--resume ""``), the value given at run time loads: unresolved.
        if value.kind == "const" and (value.value is None or value.value is False or text is not None):
            if value.note:
                return [self.site.unresolved(self.door, value, f"nothing loads with the {value.note} ({value.value!r}); a value given at run time does")]
            # An explicit None reaching a load comes from a parameter or a variable the code tests first
            # (``if ckpt_path is not None: self.init_from_ckpt(ckpt_path)``): nothing loads.
            required = self.part.required and value.value is not None
            return [self.site.unresolved(self.door, value, "no model id given")] if required else []
        if self.site.from_loader_call(value):
            return []
        return [self.site.unresolved(self.door, value, f"{what}{self.site.not_a_string(value)}")]

    def id_text(self, what: str = "") -> str | list[Reference]:
        """The id as a string, or the references to return instead (none when the id is missing)."""
        return [] if self.value.kind == "missing" else self.string(self.value, what)

    def model(self, loader: str, name: str, **kw) -> Reference:
        kw.setdefault("api", self.api)
        return self.site.model(loader, name, **kw)


def read_arg(site: CallSite, arg: Arg, *, strict: bool) -> Value:
    """The value an Arg points at; ``strict``: an argument that may hide in ``*args/**kwargs`` is unresolved."""
    if arg.const is not None:
        return Value("const", arg.const, text=repr(arg.const))
    if arg.callee == "short":
        return Value("const", site.short, text=site.short)
    if arg.callee == "owner":
        owner = site.qualname.rsplit(".", 1)[0]
        return Value("dotted", owner, text=owner)
    if arg.subscript:
        key = registry_key(site.node.func)
        return site.evaluate(key) if key is not None else MISSING
    if arg.key is not None:
        node = site.arg_node(arg.pos, arg.kw)
        item = _dict_item(node, arg.key) if node is not None else None
        return MISSING if item is None else site.evaluate(item)
    if arg.after is not None:
        node = site.arg_node(arg.pos, arg.kw)
        return _item_after(site, node, arg.after) if node is not None else MISSING
    return site.arg(arg.pos, arg.kw) if strict else site.optional(arg.pos, arg.kw)


def _item_after(site: CallSite, node: ast.expr, key: str) -> Value:
    """``cfg.merge_from_list(['MODEL.WEIGHT', path, ...])``: the value after ``key`` (MISSING when the list does
    not set it; unresolved when the list is not known statically)."""
    items = site.evaluate(node)
    if items.kind != "container" or items.value[0] != "seq":
        return Value("unresolved", text=items.text, reason=f"a {key} setting in a list not known statically")
    values = items.value[1]
    for i, item in enumerate(values[:-1]):
        if item.kind == "const" and item.value == key:
            return values[i + 1]
    return MISSING


def _dict_item(node: ast.AST, key: str) -> ast.expr | None:
    """``dict(file=X)`` or ``{"file": X}`` -> X."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return next((k.value for k in node.keywords if k.arg == key), None)
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and k.value == key:
                return v
    return None


# ------------------------------------------------------------------------------------------------- kinds


def hub(ctx: Ctx) -> list[Reference]:
    """A Hugging Face Hub id (or a local folder); ``pipeline(task)`` without a model loads the task default."""
    site = ctx.site
    revision = site.string(ctx.read("revision"))
    task = None
    if ctx.part.arg("task") is not None:
        task_v = ctx.read("task")
        task = site.string(task_v)
        if ctx.value.kind == "missing":
            if task is None:
                if task_v.kind == "missing":
                    return [site.unresolved(ctx.door, task_v, f"{site.short}() without a task or a model")]
                return [site.unresolved(ctx.door, task_v, f"task {site.not_a_string(task_v)}")]
            # The task's default model loads; identification reads it from the rule's default_by.
            return [ctx.model("huggingface", "", task=task, revision=revision)]
    repo = ctx.id_text()
    if isinstance(repo, list):
        return repo
    kw = {"revision": revision, "task": task, "variant": site.string(ctx.read("variant")), "api": ctx.api}
    return [local_or_hub(site, "huggingface", repo, **{k: v for k, v in kw.items() if v is not None})]


def ultralytics(ctx: Ctx) -> list[Reference]:
    """An Ultralytics weights name, path, Hub id or URL; a model ``.yaml`` builds an untrained network."""
    name = ctx.id_text()
    if isinstance(name, list):
        return name
    if name.strip().lower().endswith((".yaml", ".yml")):
        return []
    parts = urlsplit(name.strip())
    if parts.scheme.lower() in ("http", "grpc") and parts.netloc and parts.path:
        # ultralytics 8.4.190 engine/model.py:174 is_triton_model: the model runs on that server, nothing loads here.
        return [ctx.site.unresolved(ctx.door, ctx.value, "a Triton Inference Server URL: the server holds the model, "
                                                         "the code does not say which")]
    if is_url(name.strip()):
        # Other URLs are downloaded like an asset (engine/model.py _load -> attempt_download_asset).
        return url(dataclasses.replace(ctx, mapping=dataclasses.replace(ctx.mapping, map="url")))
    return [ctx.model("ultralytics", name.strip(), variant=ctx.site.string(ctx.read("variant")))]


HF_PREFIXES = ("hf-hub:", "hf_hub:")
LOCAL_PREFIX = "local-dir:"


def timm(ctx: Ctx) -> list[Reference]:
    """A timm model name (``arch`` or ``arch.tag``), ``hf-hub:org/name[@rev]`` or ``local-dir:path``."""
    name = ctx.id_text()
    if isinstance(name, list):
        return name
    if name.startswith(HF_PREFIXES):
        repo, _, revision = name.split(":", 1)[1].partition("@")
        return [ctx.model("huggingface", repo, revision=revision or None)]
    if name.startswith(LOCAL_PREFIX):
        return [file_reference(ctx.site, name[len(LOCAL_PREFIX):], api=ctx.api)]
    return [ctx.model("timm", name)]


def open_clip(ctx: Ctx) -> list[Reference]:
    """open_clip ``(model, pretrained tag)``; ``hf-hub:`` and ``local-dir:`` model names win over the tag."""
    site = ctx.site
    model = ctx.id_text()
    if isinstance(model, list):
        return model
    if model.startswith("hf-hub:"):
        return [ctx.model("huggingface", model[len("hf-hub:"):])]
    if model.startswith(LOCAL_PREFIX):
        return [file_reference(site, model[len(LOCAL_PREFIX):], api=ctx.api)]
    tag_v = ctx.read("variant")
    if tag_v.kind == "missing" or (tag_v.kind == "const" and tag_v.value in (None, "")):
        return []  # untrained model
    tag = ctx.string(tag_v, "pretrained tag ")
    if isinstance(tag, list):
        return tag
    if weight_format(tag) or looks_like_path(tag):
        return [file_reference(site, tag, api=ctx.api)]
    return [ctx.model("open_clip", model, variant=tag)]


def torchhub(ctx: Ctx) -> list[Reference]:
    """``torch.hub.load(owner/repo[:ref], entry)``."""
    repo = ctx.id_text()
    if isinstance(repo, list):
        return repo
    entry_v = ctx.read("variant")
    entry = ctx.site.string(entry_v)
    if entry is None:
        return [ctx.site.unresolved(ctx.door, entry_v, f"entry point {ctx.site.not_a_string(entry_v)}")]
    name, _, branch = repo.partition(":")
    return [ctx.model("torchhub", name, variant=entry, revision=branch or None)]


def file(ctx: Ctx) -> list[Reference]:
    """A weight file (or model folder) the code loads; a URL goes through the url kind."""
    path = ctx.id_text()
    if isinstance(path, list):
        return path
    if is_url(path):
        return url(dataclasses.replace(ctx, mapping=dataclasses.replace(ctx.mapping, map="url")))
    scheme, sep, name = path.partition("://")
    if sep and scheme.lower() in TORCHVISION_SCHEMES and name:
        return [_torchvision_scheme(ctx, name)]
    source = ctx.site.string(ctx.read("url"))
    return [_file(ctx, path, source if source and is_url(source) else None)]


def _torchvision_scheme(ctx: Ctx, name: str) -> Reference:
    """``torchvision://resnet50`` (MMCV/MMEngine checkpoint loaders): a bare builder is the legacy weights of
    torchvision 0.12 (their torchvision_0.12.json); ``resnet50.imagenet1k_v2`` names an enum member."""
    builder, dot, member = name.partition(".")
    return ctx.model("torchvision", builder, variant=member.upper() if dot else "legacy-pretrained")


def url(ctx: Ctx) -> list[Reference]:
    """A download URL: a known weight (Hub file, Ultralytics asset, table weight) or a file the code expects."""
    if ctx.value.kind == "missing" and ctx.part.weights_only:
        return []  # an optional URL argument not given (``gdown.download(id=...)``: the id part reads it)
    text = ctx.id_text("download URL ")
    if isinstance(text, list):
        return _named_download(ctx, None, literal=True) if ctx.part.weights_only else text
    if not is_url(text):
        if ctx.part.weights_only:
            return _named_download(ctx, None, literal=True)
        # A config or font path reaching a URL parameter comes through a helper's other branch (yolov5's
        # check_file(opt.data) downloads only http(s) values): nothing is downloaded, no weight loads.
        return [] if names_no_weights(text) else [_file(ctx, text, None)]
    found = weight_for_url(text)
    if found is None and ctx.part.weights_only:
        # A downloader fetching something else (a page, an image, a dataset), unless it saves a weight file.
        return _named_download(ctx, text)
    saved = _saved_path(ctx, text)
    if found is None and names_no_weights(saved):
        return []  # a font, config or image download (yolov5's check_font fetches Arial.ttf): not a model
    if found is not None and found.loader != "file":
        return [ctx.model(found.loader, found.name, variant=found.variant, revision=found.revision, url=text,
                          saved_as=normalize_path(saved))]
    return [_file(ctx, saved, text)]


def _saved_path(ctx: Ctx, url_text: str) -> str:
    """Where a download call saves the file: its destination, else folder + file name (the URL's by default)."""
    site = ctx.site
    dest = site.string(ctx.read("dest"))
    if dest and not dest.endswith(("/", "\\")):
        return dest
    base = site.string(ctx.read("filename")) or PurePosixPath(url_text.split("?", 1)[0].split("#", 1)[0]).name or "download"
    # A destination ending in a separator is a folder the file goes into (``wget.download(url, out="weights/")``).
    into = dest or site.string(ctx.read("into"))
    return f"{into.rstrip('/')}/{base}" if into else base


def _named_download(ctx: Ctx, source_url: str | None, *, literal: bool = False) -> list[Reference]:
    """A general-purpose download whose URL says nothing (a Drive link, an id, a run-time value): a weight file
    when the name it is saved as is one (``gdown.download(id=..., output="model.pth")``), else nothing.
    ``literal``: only a name written at the call counts (evaluating a helper's parameter would make every
    helper that downloads something a wrapper, with nothing to find at its callers)."""
    arg = ctx.part.arg("dest")
    node = ctx.site.arg_node(arg.pos, arg.kw) if arg is not None else None
    if node is None or (literal and not isinstance(node, ast.Constant)):
        return []
    dest = ctx.site.string(ctx.read("dest"))
    return [_file(ctx, dest, source_url)] if dest and weight_format(dest) else []


def component(ctx: Ctx) -> list[Reference]:
    """``<namespace>:<name>`` (LoaderCatalog.choose has applied the mapping's transforms and template, and sent a
    path or URL to the file/url kinds)."""
    name = ctx.id_text()
    if isinstance(name, list):
        return name
    variant = ctx.site.string(ctx.read("variant"))
    return [ctx.model(ctx.mapping.namespace or "file", name, variant=variant)]


def torchvision(ctx: Ctx) -> list[Reference]:
    """torchvision builders and helpers: the builder (the callee's name, get_model's name, a registry key such as
    ``models.__dict__[arch]``), ``weights=`` (enum member, its name, ``get_weight(...)``), the legacy
    ``pretrained=True`` flag, ``weights_backbone=``."""
    site = ctx.site
    id_arg = ctx.part.id
    if id_arg is not None and id_arg.callee == "short" and (not site.short[:1].islower() or site.short.endswith("_Weights")):
        return []  # classes and enums build no pretrained model by themselves
    weights = ctx.read("variant")
    variant_arg = ctx.part.arg("variant")
    what = variant_arg.kw if variant_arg is not None and (variant_arg.kw or "").startswith("weights") else "weights"
    flag = ctx.part.arg("flag")
    if weights.kind == "missing":
        if flag is None:  # get_model without weights loads none; get_weight() names none
            return [] if id_arg is not None or ctx.also else [site.unresolved(ctx.door, weights, "no weights name given")]
        legacy = _legacy_flag(ctx, flag)
        if isinstance(legacy, str):
            ctx.api = legacy
        elif legacy is not True:
            return legacy or []
    elif weights.kind == "const" and (weights.value is None or weights.value is False):
        return []
    builder = ""
    if id_arg is not None:
        name = site.string(ctx.value)
        if name is None:
            return [site.unresolved(ctx.door, ctx.value, f"builder {site.not_a_string(ctx.value)}")]
        if not name.isidentifier():
            # Builders are functions: ``models.__dict__[opt.model]`` given yolov5's ``--model yolov5s-cls.pt`` is the
            # branch the code guards with ``if opt.model in torchvision.models.__dict__`` (a KeyError otherwise).
            return []
        builder = name
    if weights.kind == "missing":
        return [ctx.model("torchvision", builder, variant="legacy-pretrained")]
    return _tv_weights(ctx, builder, weights, allow_bare=bool(builder), what=what)


def _legacy_flag(ctx: Ctx, flag: Arg) -> bool | str | list[Reference]:
    """True when the legacy flag asks for pretrained weights; the api text saying so when a run-time call decides
    it (weights_only_when); else [] or the unresolved flag."""
    site = ctx.site
    pretrained = site.arg(None, flag.kw)
    if pretrained.kind == "missing" and site.node.args and flag.pos is not None:
        # Pre-0.13 torchvision took ``pretrained`` as the first positional argument.
        first = site.arg(flag.pos, None)
        if first.kind == "const" and isinstance(first.value, bool):
            pretrained = first
    if pretrained.kind == "const":
        return pretrained.value is True or []
    if run_time_call(site, pretrained):
        # ``pretrained=is_main_process()``: a run-time call decides, so the weights may load (see weights_only_when).
        return weights_only_when(ctx.api, pretrained)
    if pretrained.kind != "missing":
        return [site.unresolved(ctx.door, pretrained, f"pretrained flag: {pretrained.reason or 'not a constant'}")]
    return []


def run_time_call(site: CallSite, flag: Value) -> bool:
    """Whether a load flag is the result of a call only the run decides (``is_main_process()``), not a loader."""
    return flag.kind in ("call", "unresolved") and isinstance(flag.node, ast.Call) and not site.from_loader_call(flag)


def weights_only_when(api: str, flag: Value) -> str:
    """The api text of a load its flag leaves to a run-time call: ``x (loads when is_main_process() is true)``."""
    return f"{api} (loads when {flag.text or 'a run-time value'} is true)"


def _enum_member(dotted: str) -> str | None:
    """``torchvision.models.ResNet50_Weights.DEFAULT`` -> ``ResNet50_Weights.DEFAULT``."""
    parts = dotted.split(".")
    if len(parts) >= 2 and parts[-2].endswith("_Weights") and parts[-1]:
        return f"{parts[-2]}.{parts[-1]}"
    return None


def _tv_weights(ctx: Ctx, builder: str, value: Value, *, allow_bare: bool, what: str) -> list[Reference]:
    site = ctx.site
    if value.kind == "const":
        if value.value is None or value.value is False:
            return []
        if isinstance(value.value, str) and value.value:
            text = value.value
            if "." in text or allow_bare:
                return [ctx.model("torchvision", builder, variant=text)]
            return [site.unresolved(ctx.door, value, f"{what} given as a bare member name; its enum is not known statically")]
        return [site.unresolved(ctx.door, value, f"unexpected {what} value")]
    if value.kind == "dotted":
        member = _enum_member(str(value.value))
        if member:
            return [ctx.model("torchvision", builder, variant=member)]
        return [site.unresolved(ctx.door, value, site.not_a_string(value))]
    if value.kind == "call" and isinstance(value.node, ast.Call) and str(value.value or "").endswith(".get_weight"):
        site.consumed.add(id(value.node))
        node = value.node
        arg = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "name"), None)
        inner = site.evaluate(arg) if arg is not None else Value("unresolved", reason="get_weight() without a name")
        return _tv_weights(ctx, builder, inner, allow_bare=False, what=what)
    if value.kind == "missing":
        return [site.unresolved(ctx.door, value, "no weights name given")]
    return [site.unresolved(ctx.door, value, site.not_a_string(value))]


def _file(ctx: Ctx, path: str, source_url: str | None) -> Reference:
    ref = file_reference(ctx.site, path, api=ctx.api)
    if ref.variant == "directory":
        # A name with a suffix that is not a weight format (``ckpt.pth.tar``, ``model.pkl``) is still a file.
        suffix = PurePosixPath(normalize_path(path)).suffix
        if suffix:
            ref = dataclasses.replace(ref, variant=suffix[1:].lower())
    return dataclasses.replace(ref, url=source_url) if source_url else ref


KINDS: dict[str, Callable[[Ctx], list[Reference]]] = {
    "hub": hub,
    "ultralytics": ultralytics,
    "timm": timm,
    "torchvision": torchvision,
    "open_clip": open_clip,
    "torchhub": torchhub,
    "file": file,
    "url": url,
    "component": component,
    "none": lambda ctx: [],
}
