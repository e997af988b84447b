"""Model hygiene, discovery half: which hand-written preprocessing reaches each pretrained model (static only).

Runs inside the per-module analysis (project.ModuleAnalysis) on modules that load a model, over the same parsed
tree, scopes and evaluator. A small abstract interpretation follows names through straight-line code in one
function (branches merged, loops once), class methods sharing ``self.<attr>``, module-level names seen from
functions, and calls of project functions (arguments in, returned values out, MAX_CALL_DEPTH deep):

* a *model* is the value of a call discovery reported as a load (torchvision, timm, Hugging Face, open_clip);
* a *pipeline* is a transform object built from known transforms (torchvision ``transforms``/``v2``,
  albumentations), a Compose of them, or a list of them;
* *data* is an image read, a pipeline's output, or a dataset/loader given ``transform=<pipeline>``, with the
  steps applied to it in order (hand arithmetic such as ``(x / 255 - mean) / std`` included).

When data reaches a model call (``model(x)``, ``model.encode_image(x)``, ``model(**inputs)``) the steps become a
HygieneObservation; the resolution stage compares them with what the weights declare. Anything not followed
(an unknown call, a value from elsewhere) makes the path *incomplete* or drops it: nothing is guessed.
"""

from __future__ import annotations

import ast
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from vlicense.discovery.transforms import (
    COMPOSE,
    FUNCTIONAL_MODULES,
    TRANSFORM_MODULES,
    Num,
    arg,
    cv2_resize,
    functional_step,
    kw,
    transform_steps,
)
from vlicense.model import HygieneObservation, Location, ModelReference, PreprocessingStep

MAX_VISITS = 40_000  # statements interpreted per module, callee bodies included (bounded work)
MAX_CALL_DEPTH = 2
MAX_SUMMARIES = 150  # project-function bodies interpreted for their callers, per module
MAX_FACTS = 12  # facts kept per name (branches and loops merge them)
MAX_STEPS = 40
MAX_EXPR_DEPTH = 150  # nested expressions interpreted (deeper ones are not followed: no recursion-limit crash)

# Methods that feed a model its input.
FEED_METHODS = frozenset({"forward", "encode_image", "forward_features", "get_image_features", "generate", "features",
                          "extract_features", "predict"})
# Methods that return the same model (``model = model.to(device).eval()``).
MODEL_SAME = frozenset({"to", "cuda", "cpu", "eval", "train", "half", "float", "double", "requires_grad_", "bfloat16",
                        "share_memory", "module"})
# Calls that return the same model (wrappers that do not touch the input).
MODEL_WRAPPERS = frozenset({"torch.nn.DataParallel", "torch.nn.parallel.DataParallel", "torch.compile",
                            "torch.nn.parallel.DistributedDataParallel"})
# Head replacement: assigning these attributes (or calling reset_classifier) means the backbone is being adapted.
HEAD_ATTRS = frozenset({"fc", "classifier", "head", "heads", "last_linear", "top"})
# Sources of raw pixels (uint8, 0..255).
IMAGE_SOURCES = frozenset({
    "PIL.Image.open", "cv2.imread", "cv2.imdecode", "torchvision.io.read_image", "torchvision.io.decode_image",
    "torchvision.io.decode_jpeg", "imageio.imread", "imageio.v3.imread", "skimage.io.imread", "matplotlib.pyplot.imread",
})
# Library calls that pass their data argument through unchanged as far as values go (shape, device, container).
PASS_THROUGH = re.compile(
    r"^(torch\.(stack|cat|from_numpy|tensor|as_tensor|unsqueeze|squeeze|permute|flip|clone|utils\.data\.(DataLoader|Subset|"
    r"random_split|ConcatDataset))|numpy\.(array|asarray|stack|expand_dims|transpose|ascontiguousarray|concatenate|float32)|"
    r"PIL\.Image\.fromarray|cv2\.(cvtColor|copyMakeBorder)|tqdm\.(tqdm|auto\.tqdm|notebook\.tqdm)|einops\.rearrange|"
    r"enumerate|zip|iter|next|list|tuple|sorted|reversed)$"
)
# Calls that turn a literal sequence into an array (mean/std constants).
NUMBER_CONSTRUCTORS = frozenset({"numpy.array", "numpy.asarray", "numpy.float32", "torch.tensor", "torch.Tensor",
                                 "torch.as_tensor", "torch.FloatTensor"})
# Methods that keep an array's values (a reshaped mean/std is the same mean/std).
NUMBER_METHODS = frozenset({"reshape", "view", "to", "float", "cuda", "unsqueeze", "type", "astype", "double", "cpu"})
# Top-level modules whose functions are never project functions (no project call summary is attempted).
NOT_PROJECT = frozenset(sys.stdlib_module_names) | {
    "torch", "torchvision", "numpy", "cv2", "PIL", "timm", "transformers", "open_clip", "albumentations", "sklearn",
    "scipy", "matplotlib", "pandas", "tqdm", "einops", "skimage", "imageio", "requests", "huggingface_hub",
    "datasets", "accelerate", "lightning", "pytorch_lightning", "wandb", "tensorboard", "kornia", "clip",
}
# Keywords that hand a transform to a dataset (the dataset applies it to every sample).
TRANSFORM_KEYWORDS = frozenset({"transform", "transforms"})

_PROCESSOR_SUFFIXES = ("Processor", "ProcessorFast", "FeatureExtractor")
_TOKENIZER_SUFFIXES = ("Tokenizer", "TokenizerFast")
# The arguments that carry the image into a model: the first positional one, or one of these keywords.
IMAGE_KEYWORDS = frozenset({"pixel_values", "images", "image", "img", "x", "input", "inputs", "input_tensor", "input_image"})
_FINE_TUNE_WORDS = re.compile(r"fine[-_ ]?tun\w*|transfer[-_ ]learning", re.IGNORECASE)
_TRAINING_CALLS = re.compile(r"^torch\.optim\.|^torch\.optim$")


# --------------------------------------------------------------------------------------------------- facts


@dataclass(frozen=True)
class Model:
    """A pretrained model loaded at ``load`` (the references discovery made there)."""

    refs: tuple[ModelReference, ...]


@dataclass(frozen=True)
class Processor:
    """A Hugging Face processor/feature extractor loaded from ``refs``."""

    refs: tuple[ModelReference, ...]


@dataclass(frozen=True)
class Official:
    """The door's own transform (``weights.transforms()``, timm's ``create_transform(**resolve_...)``, the
    open_clip ``preprocess``) or a value derived from the model's config (``resolve_data_config``)."""

    what: str


@dataclass(frozen=True)
class Pipeline:
    """A hand-built transform (or a list of transforms) with its steps in order."""

    steps: tuple[PreprocessingStep, ...]


