"""timm.create_model(name, pretrained=True): registry names, ``hf-hub:`` ids, local checkpoints."""

from __future__ import annotations

import ast

from vlicense.discovery.loaders.base import CallSite, Reference, Value, file_reference

HF_PREFIXES = ("hf-hub:", "hf_hub:")
LOCAL_PREFIX = "local-dir:"


class TimmLoader:
    name = "timm"
    modules = ("timm",)
    triggers = ("create_model",)

    def handles(self, qualname: str) -> bool:
        return qualname.startswith("timm.") and qualname.endswith(".create_model")

    def analyze(self, site: CallSite) -> list[Reference]:
        refs: list[Reference] = []
        # A local checkpoint is loaded whatever ``pretrained`` says.
        checkpoint = site.optional(None, "checkpoint_path")
        refs += self._file(site, checkpoint)
        pretrained = site.arg(1, "pretrained")
        if pretrained.kind == "missing" or (pretrained.kind == "const" and not pretrained.value):
            return refs  # random init: no pretrained weights
        name_v = site.arg(0, "model_name")
        if pretrained.kind != "const":
            refs.append(site.unresolved("timm", pretrained, f"pretrained flag: {pretrained.reason or 'not a constant'}"))
            return refs
        name = site.string(name_v)
        if name is None:
            refs.append(site.unresolved("timm", name_v, site.not_a_string(name_v)))
        elif name.startswith(HF_PREFIXES):
            repo, _, revision = name.split(":", 1)[1].partition("@")
            refs.append(site.model("huggingface", repo, revision=revision or None))
        elif name.startswith(LOCAL_PREFIX):
            refs.append(file_reference(site, name[len(LOCAL_PREFIX):]))
        else:
            refs.append(site.model("timm", name))
        overlay = site.arg_node(None, "pretrained_cfg_overlay")
        if overlay is not None:
            file_node = _dict_item(overlay, "file")
            if file_node is not None:
                refs += self._file(site, site.evaluate(file_node))
        return refs

    def _file(self, site: CallSite, value: Value) -> list[Reference]:
        if value.kind == "missing" or (value.kind == "const" and value.value is None):
            return []
        path = site.string(value)
        if path is None:
            return [site.unresolved("file", value, site.not_a_string(value))]
        return [file_reference(site, path)]


def _dict_item(node: ast.AST, key: str) -> ast.expr | None:
    """``dict(file=X)`` or ``{"file": X}`` -> X."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
        return next((k.value for k in node.keywords if k.arg == key), None)
    if isinstance(node, ast.Dict):
        for k, v in zip(node.keys, node.values):
            if isinstance(k, ast.Constant) and k.value == key:
                return v
    return None


LOADER = TimmLoader()
