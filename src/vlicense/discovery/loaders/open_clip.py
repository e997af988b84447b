"""open_clip.create_model*(model, pretrained=tag): registry tags, ``hf-hub:`` ids, local checkpoints."""

from __future__ import annotations

from vlicense.discovery.loaders.base import (
    CallSite,
    Reference,
    file_reference,
    looks_like_path,
    weight_format,
)

FACTORIES = frozenset({"create_model", "create_model_and_transforms", "create_model_from_pretrained"})
HF_PREFIX = "hf-hub:"
LOCAL_PREFIX = "local-dir:"


class OpenClipLoader:
    name = "open_clip"
    modules = ("open_clip",)
    triggers = tuple(sorted(FACTORIES))

    def handles(self, qualname: str) -> bool:
        return qualname.startswith("open_clip.") and qualname.rsplit(".", 1)[-1] in FACTORIES

    def analyze(self, site: CallSite) -> list[Reference]:
        load = site.optional(None, "load_weights")
        if load.kind == "const" and load.value is False:
            return []
        model_v = site.arg(0, "model_name")
        pretrained_v = site.arg(1, "pretrained")
        model = site.string(model_v)
        if model is None:
            return [site.unresolved("open_clip", model_v, site.not_a_string(model_v))]
        if model.startswith(HF_PREFIX):
            # The schema wins: pretrained is ignored and the Hub repo's weights load.
            return [site.model("huggingface", model[len(HF_PREFIX):])]
        if model.startswith(LOCAL_PREFIX):
            return [file_reference(site, model[len(LOCAL_PREFIX):])]
        if pretrained_v.kind == "missing" or (pretrained_v.kind == "const" and pretrained_v.value in (None, "")):
            return []  # untrained model
        tag = site.string(pretrained_v)
        if tag is None:
            if site.from_loader_call(pretrained_v):
                return []
            return [site.unresolved("open_clip", pretrained_v, f"pretrained tag {site.not_a_string(pretrained_v)}")]
        if weight_format(tag) or looks_like_path(tag):
            return [file_reference(site, tag)]
        return [site.model("open_clip", model, variant=tag)]


LOADER = OpenClipLoader()