@dataclass(frozen=True)
class Data:
    """Images/tensors/datasets: the steps applied so far; ``official``: went through an Official or a Processor;
    ``source``: starts at a raw image read or a pipeline converting to tensor; ``opaque``: passed through code
    whose effect is unknown."""

    steps: tuple[PreprocessingStep, ...] = ()
    official: bool = False
    processors: tuple[ModelReference, ...] = ()
    source: bool = False
    opaque: bool = False


@dataclass(frozen=True)
class ModelCfg:
    """``model.pretrained_cfg``/``default_cfg``/``config``: items read from it come from the model."""


@dataclass(frozen=True)
class Untrained:
    """A model built without pretrained weights (library, builder/arch name, the build call's location)."""

    library: str
    name: str
    location: Location


@dataclass(frozen=True)
class OpenClipTuple:
    """The tuple ``create_model_and_transforms``/``create_model_from_pretrained`` returns."""

    refs: tuple[ModelReference, ...]


@dataclass(frozen=True)
class Seq:
    """A tuple literal holding more than data (``return model, preprocess``): the facts of each position."""

    items: tuple[frozenset, ...]


# What a name can hold: a frozenset of these (several when branches merge).
Fact = Model | Processor | Official | Pipeline | Data | Num | ModelCfg | Untrained | OpenClipTuple | Seq
EMPTY: frozenset = frozenset()


@dataclass
class _Ctx:
    """Where an expression is evaluated: the module analysis that owns the code, its scope, the call depth."""

    owner: object  # project.ModuleAnalysis
    scope: object  # bindings.Scope
    depth: int = 0
    returns: list = field(default_factory=list)
    emit: bool = True
    # The names in effect at the statement being interpreted (read by helpers that evaluate call arguments).
    env: dict = field(default_factory=dict)
    self_name: str | None = None


class _CtxReader:
    """The analysis seen from transforms.py: numbers and sizes of call arguments in one context."""

    def __init__(self, analyzer: _Analyzer, ctx: _Ctx) -> None:
        self.analyzer, self.ctx = analyzer, ctx

    def numbers(self, node: ast.AST | None) -> Num | None:
        return self.analyzer.numbers(self.ctx, node)

    def size(self, node: ast.AST | None, *, cv2: bool = False) -> tuple[int, ...] | None:
        return self.analyzer.size(self.ctx, node, cv2=cv2)

    def segment(self, node: ast.AST) -> str:
        return self.ctx.owner.text.segment(node)


class _Budget(Exception):
    """The module's visit budget is spent: stop (what was found so far stands)."""


# ------------------------------------------------------------------------------------------------ analyzer


def observe(module, references: Iterable[object]) -> list[HygieneObservation]:
    """Hygiene observations for one analyzed module (``references``: the module's own references)."""
    models = [r for r in references if isinstance(r, ModelReference)]
    analyzer = _Analyzer(module, models)
    if not analyzer.worth_running():
        return []
    saved = module.evaluator.consulted
    try:
        analyzer.run()
    except _Budget:
        pass
    finally:
        module.evaluator.consulted = saved
    return analyzer.observations()


