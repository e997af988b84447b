"""Python config files (mmengine/mmcv ``model = dict(backbone=dict(init_cfg=dict(checkpoint=...)))``, GroundingDINO's
module of constants): values under model-ish keys, read like YAML configs, with the module's constants followed."""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import TYPE_CHECKING

from vlicense.discovery.configs import ValueContext, classify_value, is_hub_key, is_model_key
from vlicense.discovery.loaders.base import Reference
from vlicense.knowledge.weight_urls import valid_hub_id, weight_format
from vlicense.model import ModelReference

if TYPE_CHECKING:
    from vlicense.discovery.project import ModuleAnalysis

# A config module lives in a config folder or says so in its name (``configs/faster_rcnn.py``, ``x_config.py``).
CONFIG_DIRS = frozenset({"config", "configs", "cfg", "cfgs"})
_CONFIG_NAME = re.compile(r"(?:^|_)(?:config|cfg)(?:_|$)")
# Words one of which a config module that names weights spells (the pre-filter's test).
WEIGHT_KEY_WORDS = ("load_from", "pretrain", "checkpoint", "ckpt", "weight", "from_pretrained", "_name_or_path",
                    "text_encoder_type", "resume_from", "model_path")  # fmt: skip
# Keys that name a Hub repository only when the value is ``org/name`` (``tokenizer=sd_url`` in mmagic configs).
REPO_ONLY_KEYS = frozenset({"tokenizer", "tokenizer_name", "tokenizer_name_or_path", "processor", "image_processor"})
MAX_CANDIDATES = 8


def is_config_module(rel: str, source: str) -> bool:
    """Whether a Python file is a config module that may name weights (cheap: path and words only)."""
    parts = rel.lower().split("/")  # asked of every walked .py file: no PurePosixPath here
    if not (CONFIG_DIRS.intersection(parts[:-1]) or _CONFIG_NAME.search(parts[-1].rpartition(".")[0])):
        return False
    return any(word in source for word in WEIGHT_KEY_WORDS)


def config_references(module: ModuleAnalysis, root: Path) -> list[Reference]:
    """References for model-ish module constants and ``dict(...)`` keywords of a config module."""
    refs: list[Reference] = []
    scope = module.module
    for name, bindings in sorted(scope.bindings.items()):
        if not is_model_key(name):
            continue
        for binding in bindings:
            if binding.node is not None:
                refs += _value(module, root, name, binding.node, {})
    for node, where in module.calls:
        if not (isinstance(node.func, ast.Name) and node.func.id == "dict" and where.kind == "module"):
            continue
        siblings = {k.arg.lower(): k.value.value for k in node.keywords if k.arg and isinstance(k.value, ast.Constant)}
        for keyword in node.keywords:
            if keyword.arg and (is_model_key(keyword.arg) or keyword.arg.lower() in REPO_ONLY_KEYS):
                refs += _value(module, root, keyword.arg, keyword.value, siblings)
    return refs


def _value(module: ModuleAnalysis, root: Path, key: str, node: ast.expr, siblings: dict[str, object]) -> list[Reference]:
    value = module.evaluator.evaluate(node, module.module, getattr(node, "lineno", 0))
    texts = value.strings(MAX_CANDIDATES)
    if not texts:
        return []
    if _builds_a_path(node):
        # ``WEIGHTS = Path("weights") / "detection"`` is a folder, never the Hub id "weights/detection"; a weight
        # file it names (``WEIGHTS / "best.pt"``) still counts.
        texts = [t for t in texts if weight_format(t)]
        if not texts:
            return []
    location = module.locate(node.lineno, node.col_offset)
    repo_only = key.lower() in REPO_ONLY_KEYS
    ctx = ValueContext(root, module.rel, module.scope_label, f"config key {key!r}", siblings, is_hub_key(key))
    refs: list[Reference] = []
    for text in texts:
        if repo_only and not (text.count("/") == 1 and valid_hub_id(text)):
            continue
        found = classify_value(text, location, ctx)
        refs += [r for r in found if not repo_only or (isinstance(r, ModelReference) and r.loader == "huggingface")]
    return refs


def _builds_a_path(node: ast.expr) -> bool:
    """``a / "b"``, ``Path(...)``, ``os.path.join(...)``, ``x.joinpath(...)``: a filesystem path by construction."""
    if isinstance(node, ast.BinOp):
        return isinstance(node.op, ast.Div)
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "join":
            # os.path.join / osp.join, not ``"/".join([org, name])`` (which can spell a Hub id).
            receiver = func.value
            return (isinstance(receiver, ast.Attribute) and receiver.attr == "path") or (
                isinstance(receiver, ast.Name) and receiver.id in ("osp", "path"))
        name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        return name in ("Path", "PurePath", "PosixPath", "joinpath")
    return False
