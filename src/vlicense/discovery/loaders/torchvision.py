"""torchvision.models builders with ``weights=``/``pretrained=``, get_model, get_weight, Enum.MEMBER.get_state_dict."""

from __future__ import annotations

import ast

from vlicense.discovery.loaders.base import CallSite, Reference, Value

# Functions in torchvision.models that are not model builders (they take no weights or return no model).
NOT_BUILDERS = frozenset({"get_model_weights", "list_models", "get_model_builder", "register_model"})


def _enum_member(dotted: str) -> str | None:
    """``torchvision.models.ResNet50_Weights.DEFAULT`` -> ``ResNet50_Weights.DEFAULT``."""
    parts = dotted.split(".")
    if len(parts) >= 2 and parts[-2].endswith("_Weights") and parts[-1]:
        return f"{parts[-2]}.{parts[-1]}"
    return None


class TorchvisionLoader:
    name = "torchvision"
    modules = ("torchvision",)
    # Builders load weights only through weights=/pretrained= (or the enums and get_* helpers).
    triggers = ("weights", "pretrained", "Weights", "get_model", "get_weight", "get_state_dict")

    def handles(self, qualname: str) -> bool:
        return qualname.startswith("torchvision.models.")

    def analyze(self, site: CallSite) -> list[Reference]:
        parts = site.qualname.split(".")
        short = parts[-1]
        if any(p.startswith("_") for p in parts):
            return []  # private helpers (e.g. _utils.handle_legacy_interface) build no model
        if short == "get_state_dict":
            member = _enum_member(".".join(parts[:-1]))
            return [site.model("torchvision", "", variant=member)] if member else []
        if short == "get_weight":
            return self._weights(site, "", site.arg(0, "name"), allow_bare=False)
        if short == "get_model":
            name_v = site.arg(0, "name")
            name = site.string(name_v)
            weights = site.arg(None, "weights")
            if weights.kind == "missing" or (weights.kind == "const" and weights.value is None):
                return []
            if name is None:
                return [site.unresolved("torchvision", name_v, site.not_a_string(name_v))]
            return self._weights(site, name, weights)
        if short in NOT_BUILDERS or short.endswith("_Weights") or not short[:1].islower():
            return []
        return self._builder(site, short)

    def _builder(self, site: CallSite, builder: str) -> list[Reference]:
        refs: list[Reference] = []
        weights = site.arg(None, "weights")
        pretrained = site.arg(None, "pretrained")
        if pretrained.kind == "missing" and site.node.args:
            # Pre-0.13 torchvision took ``pretrained`` as the first positional argument.
            first = site.arg(0, None)
            if first.kind == "const" and isinstance(first.value, bool):
                pretrained = first
        if weights.kind != "missing":
            refs += self._weights(site, builder, weights)
        elif pretrained.kind == "const":
            if pretrained.value is True:
                refs.append(site.model("torchvision", builder, variant="legacy-pretrained"))
        elif pretrained.kind != "missing":
            refs.append(site.unresolved("torchvision", pretrained, f"pretrained flag: {pretrained.reason or 'not a constant'}"))
        # Explicit backbone weights are a second download (builder defaults are not known without torchvision).
        if site.arg_node(None, "weights_backbone") is not None:
            backbone = site.optional(None, "weights_backbone")
            refs += self._weights(site, "", backbone, allow_bare=False, what="weights_backbone")
        return refs

    def _weights(self, site: CallSite, builder: str, value: Value, *, allow_bare: bool = True, what: str = "weights") -> list[Reference]:
        if value.kind == "const":
            if value.value is None or value.value is False:
                return []
            if isinstance(value.value, str) and value.value:
                text = value.value
                if "." in text or allow_bare:
                    return [site.model("torchvision", builder, variant=text)]
                return [site.unresolved("torchvision", value, f"{what} given as a bare member name; its enum is not known statically")]
            return [site.unresolved("torchvision", value, f"unexpected {what} value")]
        if value.kind == "dotted":
            member = _enum_member(str(value.value))
            if member:
                return [site.model("torchvision", builder, variant=member)]
            return [site.unresolved("torchvision", value, site.not_a_string(value))]
        if value.kind == "call" and isinstance(value.node, ast.Call) and str(value.value or "").endswith(".get_weight"):
            site.consumed.add(id(value.node))
            arg = value.node.args[0] if value.node.args else next((k.value for k in value.node.keywords if k.arg == "name"), None)
            inner = site.evaluate(arg) if arg is not None else Value("unresolved", reason="get_weight() without a name")
            return self._weights(site, builder, inner, allow_bare=False, what=what)
        return [site.unresolved("torchvision", value, site.not_a_string(value))]


LOADER = TorchvisionLoader()