class _Analyzer:
    def __init__(self, module, references: list[ModelReference]) -> None:
        self.module = module
        self.loads: dict[str, dict[tuple[int, int], tuple[ModelReference, ...]]] = {}
        self._own = references
        self.visits = 0
        self.found: dict[tuple, HygieneObservation] = {}
        self.module_envs: dict[str, dict[str, frozenset]] = {}
        self.summaries: dict[tuple, frozenset] = {}
        self.active: set[int] = set()
        self.untrained: dict[Location, Untrained] = {}  # models built without weights, bound to a name
        self.heads: set[Location] = set()  # untrained builds whose classifier head is then replaced
        self.trains = False  # the code followed builds an optimizer or calls backward()
        self.targets: dict[int, tuple | None] = {}  # call node id -> resolved project function (memo)
        self.locations: dict[tuple[str, int, int], Location] = {}
        self.expr_depth = 0

    # -------------------------------------------------------------- entry points

    def worth_running(self) -> bool:
        if any(r.loader in ("torchvision", "timm", "huggingface", "open_clip", "file") for r in self._own):
            return True
        # The training words first (most modules train nothing), behind the literals every match contains.
        source = self.module.source
        return any(word in source for word in _TRAINING_LITERALS) and _TRAINING_WORDS.search(source) is not None \
            and _BUILD_WORDS.search(source) is not None

    def run(self) -> None:
        module = self.module
        env = self.module_env(module)
        relevant = self.relevance(module, env)
        for scope in module.functions:
            node = scope.node
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if scope.parent is not None and scope.parent.kind == "class":
                continue  # methods: below, with their class's self attributes
            if relevant(node):
                self.region(_Ctx(module, scope), node.body, self.function_env(env, scope))
        for cls in module.classes:
            if relevant(cls.node):
                self.class_region(module, cls, env)
        self.untrained_findings()

    def relevance(self, module, env: dict[str, frozenset]):
        """A cheap test for the code worth interpreting on its own: it contains a load or a build without weights,
        or names a module-level model. Other functions are interpreted only when called with a model or data
        (project_call), which is where their facts come from anyway."""
        lines = {line for line, _ in self.loads_of(module)}
        for node, scope in module.calls:
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if last == "create_model" or (last[:1].islower() and "models" in module.text.segment(func)):
                lines.add(node.lineno)
            elif last and last[:1].islower():
                qual = module.evaluator.qualname(func, scope, node.lineno) or ""
                if qual.startswith("torchvision.models."):
                    lines.add(node.lineno)
        names = [k for k, facts in env.items()
                 if any(isinstance(f, (Model, Processor, Untrained, OpenClipTuple)) for f in facts)]
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b") if names else None

        def text(node: ast.AST | None) -> str:
            start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
            return "\n".join(module.text.lines[start - 1:end])

        def direct(node: ast.AST | None) -> bool:
            start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
            return any(start <= line <= end for line in lines) or (pattern is not None and pattern.search(text(node)) is not None)

        # Functions that call a relevant function of this module (``model, tf = build()``) are relevant too.
        chosen = {id(f.node) for f in module.functions if direct(f.node)}
        for _ in range(3):
            callees = {f.name for f in module.functions if id(f.node) in chosen and f.name}
            if not callees:
                break
            calls = re.compile(r"\b(" + "|".join(map(re.escape, sorted(callees))) + r")\s*\(")
            grown = {id(f.node) for f in module.functions if id(f.node) not in chosen and calls.search(text(f.node))}
            if not grown:
                break
            chosen |= grown

        def relevant(node: ast.AST | None) -> bool:
            if id(node) in chosen:
                return True
            if isinstance(node, ast.ClassDef):  # a class: any of its methods, or a mention of a module-level model
                return direct(node) or any(id(n) in chosen for n in node.body)
            return direct(node)

        return relevant

    def module_env(self, owner) -> dict[str, frozenset]:
        """Names bound at module level (a model loaded at import time is seen by the module's functions)."""
        if owner.rel not in self.module_envs:
            self.module_envs[owner.rel] = {}
            env: dict[str, frozenset] = {}
            body = [s for s in owner.tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
            self.region(_Ctx(owner, owner.module, emit=owner is self.module), body, env)
            self.module_envs[owner.rel] = env
        return self.module_envs[owner.rel]

    def function_env(self, module_env: dict[str, frozenset], scope) -> dict[str, frozenset]:
        return {k: v for k, v in module_env.items() if k not in scope.params and not k.startswith("self.")}

    def class_region(self, owner, cls, module_env: dict[str, frozenset]) -> None:
        methods = [b.inner for bs in cls.bindings.values() for b in bs
                   if b.inner is not None and b.inner.kind == "function" and isinstance(b.inner.node, (ast.FunctionDef, ast.AsyncFunctionDef))]
        methods.sort(key=lambda s: s.node.lineno)
        shared: dict[str, frozenset] = {}
        # Pass 1: what each method stores on self (models, pipelines); pass 2: flows, with every attribute known.
        for emit in (False, True):
            for method in methods:
                env = {**self.function_env(module_env, method), **shared}
                self.region(_Ctx(owner, method, emit=emit), method.node.body, env, self_name=method.self_name)
                if not emit:
                    for key, facts in env.items():
                        if key.startswith("self."):
                            shared[key] = _merge(shared.get(key, EMPTY), facts)

    # -------------------------------------------------------------- statements

    def region(self, ctx: _Ctx, body: list[ast.stmt], env: dict[str, frozenset], self_name: str | None = None) -> None:
        for stmt in body:
            self.statement(ctx, stmt, env, self_name)

    def statement(self, ctx: _Ctx, stmt: ast.stmt, env: dict[str, frozenset], self_name: str | None) -> None:
        self.visits += 1
        if self.visits > MAX_VISITS:
            raise _Budget()
        ctx.env, ctx.self_name = env, self_name
        kind = type(stmt)
        if kind is ast.Assign:
            facts = self.expr(ctx, stmt.value, env, self_name)
            for target in stmt.targets:
                self.bind(ctx, target, stmt.value, facts, env, self_name)
        elif kind is ast.AnnAssign and stmt.value is not None:
            self.bind(ctx, stmt.target, stmt.value, self.expr(ctx, stmt.value, env, self_name), env, self_name)
        elif kind is ast.AugAssign:
            binop = ast.BinOp(left=_load(stmt.target), op=stmt.op, right=stmt.value)
            ast.copy_location(binop, stmt)
            binop.end_lineno, binop.end_col_offset = stmt.end_lineno, stmt.end_col_offset
            self.bind(ctx, stmt.target, binop, self.expr(ctx, binop, env, self_name), env, self_name)
        elif kind is ast.Expr:
            self.expr(ctx, stmt.value, env, self_name)
        elif kind is ast.Return and stmt.value is not None:
            ctx.returns.append(self.expr(ctx, stmt.value, env, self_name))
        elif kind is ast.If:
            self.expr(ctx, stmt.test, env, self_name)
            self.branches(ctx, [stmt.body, stmt.orelse], env, self_name)
        elif kind in (ast.For, ast.AsyncFor):
            items = self.expr(ctx, stmt.iter, env, self_name)
            self.bind(ctx, stmt.target, None, _element(items), env, self_name)
            self.branches(ctx, [stmt.body + stmt.orelse, []], env, self_name)
        elif kind is ast.While:
            self.branches(ctx, [stmt.body + stmt.orelse, []], env, self_name)
        elif kind in (ast.With, ast.AsyncWith):
            for item in stmt.items:
                facts = self.expr(ctx, item.context_expr, env, self_name)
                if item.optional_vars is not None:
                    self.bind(ctx, item.optional_vars, None, facts, env, self_name)
            self.region(ctx, stmt.body, env, self_name)
        elif kind is ast.Try or kind.__name__ == "TryStar":
            self.region(ctx, stmt.body, env, self_name)
            self.branches(ctx, [h.body for h in stmt.handlers] + [stmt.orelse, []], env, self_name)
            self.region(ctx, stmt.finalbody, env, self_name)
        elif kind is ast.Match:
            self.expr(ctx, stmt.subject, env, self_name)
            self.branches(ctx, [c.body for c in stmt.cases] + [[]], env, self_name)

    def branches(self, ctx: _Ctx, bodies: list[list[ast.stmt]], env: dict[str, frozenset], self_name: str | None) -> None:
        """Each body from the same state; afterwards a name holds what any body (or none) left in it."""
        outcomes = []
        for body in bodies:
            branch = dict(env)
            self.region(ctx, body, branch, self_name)
            outcomes.append(branch)
        for branch in outcomes:
            for key, facts in branch.items():
                if env.get(key) is not facts:
                    env[key] = _merge(env.get(key, EMPTY), facts)

    def bind(self, ctx: _Ctx, target: ast.AST, value: ast.AST | None, facts: frozenset, env: dict[str, frozenset],
             self_name: str | None) -> None:
        key = _key(target, self_name)
        if key is not None:
            env[key] = facts
            for f in facts:
                if isinstance(f, Untrained):
                    self.untrained[f.location] = f
            return
        if isinstance(target, (ast.Tuple, ast.List)):
            seqs = [f for f in facts if isinstance(f, Seq) and len(f.items) == len(target.elts)]
            if seqs:  # model, transform = build()  (the function returned a tuple)
                for i, elt in enumerate(target.elts):
                    merged = EMPTY
                    for seq in seqs:
                        merged = _merge(merged, seq.items[i])
                    self.bind(ctx, elt, None, merged, env, self_name)
                return
            clip = [f for f in facts if isinstance(f, OpenClipTuple)]
            if clip:  # model, preprocess_train, preprocess_val = create_model_and_transforms(...)
                for i, elt in enumerate(target.elts):
                    self.bind(ctx, elt, None, frozenset({Model(clip[0].refs)} if i == 0 else {Official("open_clip preprocess")}), env, self_name)
                return
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                for elt, sub in zip(target.elts, value.elts):
                    self.bind(ctx, elt, sub, self.expr(ctx, sub, env, self_name), env, self_name)
                return
            # ``images, labels = batch``: the parts of data are data; nothing else is split.
            parts = frozenset(f for f in facts if isinstance(f, Data))
            for elt in target.elts:
                self.bind(ctx, elt.value if isinstance(elt, ast.Starred) else elt, None, parts, env, self_name)
            return
        # ``model.fc = nn.Linear(...)``, ``model.classifier[-1] = ...``: the head of an untrained build is replaced.
        head = target.value if isinstance(target, ast.Subscript) else target
        if isinstance(head, ast.Attribute) and head.attr in HEAD_ATTRS:
            base = _key(head.value, self_name)
            for f in env.get(base, EMPTY) if base is not None else EMPTY:
                if isinstance(f, Untrained):
                    self.heads.add(f.location)

    # -------------------------------------------------------------- expressions

    def expr(self, ctx: _Ctx, node: ast.AST | None, env: dict[str, frozenset], self_name: str | None) -> frozenset:
        if node is None or self.expr_depth > MAX_EXPR_DEPTH:
            return EMPTY
        self.expr_depth += 1
        try:
            return self._expr(ctx, node, env, self_name)
        finally:
            self.expr_depth -= 1

    def _expr(self, ctx: _Ctx, node: ast.AST, env: dict[str, frozenset], self_name: str | None) -> frozenset:
        kind = type(node)
        if kind is ast.Name:
            # Constants defined elsewhere (MEAN = [...], IMAGENET_DEFAULT_MEAN) are looked up only where numbers are
            # needed (see num): most names are modules and functions, and the lookup is not free.
            return env.get(node.id) or EMPTY
        if kind is ast.Attribute:
            key = _key(node, self_name)
            if key is not None and key in env:
                return env[key]
            base = self.expr(ctx, node.value, env, self_name)
            out = set()
            for f in base:
                if isinstance(f, Data):
                    out.add(f)
                elif isinstance(f, Model) and node.attr == "module":
                    out.add(f)
                elif isinstance(f, Model) and node.attr in ("pretrained_cfg", "default_cfg", "config", "data_config"):
                    out.add(ModelCfg())
                elif isinstance(f, Processor) and node.attr in ("image_mean", "image_std"):
                    out.add(Num(from_model=True))
                elif isinstance(f, (ModelCfg, Official)):
                    out.add(Num(from_model=True))
            return frozenset(out)
        if kind is ast.Subscript:
            base = self.expr(ctx, node.value, env, self_name)
            self.expr(ctx, node.slice, env, self_name)
            out = set()
            index = node.slice.value if isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, int) else None
            for f in base:
                if isinstance(f, (Data, Num)):
                    out.add(f)
                elif isinstance(f, Seq) and index is not None and -len(f.items) <= index < len(f.items):
                    out.update(f.items[index])
                elif isinstance(f, (ModelCfg, Official)):
                    out.add(Num(from_model=True))
            return frozenset(out)
        if kind is ast.Call:
            return self.call(ctx, node, env, self_name)
        if kind is ast.BinOp:
            return self.binop(ctx, node, env, self_name)
        if kind in (ast.List, ast.Tuple, ast.Set):
            return self.sequence(ctx, node, [self.expr(ctx, e, env, self_name) for e in node.elts])
        if kind is ast.Dict:
            values = [self.expr(ctx, v, env, self_name) for v in node.values]
            return frozenset(f for fs in values for f in fs if isinstance(f, Data))
        if kind is ast.Starred:
            return self.expr(ctx, node.value, env, self_name)
        if kind is ast.IfExp:
            self.expr(ctx, node.test, env, self_name)
            return _merge(self.expr(ctx, node.body, env, self_name), self.expr(ctx, node.orelse, env, self_name))
        if kind is ast.Await:
            return self.expr(ctx, node.value, env, self_name)
        if kind is ast.UnaryOp:
            inner = self.expr(ctx, node.operand, env, self_name)
            if isinstance(node.op, ast.USub):
                return frozenset(Num(tuple(-v for v in f.values)) for f in inner if isinstance(f, Num) and f.values)
            return EMPTY
        if kind is ast.Constant and isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
            return frozenset({Num((float(node.value),))})
        if kind in (ast.ListComp, ast.GeneratorExp, ast.SetComp):
            inner = dict(env)
            for gen in node.generators:
                self.bind(ctx, gen.target, None, _element(self.expr(ctx, gen.iter, inner, self_name)), inner, self_name)
            return self.expr(ctx, node.elt, inner, self_name)
        if kind is ast.NamedExpr:
            facts = self.expr(ctx, node.value, env, self_name)
            self.bind(ctx, node.target, node.value, facts, env, self_name)
            return facts
        if kind in (ast.BoolOp, ast.Compare, ast.JoinedStr):
            for child in ast.iter_child_nodes(node):
                if isinstance(child, ast.expr):
                    self.expr(ctx, child, env, self_name)
        return EMPTY

    def sequence(self, ctx: _Ctx, node: ast.AST, parts: list[frozenset]) -> frozenset:
        """A literal list: a list of transforms is a pipeline; otherwise the data in it (``torch.stack([x])``)."""
        if parts and all(any(isinstance(f, (Pipeline, Official)) for f in p) for p in parts):
            steps: list[PreprocessingStep] = []
            for p in parts:
                steps += _pipeline_steps(p, self.locate(ctx, node))
            return frozenset({Pipeline(tuple(steps[:MAX_STEPS]))})
        nums = [next((f for f in p if isinstance(f, Num)), None) for p in parts]
        if parts and all(n is not None and n.values and len(n.values) == 1 for n in nums):
            return frozenset({Num(tuple(n.values[0] for n in nums))})  # type: ignore[index, union-attr]
        if isinstance(node, ast.Tuple) and any(not isinstance(f, (Data, Num)) for p in parts for f in p):
            return frozenset({Seq(tuple(parts))})
        return frozenset(f for p in parts for f in p if isinstance(f, Data))

    def binop(self, ctx: _Ctx, node: ast.BinOp, env: dict[str, frozenset], self_name: str | None) -> frozenset:
        left = self.expr(ctx, node.left, env, self_name)
        right = self.expr(ctx, node.right, env, self_name)
        op = type(node.op)
        if op is ast.Mult and isinstance(node.left, (ast.List, ast.Tuple)):  # [0.5] * 3: repetition, not arithmetic
            lnum = next((f for f in left if isinstance(f, Num) and f.values), None)
            count = next((f.values[0] for f in right if isinstance(f, Num) and f.values and len(f.values) == 1), None)
            if lnum is not None and count is not None and float(count).is_integer() and 0 < count <= 16:
                return frozenset({Num(lnum.values * int(count))})  # type: ignore[operator]
            return EMPTY
        lnum = self.num(ctx, node.left, left) if right else next((f for f in left if isinstance(f, Num)), None)
        rnum = self.num(ctx, node.right, right) if left else next((f for f in right if isinstance(f, Num)), None)
        ldata = [f for f in left if isinstance(f, Data)]
        if lnum is not None and rnum is not None and not ldata:
            return frozenset({n} if (n := _arith(lnum, rnum, op)) is not None else ())
        if not ldata:
            rdata = [f for f in right if isinstance(f, Data)]
            return frozenset(replace(d, opaque=True) for d in rdata)
        step = self.arith_step(ctx, node, op, rnum, right)
        return frozenset(_then(d, step) for d in ldata)

    def arith_step(self, ctx: _Ctx, node: ast.BinOp, op: type, num: Num | None, right: frozenset) -> PreprocessingStep:
        location = self.locate(ctx, node)
        text = ctx.owner.text.segment(node)[:200]
        if num is None or (num.values is None and num.name is None and not num.from_model):
            if any(isinstance(f, Data) for f in right) or op not in (ast.Sub, ast.Div, ast.Add, ast.Mult):
                return PreprocessingStep("opaque", location, text)
            return PreprocessingStep("normalize", location, text)  # by unknown values: normalization of some kind
        if num.from_model:
            return PreprocessingStep("normalize", location, text, from_model=True)
        if num.values is None:
            # A named library constant: subtracted is a mean, divided by is a std.
            if op is ast.Sub:
                return PreprocessingStep("normalize", location, text, mean_name=num.name, std=(1.0,))
            if op is ast.Div:
                return PreprocessingStep("normalize", location, text, mean=(0.0,), std_name=num.name)
            return PreprocessingStep("opaque", location, text)
        values = num.values
        if op is ast.Div and all(v != 0 for v in values):
            return PreprocessingStep("scale", location, text, factor=tuple(1.0 / v for v in values))
        if op is ast.Mult:
            return PreprocessingStep("scale", location, text, factor=values)
        if op is ast.Sub:
            return PreprocessingStep("shift", location, text, shift=tuple(-v for v in values))
        if op is ast.Add:
            return PreprocessingStep("shift", location, text, shift=values)
        return PreprocessingStep("opaque", location, text)

    def num(self, ctx: _Ctx, node: ast.AST, facts: frozenset) -> Num | None:
        """The numbers an operand holds: from its facts, else a constant the evaluator knows (names, attributes,
        items of literal containers)."""
        found = next((f for f in facts if isinstance(f, Num)), None)
        if found is not None or facts:
            return found
        if isinstance(node, (ast.Name, ast.Attribute)):
            return self.constant(ctx, node)
        if isinstance(node, ast.Subscript):  # MEAN[None, :, None]: the same numbers, reshaped
            return self.num(ctx, node.value, EMPTY) if isinstance(node.slice, (ast.Tuple, ast.Slice)) or _is_none(node.slice) else self.constant(ctx, node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in NUMBER_METHODS:
            return self.num(ctx, node.func.value, EMPTY)
        return None

    def constant(self, ctx: _Ctx, node: ast.AST) -> Num | None:
        """Numbers imported from elsewhere: a library constant (``timm.data.IMAGENET_DEFAULT_MEAN``, resolved later
        from the knowledge base) or a constant of another project module (``config.MEAN``). Names bound in the code
        interpreted here are already in the environment; nothing else is evaluated (a name assigned many times
        would make the evaluator walk every assignment)."""
        if isinstance(node, ast.Name):
            kinds = {b.kind for s in ctx.scope.chain() for b in s.bindings.get(node.id, ())}
            if not kinds or not kinds <= {"import", "relimport"}:
                return None
        elif not isinstance(node, ast.Attribute):
            return None
        evaluator = ctx.owner.evaluator
        line = getattr(node, "lineno", 0)
        qual = evaluator.qualname(node, ctx.scope, line)
        top = qual.split(".", 1)[0] if qual else ""
        if top in ("timm", "open_clip"):
            return Num(name=qual)
        if top in NOT_PROJECT or (qual is None and isinstance(node, ast.Attribute)):
            return None
        value = evaluator.evaluate(node, ctx.scope, line)
        if value.note:
            return None  # a command-line or environment default: what runs may differ, so nothing is compared
        numbers = _numbers_of(value)
        return Num(numbers) if numbers is not None else None

    # -------------------------------------------------------------- calls

    def call(self, ctx: _Ctx, node: ast.Call, env: dict[str, frozenset], self_name: str | None) -> frozenset:
        owner = ctx.owner
        refs = self.loads_of(owner).get((node.lineno, node.col_offset))
        args = [self.expr(ctx, a, env, self_name) for a in node.args]
        kwargs = {k.arg: self.expr(ctx, k.value, env, self_name) for k in node.keywords}
        qual = owner.evaluator.qualname(node.func, ctx.scope, node.lineno)
        if refs:
            return self.load(qual, refs)
        if qual is not None:
            known = self.library_call(ctx, node, qual, args, kwargs)
            if known is not None:
                return known
        func = node.func
        if isinstance(func, ast.Attribute):
            base = self.expr(ctx, func.value, env, self_name)
            method = self.method(ctx, node, func, base, args, kwargs, env, self_name)
            if method is not None:
                return method
        callee = self.expr(ctx, func, env, self_name)
        if callee:
            applied = self.apply(ctx, node, callee, args, kwargs)
            if applied is not None:
                return applied
        dataset = self.dataset(ctx, node, kwargs, args)
        if dataset is not None:
            return dataset
        if qual is None or qual.split(".", 1)[0] not in NOT_PROJECT:
            summary = self.project_call(ctx, node, args, kwargs)
            if summary is not None:
                return summary
        inputs = [f for fs in (*args, *kwargs.values()) for f in fs if isinstance(f, Data)]
        if qual is not None and PASS_THROUGH.match(qual):
            return frozenset(inputs)
        # Anything else with data in it: the data comes out changed in ways not known here.
        return frozenset(replace(d, opaque=True) for d in inputs)

    def load(self, qual: str | None, refs: tuple[ModelReference, ...]) -> frozenset:
        api = (refs[0].api or qual or "").split(" ", 1)[0]
        short = api.rsplit(".", 1)[-1]
        if api.startswith("open_clip.") and short in ("create_model_and_transforms", "create_model_from_pretrained"):
            return frozenset({OpenClipTuple(refs)})
        cls = api.rsplit(".", 2)[-2] if api.endswith(".from_pretrained") and api.count(".") >= 2 else ""
        if refs[0].loader in ("huggingface", "file") and cls:
            if cls.endswith(_PROCESSOR_SUFFIXES):
                return frozenset({Processor(refs)})
            if cls.endswith(_TOKENIZER_SUFFIXES):
                return EMPTY
            if "Model" not in cls and "For" not in cls:
                return EMPTY  # AutoConfig, schedulers, pipelines' parts: not a model fed here
        elif refs[0].loader not in ("torchvision", "timm", "open_clip", "huggingface"):
            return EMPTY  # weight files, Ultralytics, torch.hub: their preprocessing is not this rule family's
        return frozenset({Model(refs)})

    def library_call(self, ctx: _Ctx, node: ast.Call, qual: str, args: list[frozenset], kwargs: dict[str, frozenset]) -> frozenset | None:
        """Known library callees: transforms, image readers, official transforms, untrained builders."""
        short = qual.rsplit(".", 1)[-1]
        location = self.locate(ctx, node)
        text = ctx.owner.text.segment(node)[:200]
        inputs = [f for fs in (*args, *kwargs.values()) for f in fs if isinstance(f, Data)]
        if qual.startswith(FUNCTIONAL_MODULES):
            step = functional_step(_CtxReader(self, ctx), node, short, location, text)
            if step is None:
                return frozenset(inputs)
            return frozenset(_then(d, step) for d in (inputs or [Data()]))
        if qual.startswith(TRANSFORM_MODULES):
            if short in COMPOSE:
                return frozenset({self.compose(ctx, node, args, kwargs, location)})
            return frozenset({Pipeline(transform_steps(_CtxReader(self, ctx), node, qual, short, location, text))})
        if qual == "torch.nn.Sequential" and args and all(any(isinstance(f, (Pipeline, Official)) for f in a) for a in args):
            return self.sequence(ctx, node, args)
        if qual.startswith(("timm.data.", "open_clip.")) and short in ("create_transform", "resolve_data_config",
                                                                      "resolve_model_data_config", "transforms_factory",
                                                                      "image_transform", "image_transform_v2", "get_tokenizer"):
            return frozenset({Official(qual)})
        if qual in IMAGE_SOURCES:
            return frozenset({Data(source=True)})
        if qual in NUMBER_CONSTRUCTORS and args and not inputs:  # np.array([0.485, ...]), torch.tensor(MEAN)
            found = self.num(ctx, node.args[0], args[0])
            return frozenset({found}) if found is not None else EMPTY
        if qual == "cv2.resize":
            step = cv2_resize(_CtxReader(self, ctx), node, location, text)
            return frozenset(_then(d, step) for d in (inputs or [Data()]))
        if qual in ("torch.nn.functional.interpolate", "torch.nn.functional.upsample"):
            size = self.size(ctx, kw(node, "size") or (node.args[1] if len(node.args) > 1 else None))
            size = size if size is None or len(size) == 2 else (size[0], size[0])
            step = PreprocessingStep("resize", location, text, size=size)
            return frozenset(_then(d, step) for d in inputs)
        if qual in MODEL_WRAPPERS:
            return frozenset(f for a in args for f in a if isinstance(f, Model))
        if _TRAINING_CALLS.match(qual):
            self.trains = True
            return EMPTY
        untrained = self.untrained_build(ctx, node, qual, location)
        if untrained is not None:
            return frozenset({untrained})
        return None

    def method(self, ctx: _Ctx, node: ast.Call, func: ast.Attribute, base: frozenset, args: list[frozenset],
               kwargs: dict[str, frozenset], env: dict[str, frozenset], self_name: str | None) -> frozenset | None:
        attr = func.attr
        if attr == "backward":
            self.trains = True
        models = [f for f in base if isinstance(f, Model)]
        if models:
            if attr in MODEL_SAME:
                return frozenset(models)
            if attr in FEED_METHODS or attr == "__call__":
                self.feed(ctx, node, models, args, kwargs)
                return EMPTY
            return EMPTY
        untrained = [f for f in base if isinstance(f, Untrained)]
        if untrained:
            if attr == "reset_classifier":
                self.heads.update(f.location for f in untrained)
            return frozenset(untrained) if attr in MODEL_SAME else EMPTY
        if attr == "transforms" and not node.args and not node.keywords:
            text = ctx.owner.text.segment(func.value)
            qual = ctx.owner.evaluator.qualname(func.value, ctx.scope, node.lineno) or ""
            if "_Weights" in qual or "weight" in text.lower():
                return frozenset({Official("weights.transforms()")})
        if attr in ("append", "extend", "insert") and any(isinstance(f, Pipeline) for f in base):
            key = _key(func.value, self_name)
            added = args[-1] if args else EMPTY
            if key is not None and any(isinstance(f, (Pipeline, Official)) for f in added):
                extra = _pipeline_steps(added, self.locate(ctx, node))
                env[key] = frozenset(Pipeline((*f.steps, *extra)[:MAX_STEPS]) if isinstance(f, Pipeline) else f for f in env.get(key, base))
            return EMPTY
        processors = [f for f in base if isinstance(f, Processor)]
        if processors and attr in ("__call__", "preprocess"):
            return frozenset({Data(official=True, processors=processors[0].refs)})
        if any(isinstance(f, (Pipeline, Official)) for f in base) and attr == "__call__":
            return self.apply(ctx, node, base, args, kwargs)
        data = [f for f in base if isinstance(f, Data)]
        if data:
            return frozenset(data)  # x.to(device), x.unsqueeze(0), batch.float(): same values
        nums = [f for f in base if isinstance(f, Num)]
        if nums and attr in NUMBER_METHODS:
            return frozenset(nums)
        return None

    def apply(self, ctx: _Ctx, node: ast.Call, callee: frozenset, args: list[frozenset], kwargs: dict[str, frozenset]) -> frozenset | None:
        """Calling a value: a model is fed, a pipeline/official transform/processor is applied to the data."""
        models = [f for f in callee if isinstance(f, Model)]
        if models:
            self.feed(ctx, node, models, args, kwargs)
            return EMPTY
        inputs = [f for fs in (*args, *kwargs.values()) for f in fs if isinstance(f, Data)]
        out: set = set()
        for f in callee:
            if isinstance(f, Processor):
                out.add(Data(official=True, processors=f.refs))
            elif isinstance(f, Official):
                out.add(Data(official=True))
            elif isinstance(f, Pipeline):
                for d in inputs or [Data()]:
                    out.add(_apply_pipeline(d, f))
        return frozenset(out) if out else None

    def dataset(self, ctx: _Ctx, node: ast.Call, kwargs: dict[str, frozenset], args: list[frozenset]) -> frozenset | None:
        """``ImageFolder(root, transform=T)``, ``MyDataset(files, transform=T)``: every sample goes through T."""
        for name in TRANSFORM_KEYWORDS:
            given = kwargs.get(name, EMPTY)
            if any(isinstance(f, (Pipeline, Official, Processor)) for f in given):
                out = set()
                for f in given:
                    if isinstance(f, Pipeline):
                        out.add(_apply_pipeline(Data(), f))
                    elif isinstance(f, Official):
                        out.add(Data(official=True))
                    elif isinstance(f, Processor):
                        out.add(Data(official=True, processors=f.refs))
                return frozenset(out)
        return None

    def feed(self, ctx: _Ctx, node: ast.Call, models: list[Model], args: list[frozenset], kwargs: dict[str, frozenset]) -> None:
        """Data reaches a model: record what was applied to it."""
        if not ctx.emit:
            return
        location = self.locate(ctx, node)
        # Only what carries the image: the first positional argument, image keywords and **inputs (a processor's
        # output); boxes, token ids and labels passed alongside are not preprocessing of the image.
        carried = [*args[:1], *(facts for name, facts in kwargs.items() if name is None or name in IMAGE_KEYWORDS)]
        inputs = [f for fs in carried for f in fs if isinstance(f, Data)]
        for model in models:
            for ref in model.refs:
                for data in inputs:
                    if data.official:
                        for proc in data.processors:
                            if ref.loader in ("huggingface", "file") and proc.name and proc.name != ref.name:
                                obs = HygieneObservation("processor", location, model=ref, processor=proc,
                                                         scope=ctx.owner.scope_label)
                                self.found[("processor", location, ref, proc)] = obs
                        continue
                    if not data.steps:
                        continue
                    complete = (data.source or any(s.op == "to-tensor" for s in data.steps)) and not data.opaque \
                        and not any(s.op == "opaque" for s in data.steps)
                    obs = HygieneObservation("preprocessing", location, model=ref, steps=data.steps, complete=complete,
                                             scope=ctx.owner.scope_label)
                    self.found[("preprocessing", location, ref, data.steps)] = obs

    def project_call(self, ctx: _Ctx, node: ast.Call, args: list[frozenset], kwargs: dict[str, frozenset]) -> frozenset | None:
        """A call of a project function: its body with the arguments' facts bound to its parameters; the facts of
        what it returns (memoized per function and argument facts; MAX_CALL_DEPTH deep)."""
        if ctx.depth >= MAX_CALL_DEPTH:
            return None
        if id(node) not in self.targets:  # the same call is met again in branches, class passes and summaries
            self.targets[id(node)] = ctx.owner.resolve_function(node.func, ctx.scope, node.lineno)
        target = self.targets[id(node)]
        if target is None:
            return None
        owner, fscope, skip_self = target[:3]
        fnode = fscope.node
        if not isinstance(fnode, (ast.FunctionDef, ast.AsyncFunctionDef)) or skip_self:
            return None
        if not any(args) and not any(kwargs.values()) and not _returns_value(fnode):
            return None  # nothing goes in and nothing comes out (``main()``): its own analysis covers its body
        params = [a.arg for a in (*fnode.args.posonlyargs, *fnode.args.args, *fnode.args.kwonlyargs)]
        bound: dict[str, frozenset] = {}
        positional = [a.arg for a in (*fnode.args.posonlyargs, *fnode.args.args)]
        for name, facts in zip(positional, args):
            bound[name] = facts
        for name, facts in kwargs.items():
            if name in params:
                bound[name] = facts
        signature = (id(fscope), tuple(sorted((k, v) for k, v in bound.items() if v)))
        if signature in self.summaries:
            return self.summaries[signature]
        if id(fscope) in self.active or len(self.summaries) >= MAX_SUMMARIES:
            return None
        self.summaries[signature] = EMPTY
        self.active.add(id(fscope))
        try:
            env = {**self.function_env(self.module_env(owner), fscope), **{k: v for k, v in bound.items() if v}}
            inner = _Ctx(owner, fscope, ctx.depth + 1, emit=ctx.emit)
            self.region(inner, fnode.body, env)
        finally:
            self.active.discard(id(fscope))
        result = EMPTY
        for facts in inner.returns:
            result = _merge(result, facts)
        self.summaries[signature] = result
        return result

    def compose(self, ctx: _Ctx, node: ast.Call, args: list[frozenset], kwargs: dict[str, frozenset],
                location: Location) -> Pipeline:
        """``Compose([...])``: element by element, so a custom transform does not hide a known Normalize."""
        given = arg(node, 0, "transforms")
        if isinstance(given, (ast.List, ast.Tuple)):
            steps: list[PreprocessingStep] = []
            for elt in given.elts:
                steps += _pipeline_steps(self.expr(ctx, elt, ctx.env, ctx.self_name), self.locate(ctx, elt))
            return Pipeline(tuple(steps[:MAX_STEPS]))
        items = args[0] if args else kwargs.get("transforms", EMPTY)
        return Pipeline(_pipeline_steps(items, location)[:MAX_STEPS])

    def numbers(self, ctx: _Ctx, node: ast.AST | None) -> Num | None:
        if node is None:
            return None
        facts = self.expr(ctx, node, ctx.env, ctx.self_name)
        return self.num(ctx, node, facts) or Num()

    def size(self, ctx: _Ctx, node: ast.AST | None, *, cv2: bool = False) -> tuple[int, ...] | None:
        """A transform size as (shorter side,) or (height, width); cv2 spells (width, height)."""
        if node is None:
            return None
        num = self.numbers(ctx, node)
        if num is None or not num.values or not all(float(v).is_integer() and v > 0 for v in num.values):
            return None
        values = tuple(int(v) for v in num.values)
        if len(values) == 2 and cv2:
            return (values[1], values[0])
        return values if len(values) in (1, 2) else None

    # -------------------------------------------------------------- untrained backbones

    def untrained_build(self, ctx: _Ctx, node: ast.Call, qual: str, location: Location) -> Untrained | None:
        """``resnet50()``/``resnet50(weights=None)``/``create_model(name)`` with no checkpoint: random weights."""
        parts = qual.split(".")
        short = parts[-1]
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        if any(k.arg is None for k in node.keywords) or any(isinstance(a, ast.Starred) for a in node.args):
            return None
        if qual.startswith("torchvision.models.") and len(parts) in (3, 4) and short[:1].islower() \
                and not any(p.startswith("_") or p[:1].isupper() for p in parts) \
                and short not in ("get_model", "get_weight", "get_model_weights", "list_models", "get_model_builder"):
            if "num_classes" in keywords or node.args:
                return None  # num_classes != 1000 cannot take the pretrained weights: from scratch on purpose
            for name in ("weights", "pretrained"):
                if name in keywords and not _is_none_or_false(keywords[name]):
                    return None
            return Untrained("torchvision", short, location)
        if qual.startswith("timm.") and short == "create_model":
            name = _literal_string(node.args[0], ctx.scope) if node.args else None
            if name is None or ":" in name:
                return None
            pretrained = node.args[1] if len(node.args) > 1 else keywords.get("pretrained")
            if (pretrained is not None and not _is_none_or_false(pretrained)) or "checkpoint_path" in keywords \
                    or "pretrained_cfg_overlay" in keywords:
                return None
            return Untrained("timm", name, location)
        return None

    def untrained_findings(self) -> None:
        """Untrained builds in training code with fine-tuning evidence: a replaced head, or the file's own words."""
        if not self.trains:
            return
        text = "\n".join(self.module.text.lines)
        match = _FINE_TUNE_WORDS.search(text)
        for location, fact in self.untrained.items():
            if location in self.heads:
                evidence = "its classifier head is replaced afterwards, as when fine-tuning pretrained weights"
            elif match:
                line = self.module.locate(text[: match.start()].count("\n") + 1, 0).line
                evidence = f"{self.module.rel} says {match.group(0)!r} (line {line})"
            else:
                continue
            obs = HygieneObservation("untrained", location, library=fact.library, name=fact.name, evidence=evidence,
                                     scope=self.module.scope_label)
            self.found[("untrained", location)] = obs

    # -------------------------------------------------------------- plumbing

    def observations(self) -> list[HygieneObservation]:
        return list(self.found.values())

    def loads_of(self, owner) -> dict[tuple[int, int], tuple[ModelReference, ...]]:
        """The module's load calls by AST position (line, column offset) -> the references discovery made there."""
        if owner.rel not in self.loads:
            if owner is self.module:
                refs = self._own
            else:
                result = owner.run()
                refs = [r for r in result.references if isinstance(r, ModelReference)] if result is not None else []
            by_location: dict[tuple[int, int], list[ModelReference]] = {}
            for ref in refs:
                if ref.location.path == owner.rel:
                    by_location.setdefault((ref.location.line, ref.location.column), []).append(ref)
            lines = {line for line, _ in by_location}
            # Notebook lines are remapped by locate (not free): compare the line's text with the references' first.
            notebook = owner.rel.lower().endswith(".ipynb")
            snippets = {r.location.snippet for refs in by_location.values() for r in refs}
            table: dict[tuple[int, int], tuple[ModelReference, ...]] = {}
            for node, _scope in owner.calls if by_location else ():
                if not notebook and node.lineno not in lines:
                    continue
                if notebook and owner.text.snippet(node.lineno) not in snippets:
                    continue
                loc = owner.locate(node.lineno, node.col_offset)
                found = by_location.get((loc.line, loc.column))
                if found:
                    table[(node.lineno, node.col_offset)] = tuple(found)
            self.loads[owner.rel] = table
        return self.loads[owner.rel]

    def locate(self, ctx: _Ctx, node: ast.AST) -> Location:
        key = (ctx.owner.rel, getattr(node, "lineno", 0), getattr(node, "col_offset", 0))
        found = self.locations.get(key)
        if found is None:
            found = self.locations[key] = ctx.owner.locate(key[1], key[2])
        return found


_TRAINING_WORDS = re.compile(r"\.backward\(|torch\.optim|optim\.|\bfit\(")
_TRAINING_LITERALS = ("optim", "backward(", "fit(")  # one of them is inside any match of _TRAINING_WORDS
# A build that may have no weights: timm's create_model, or a torchvision builder (called bare or with None/False).
_BUILD_WORDS = re.compile(r"create_model\(|weights\s*=\s*None|pretrained\s*=\s*False|models\.[a-z][a-z0-9_]*\(|"
                          r"\b(resnet|vgg|densenet|efficientnet|mobilenet|convnext|vit|swin|regnet|resnext|wide_resnet)\w*\(")


# ------------------------------------------------------------------------------------------------ helpers


def _merge(a: frozenset, b: frozenset) -> frozenset:
    if not a:
        return b
    if not b or a is b:
        return a
    merged = a | b
    return merged if len(merged) <= MAX_FACTS else frozenset(list(merged)[:MAX_FACTS])


def _element(items: frozenset) -> frozenset:
    """What iterating yields: data stays data (a loader yields batches), nothing else is followed."""
    return frozenset(f for f in items if isinstance(f, Data))


def _then(data: Data, step: PreprocessingStep) -> Data:
    if len(data.steps) >= MAX_STEPS:
        return replace(data, opaque=True)
    return replace(data, steps=(*data.steps, step))


def _apply_pipeline(data: Data, pipeline: Pipeline) -> Data:
    steps = pipeline.steps
    if any(s.op == "official" for s in steps):
        return Data(official=True, source=data.source)
    source = data.source or any(s.op == "to-tensor" for s in steps)
    return replace(data, steps=(*data.steps, *steps)[:MAX_STEPS], source=source)


def _pipeline_steps(facts: frozenset, location: Location) -> tuple[PreprocessingStep, ...]:
    for f in facts:
        if isinstance(f, Pipeline):
            return f.steps
        if isinstance(f, Official):
            return (PreprocessingStep("official", location, f.what),)
    return (PreprocessingStep("opaque", location),)


def _arith(a: Num, b: Num, op: type) -> Num | None:
    if a.values is None or b.values is None:
        return None
    x, y = a.values, b.values
    if len(x) != len(y) and 1 not in (len(x), len(y)):
        return None
    n = max(len(x), len(y))
    x = x * n if len(x) == 1 else x
    y = y * n if len(y) == 1 else y
    try:
        if op is ast.Mult:
            return Num(tuple(p * q for p, q in zip(x, y)))
        if op is ast.Div:
            return Num(tuple(p / q for p, q in zip(x, y)))
        if op is ast.Add:
            return Num(tuple(p + q for p, q in zip(x, y)))
        if op is ast.Sub:
            return Num(tuple(p - q for p, q in zip(x, y)))
    except ZeroDivisionError:
        return None
    return None


def _numbers_of(value) -> tuple[float, ...] | None:
    if value.kind == "const" and isinstance(value.value, (int, float)) and not isinstance(value.value, bool):
        return (float(value.value),)
    if value.kind == "container" and value.value[0] == "seq":
        items = value.value[1]
        if items and all(v.kind == "const" and isinstance(v.value, (int, float)) and not isinstance(v.value, bool) for v in items):
            return tuple(float(v.value) for v in items)
    return None


def _key(node: ast.AST, self_name: str | None) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and self_name and node.value.id == self_name:
        return f"self.{node.attr}"
    return None


def _load(target: ast.AST) -> ast.AST:
    if isinstance(target, ast.Name):
        return ast.copy_location(ast.Name(id=target.id, ctx=ast.Load()), target)
    return target


def _returns_value(fnode: ast.AST) -> bool:
    """Whether a function returns a value somewhere (not counting nested functions)."""
    stack = list(getattr(fnode, "body", []))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return) and node.value is not None:
            return True
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            stack.extend(n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt))
    return False


def _literal_string(node: ast.AST, scope) -> str | None:
    """A string literal, or a name bound once to one (``ARCH = "resnet50"``); nothing else is evaluated."""
    if isinstance(node, ast.Name):
        for s in scope.chain():
            bindings = s.bindings.get(node.id)
            if bindings:
                node = bindings[0].node if len(bindings) == 1 and bindings[0].kind == "value" else None
                break
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _is_none_or_false(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value in (None, False)


