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
from dataclasses import dataclass, field, fields

from vlicense.discovery.transforms import (
    COMPOSE,
    FUNCTIONAL_MODULES,
    TRANSFORM_MODULES,
    Num,
    arg,
    cv2_resize,
    functional_step,
    interpolation,
    kw,
    transform_steps,
)
from vlicense.model import HygieneObservation, Location, ModelReference, PreprocessingStep

MAX_VISITS = 40_000  # statements interpreted per module, callee bodies included (bounded work)
MAX_CALL_DEPTH = 2
MAX_SUMMARIES = 150  # project-function bodies interpreted for their callers, per module
MAX_FACTS = 32  # facts kept per name (branches and loops merge them; an if/elif chain of builders stays whole)
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
# Methods of an image/tensor/array that keep its values (device, dtype, shape, container, PIL mode).
DATA_SAME = frozenset({"to", "cuda", "cpu", "unsqueeze", "unsqueeze_", "squeeze", "squeeze_", "permute", "transpose",
                       "view", "reshape", "contiguous", "float", "double", "half", "bfloat16", "detach", "clone", "numpy",
                       "copy", "astype", "expand", "expand_as", "repeat", "flatten", "requires_grad_", "pin_memory",
                       "convert", "type", "movedim", "flip", "next", "__next__", "get", "values", "items", "tolist"})
# Arithmetic methods of a tensor/array: the same steps as the operators (``x.float().div(255).sub_(mean)``).
DATA_ARITH = {"div": ast.Div, "div_": ast.Div, "true_divide": ast.Div, "mul": ast.Mult, "mul_": ast.Mult,
              "sub": ast.Sub, "sub_": ast.Sub, "add": ast.Add, "add_": ast.Add}
# Attributes of a torchvision/timm classifier that are its input side (``vgg19(weights=...).features``).
INPUT_SIDE_ATTRS = frozenset({"features"})
# Head replacement: assigning these attributes (or calling reset_classifier) means the backbone is being adapted.
HEAD_ATTRS = frozenset({"fc", "classifier", "head", "heads", "last_linear", "top"})
# Sources of raw pixels (uint8, 0..255).
IMAGE_SOURCES = frozenset({
    "PIL.Image.open", "cv2.imread", "cv2.imdecode", "torchvision.io.read_image", "torchvision.io.decode_image",
    "torchvision.io.decode_jpeg", "imageio.imread", "imageio.v3.imread", "skimage.io.imread", "matplotlib.pyplot.imread",
})
# Library calls that pass their data argument through unchanged as far as values go (shape, device, container).
PASS_THROUGH = re.compile(
    r"^(torch\.(stack|cat|from_numpy|tensor|as_tensor|unsqueeze|squeeze|permute|flip|clone|autograd\.Variable|utils\.data\.(DataLoader|"
    r"Subset|random_split|ConcatDataset))|numpy\.(array|asarray|stack|expand_dims|transpose|ascontiguousarray|concatenate|float32)|"
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


def _fact(cls):
    """A frozen dataclass whose hash is computed once: facts are put in frozensets again at every expression, and
    hashing their nested steps and references each time was a large part of the analysis."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "_hash", hash(tuple(getattr(self, n) for n in names)))

    cls.__post_init__ = __post_init__
    cls = dataclass(frozen=True)(cls)
    names = tuple(f.name for f in fields(cls))
    cls.__hash__ = lambda self: self._hash
    return cls


@_fact
class Model:
    """A pretrained model loaded at ``load`` (the references discovery made there)."""

    refs: tuple[ModelReference, ...]


@_fact
class Processor:
    """A Hugging Face processor/feature extractor loaded from ``refs``."""

    refs: tuple[ModelReference, ...]


@dataclass(frozen=True)
class Official:
    """The door's own transform (``weights.transforms()``, timm's ``create_transform(**resolve_...)``, the
    open_clip ``preprocess``) or a value derived from the model's config (``resolve_data_config``)."""

    what: str


@_fact
class Pipeline:
    """A hand-built transform (or a list of transforms) with its steps in order."""

    steps: tuple[PreprocessingStep, ...]


@_fact
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


@_fact
class Untrained:
    """A model built without pretrained weights (library, builder/arch name, the build call's location)."""

    library: str
    name: str
    location: Location


@_fact
class OpenClipTuple:
    """The tuple ``create_model_and_transforms``/``create_model_from_pretrained`` returns."""

    refs: tuple[ModelReference, ...]


@_fact
class Seq:
    """A tuple literal holding more than data (``return model, preprocess``): the facts of each position."""

    items: tuple[frozenset, ...]


@_fact
class Layers:
    """``model.children()`` (and lists/slices of it from the first layer on): ``nn.Sequential(*layers)`` is the same
    model's input side (a feature extractor that drops the head), so it expects the same preprocessing."""

    refs: tuple[ModelReference, ...]


@dataclass(frozen=True)
class Instance:
    """An object of a project class that keeps a pretrained model in its attributes (an ``nn.Module`` wrapper):
    calling it runs its ``forward`` (or the method called) with the class's attributes. ``cls``: the id of the class
    scope in ``_Analyzer.classes``."""

    cls: int


# What a name can hold: a frozenset of these (several when branches merge).
Fact = Model | Processor | Official | Pipeline | Data | Num | ModelCfg | Untrained | OpenClipTuple | Seq | Layers | Instance
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
        # Loads whose weights the code replaces (``model.load_state_dict(...)``): the pretrained config no longer
        # describes them, and an untrained build given a checkpoint is not untrained.
        self.replaced: set[Location] = set()
        self.optional: set[Location] = set()  # untrained builds one branch of which loads the pretrained weights
        self.class_envs: dict[int, dict[str, frozenset]] = {}  # class scope id -> self attributes its methods store
        self.classes: dict[int, tuple] = {}  # class scope id -> (module analysis, class scope) of Instance facts
        self.holders: dict[int, bool] = {}  # class scope id -> may hold a model or build a transform (may_hold)
        self.trains = False  # the code followed builds an optimizer or calls backward()
        self.targets: dict[int, tuple | None] = {}  # call node id -> resolved project function (memo)
        self.quals: dict[int, str | None] = {}  # call node id -> library qualname of the callee (memo)
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
        torchvision = any("torchvision" in line for line in module.text.lines)  # else no builder to resolve below
        for node, scope in module.calls:
            func = node.func
            last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
            if last == "create_model" or (last[:1].islower() and _names_models(func)):
                lines.add(node.lineno)
            elif torchvision and last and last[:1].islower():
                qual = module.evaluator.qualname(func, scope, node.lineno) or ""
                if qual.startswith("torchvision.models."):
                    lines.add(node.lineno)
        names = {k for k, facts in env.items()
                 if any(isinstance(f, (Model, Processor, Untrained, OpenClipTuple, Instance)) for f in facts)}
        memo: dict[int, set[str]] = {}

        def words(node: ast.AST | None) -> set[str]:
            """The identifiers in a function's or class's text (one pass of a C regex, kept per node)."""
            if id(node) not in memo:
                start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
                memo[id(node)] = set(_WORD.findall("\n".join(module.text.lines[start - 1:end])))
            return memo[id(node)]

        def direct(node: ast.AST | None) -> bool:
            start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
            return any(start <= line <= end for line in lines) or not names.isdisjoint(words(node))

        # Functions that call a relevant function of this module (``model, tf = build()``) are relevant too.
        chosen = {id(f.node) for f in module.functions if direct(f.node)}
        for _ in range(3):
            # A chosen method is reached by instantiating its class: callers spell the class's name.
            callees = {(f.parent.name if f.parent is not None and f.parent.kind == "class" else f.name)
                       for f in module.functions if id(f.node) in chosen and f.name}
            if not callees:
                break
            grown = {id(f.node) for f in module.functions if id(f.node) not in chosen and not callees.isdisjoint(words(f.node))}
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
            # Lazy loading: ``def _load(): global _model; _model = resnet50(...)``: what the function stores in
            # its global names is what the module's other functions see there.
            for scope in owner.functions:
                if scope.globals_ and scope.parent is owner.module and isinstance(scope.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    inner = dict(env)
                    self.region(_Ctx(owner, scope, emit=False), scope.node.body, inner)
                    for name in scope.globals_:
                        if inner.get(name):
                            env[name] = _merge(env.get(name, EMPTY), inner[name])
            self.module_envs[owner.rel] = env
        return self.module_envs[owner.rel]

    def function_env(self, module_env: dict[str, frozenset], scope) -> dict[str, frozenset]:
        return {k: v for k, v in module_env.items() if k not in scope.params and not k.startswith("self.")}

    def class_region(self, owner, cls, module_env: dict[str, frozenset]) -> None:
        # Pass 1 (class_attrs): what each method stores on self (models, pipelines); pass 2: flows, with every
        # attribute known.
        shared = self.class_attrs(owner, cls)
        for method in _methods(cls):
            env = {**self.function_env(module_env, method), **shared}
            self.region(_Ctx(owner, method), method.node.body, env, self_name=method.self_name)

    def may_hold(self, owner, cls, depth: int = 0) -> bool:
        """A cheap test before summarizing a class's attributes: it loads a model in its body, builds a transform and
        defines ``__getitem__`` (a dataset), or names another class of its module that may hold one."""
        key = id(cls)
        if key not in self.holders:
            self.holders[key] = False  # a class that names itself is not evidence
            node = cls.node
            start, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0) or 0
            words = set(_WORD.findall("\n".join(owner.text.lines[start - 1:end])))
            found = any(start <= line <= end for line, _ in self.loads_of(owner)) or (
                "__getitem__" in cls.bindings and not words.isdisjoint(_TRANSFORM_WORDS))
            if not found and depth < MAX_CALL_DEPTH:
                for name in words & set(owner.module.bindings):
                    inner = owner.module.bindings[name][-1].inner
                    if inner is not None and inner.kind == "class" and inner is not cls and self.may_hold(owner, inner, depth + 1):
                        found = True
                        break
            self.holders[key] = found
        return self.holders[key]

    def class_attrs(self, owner, cls) -> dict[str, frozenset]:
        """The ``self.<attr>`` facts a class's methods store (memoized per class; a class met again while its own
        methods are interpreted sees nothing yet)."""
        key = id(cls)
        if key not in self.class_envs:
            self.class_envs[key] = {}
            module_env = self.module_env(owner)
            shared: dict[str, frozenset] = {}
            for method in _methods(cls):
                env = {**self.function_env(module_env, method), **shared}
                self.region(_Ctx(owner, method, emit=False), method.node.body, env, self_name=method.self_name)
                for name, facts in env.items():
                    if name.startswith("self."):
                        shared[name] = _merge(shared.get(name, EMPTY), facts)
            self.class_envs[key] = shared
        return self.class_envs[key]

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
            self.bind(ctx, stmt.target, None, self.element(ctx, items), env, self_name)
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
                    # ``if pretrained: resnet50(weights=...) else: resnet50(weights=None)``: training from scratch
                    # is an option the code offers on purpose, not an oversight.
                    if any(isinstance(f, Model) for f in env[key]):
                        self.optional.update(f.location for f in env[key] if isinstance(f, Untrained))

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
                elif isinstance(f, Model) and node.attr in INPUT_SIDE_ATTRS and all(r.loader in ("torchvision", "timm") for r in f.refs):
                    out.add(f)
                elif isinstance(f, Model) and node.attr in ("pretrained_cfg", "default_cfg", "config", "data_config"):
                    out.add(ModelCfg())
                elif isinstance(f, Processor) and node.attr in ("image_mean", "image_std"):
                    out.add(Num(from_model=True))
                elif isinstance(f, (ModelCfg, Official)):
                    out.add(Num(from_model=True))
                elif isinstance(f, Instance):  # wrapper.encoder: what the class stores in self.encoder
                    out.update(self.class_envs.get(f.cls, {}).get(f"self.{node.attr}", EMPTY))
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
                elif isinstance(f, Layers) and _from_first(node.slice):
                    out.add(f)
                elif isinstance(f, (ModelCfg, Official)):
                    out.add(Num(from_model=True))
                elif isinstance(f, Instance):  # dataset[i]: what its __getitem__ returns
                    out.update(self.element(ctx, frozenset({f})))
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
        if kind in (ast.ListComp, ast.GeneratorExp, ast.SetComp, ast.DictComp):
            inner = dict(env)
            for gen in node.generators:
                self.bind(ctx, gen.target, None, self.element(ctx, self.expr(ctx, gen.iter, inner, self_name)), inner, self_name)
            if kind is ast.DictComp:  # {k: v.to(device) for k, v in batch.items()}: the data in its values
                return _element(self.expr(ctx, node.value, inner, self_name))
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
        nums = [_one_num(p) for p in parts]
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
            lnum = _one_num(left)
            lnum = lnum if lnum is not None and lnum.values else None
            count = next((f.values[0] for f in right if isinstance(f, Num) and f.values and len(f.values) == 1), None)
            if lnum is not None and count is not None and float(count).is_integer() and 0 < count <= 16:
                return frozenset({Num(lnum.values * int(count))})  # type: ignore[operator]
            return EMPTY
        lnum = self.num(ctx, node.left, left) if right else _one_num(left)
        rnum = self.num(ctx, node.right, right) if left else _one_num(right)
        ldata = [f for f in left if isinstance(f, Data)]
        if lnum is not None and rnum is not None and not ldata:
            return frozenset({n} if (n := _arith(lnum, rnum, op)) is not None else ())
        if not ldata:
            rdata = [f for f in right if isinstance(f, Data)]
            return frozenset(_data(d, opaque=True) for d in rdata)
        step = self.arith_step(ctx, node, op, rnum, right)
        return frozenset(_then(d, step) for d in ldata)

    def arith_step(self, ctx: _Ctx, node: ast.BinOp, op: type, num: Num | None, right: frozenset) -> PreprocessingStep:
        location = self.locate(ctx, node)
        text = _step_text(ctx, node)
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
        if facts:
            return _one_num(facts)
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
        key = id(node)
        if key in self.quals:  # the same call is met again in branches, class passes and summaries
            qual = self.quals[key]
        else:
            qual = self.quals[key] = owner.evaluator.qualname(node.func, ctx.scope, node.lineno) or _builtin(node.func, ctx.scope)
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
            if args:  # list(model.children()), DataLoader(dataset_object), Subset(dataset_object, idx)
                inputs += [f for f in args[0] if isinstance(f, (Layers, Instance))]
            return frozenset(inputs)
        # Anything else with data in it: the data comes out changed in ways not known here (a step, so that a
        # normalization before it is not taken for what reaches the model).
        if not inputs:
            return EMPTY
        # One unknown step stands for any run of them: a value already unknown is kept as it is (no new fact).
        fresh = [d for d in inputs if not (d.opaque and d.steps and d.steps[-1].op == "unknown")]
        if not fresh:
            return frozenset(inputs)
        step = PreprocessingStep("unknown", self.locate(ctx, node), _step_text(ctx, node))
        return frozenset(d if d not in fresh else _then(d, step, opaque=True) for d in inputs)

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
        inputs = [f for fs in (*args, *kwargs.values()) for f in fs if isinstance(f, Data)]
        if qual.startswith(FUNCTIONAL_MODULES):
            location, text = self.locate(ctx, node), _step_text(ctx, node)
            step = functional_step(_CtxReader(self, ctx), node, short, location, text)
            if step is None:
                return frozenset(inputs)
            return frozenset(_then(d, step) for d in (inputs or [Data()]))
        if qual.startswith(TRANSFORM_MODULES):
            location, text = self.locate(ctx, node), _step_text(ctx, node)
            if short in COMPOSE:
                return frozenset({self.compose(ctx, node, args, kwargs, location)})
            return frozenset({Pipeline(transform_steps(_CtxReader(self, ctx), node, qual, short, location, text))})
        if qual == "torch.nn.Sequential" and args and all(any(isinstance(f, (Pipeline, Official)) for f in a) for a in args):
            return self.sequence(ctx, node, args)
        if qual == "torch.nn.Sequential" and args:
            # nn.Sequential(*list(model.children())[:-1]) or nn.Sequential(model, head): the model's input side first.
            first = args[0]
            kind = Layers if isinstance(node.args[0], ast.Starred) else Model
            return frozenset(Model(f.refs) for f in first if isinstance(f, kind))
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
            step = cv2_resize(_CtxReader(self, ctx), node, self.locate(ctx, node), _step_text(ctx, node))
            return frozenset(_then(d, step) for d in (inputs or [Data()]))
        if qual in ("torch.nn.functional.interpolate", "torch.nn.functional.upsample"):
            size = self.size(ctx, kw(node, "size") or (node.args[1] if len(node.args) > 1 else None))
            size = size if size is None or len(size) == 2 else (size[0], size[0])
            step = PreprocessingStep("resize", self.locate(ctx, node), _step_text(ctx, node), size=size)
            return frozenset(_then(d, step) for d in inputs)
        if qual in MODEL_WRAPPERS:
            return frozenset(f for a in args for f in a if isinstance(f, (Model, Instance)))
        if _TRAINING_CALLS.match(qual):
            self.trains = True
            return EMPTY
        untrained = self.untrained_build(ctx, node, qual)
        if untrained is not None:
            return frozenset({untrained})
        return None

    def method(self, ctx: _Ctx, node: ast.Call, func: ast.Attribute, base: frozenset, args: list[frozenset],
               kwargs: dict[str, frozenset], env: dict[str, frozenset], self_name: str | None) -> frozenset | None:
        attr = func.attr
        if attr == "backward":
            self.trains = True
        if attr == "load_state_dict":
            if not _own_state(node.args[0] if node.args else None, ctx.scope):
                self.weights_replaced(func.value, env, self_name)
            return EMPTY
        instances = [f for f in base if isinstance(f, Instance)]
        if instances:
            if attr in MODEL_SAME:
                return frozenset(instances)
            results = [self.call_instance(ctx, inst, attr, args, kwargs) for inst in instances]
            if all(r is None for r in results):
                return None  # not a method: an attribute called (wrapper.encoder(x)), read below
            out = EMPTY
            for r in results:
                out = _merge(out, r or EMPTY)
            return out
        models = [f for f in base if isinstance(f, Model)]
        if models:
            if attr in MODEL_SAME:
                return frozenset(models)
            if attr in FEED_METHODS or attr == "__call__":
                self.feed(ctx, node, models, args, kwargs)
                return EMPTY
            if attr == "children" and not node.args:
                return frozenset(Layers(m.refs) for m in models)
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
        if attr in ("append", "extend") and args and not any(isinstance(f, Pipeline) for f in base):
            # imgs.append(tf(img)) ... torch.stack(imgs): the list holds the data
            key = _key(func.value, self_name)
            added = _element(args[-1]) if attr == "extend" else frozenset(f for f in args[-1] if isinstance(f, Data))
            if key is not None and added:
                env[key] = _merge(env.get(key, EMPTY), added)
            return EMPTY
        processors = [f for f in base if isinstance(f, Processor)]
        if processors and attr in ("__call__", "preprocess"):
            return frozenset({Data(official=True, processors=processors[0].refs)})
        if any(isinstance(f, (Pipeline, Official)) for f in base) and attr == "__call__":
            return self.apply(ctx, node, base, args, kwargs)
        data = [f for f in base if isinstance(f, Data)]
        if data:
            if attr in DATA_SAME:
                return frozenset(data)  # x.to(device), x.unsqueeze(0), batch.float(): same values
            if attr in DATA_ARITH and len(node.args) == 1 and not node.keywords:
                step = self.arith_step(ctx, node, DATA_ARITH[attr], self.num(ctx, node.args[0], args[0]), args[0])
            elif attr == "resize" and (size := self.size(ctx, node.args[0] if node.args else None, cv2=True)) and len(size) == 2:
                # PIL ``img.resize((width, height), resample)``: the filter's default differs across Pillow versions
                given = arg(node, 1, "resample")
                interp = interpolation(ctx.owner.text.segment(given)) if given is not None else None
                step = PreprocessingStep("resize", self.locate(ctx, node), _step_text(ctx, node), size=size,
                                         interpolation=interp)
            else:  # x.clamp(...), img.resize(...), anything else: its effect on the values is not known here
                step = PreprocessingStep("opaque", self.locate(ctx, node), _step_text(ctx, node))
            return frozenset(_then(d, step) for d in data)
        nums = [f for f in base if isinstance(f, Num)]
        if nums and attr in NUMBER_METHODS:
            return frozenset(nums)
        return None

    def element(self, ctx: _Ctx, items: frozenset) -> frozenset:
        """What iterating (or indexing) yields: data stays data (a loader yields batches); a project dataset object
        yields what its ``__getitem__`` returns (the samples after the transform it builds itself)."""
        out = _element(items)
        for f in items:
            if isinstance(f, Instance):
                got = self.call_instance(ctx, f, "__getitem__", [EMPTY], {})
                out = _merge(out, _element(got or EMPTY))
        return out

    def weights_replaced(self, target: ast.AST, env: dict[str, frozenset], self_name: str | None) -> None:
        """``model.load_state_dict(...)`` (or ``model.backbone.load_state_dict``): the weights are the project's own
        from here on, so neither the pretrained config nor "untrained" describes that model."""
        node = target
        while True:
            key = _key(node, self_name)
            if key is not None and key in env:
                self.mark_replaced(env[key], 0)
                env[key] = frozenset(f for f in env[key] if not isinstance(f, (Model, Untrained, Instance)))
                return
            if not isinstance(node, (ast.Attribute, ast.Subscript)):
                return
            node = node.value

    def mark_replaced(self, facts: frozenset, depth: int) -> None:
        for f in facts:
            if isinstance(f, Model):
                self.replaced.update(r.location for r in f.refs)
            elif isinstance(f, Untrained):
                self.replaced.add(f.location)
            elif isinstance(f, Instance) and depth < MAX_CALL_DEPTH:
                for inner in self.class_envs.get(f.cls, {}).values():
                    self.mark_replaced(inner, depth + 1)

    def call_instance(self, ctx: _Ctx, inst: Instance, name: str, args: list[frozenset],
                      kwargs: dict[str, frozenset]) -> frozenset | None:
        """A method of a wrapper object (``wrapper(x)`` runs ``forward``), with the class's attributes."""
        owner, cls = self.classes[inst.cls]
        if name == "__call__" and "__call__" not in cls.bindings:
            name = "forward"  # nn.Module.__call__ runs forward
        bindings = cls.bindings.get(name)
        method = bindings[-1].inner if bindings else None
        if method is None or method.kind != "function":
            return None
        return self.summarize(ctx, owner, method, args, kwargs, self.class_attrs(owner, cls), method=True)

    def apply(self, ctx: _Ctx, node: ast.Call, callee: frozenset, args: list[frozenset], kwargs: dict[str, frozenset]) -> frozenset | None:
        """Calling a value: a model is fed, a pipeline/official transform/processor is applied to the data."""
        models = [f for f in callee if isinstance(f, Model)]
        if models:
            self.feed(ctx, node, models, args, kwargs)
            return EMPTY
        instances = [f for f in callee if isinstance(f, Instance)]
        if instances:
            out = EMPTY
            for inst in instances:
                out = _merge(out, self.call_instance(ctx, inst, "__call__", args, kwargs) or EMPTY)
            return out
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
        """``ImageFolder(root, transform=T)``, ``MyDataset(files, transform=T)``, ``MyDataset(files, T)`` (a project
        class whose __init__ names that parameter ``transform``): every sample goes through T."""
        if args and not kwargs.keys() & TRANSFORM_KEYWORDS and any(any(isinstance(f, (Pipeline, Official, Processor)) for f in a) for a in args):
            kwargs = {**kwargs, **self.positional_transform(ctx, node, args)}
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

    def positional_transform(self, ctx: _Ctx, node: ast.Call, args: list[frozenset]) -> dict[str, frozenset]:
        if id(node) not in self.targets:
            self.targets[id(node)] = _call_target(ctx, node.func, node.lineno)
        target = self.targets[id(node)]
        if target is None or target[2] is not True or any(isinstance(a, ast.Starred) for a in node.args):
            return {}
        fnode = target[1].node
        positional = [a.arg for a in (*fnode.args.posonlyargs, *fnode.args.args)][1:]
        return {name: facts for name, facts in zip(positional, args) if name in TRANSFORM_KEYWORDS}

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
            names = {r.name for r in model.refs}
            for ref in model.refs:
                for data in inputs:
                    if data.official:
                        if any(p.name in names for p in data.processors):
                            continue  # one id expression with several candidate values feeds both: not another id
                        for proc in data.processors:
                            if ref.loader in ("huggingface", "file") and proc.name and proc.name != ref.name:
                                obs = HygieneObservation("processor", location, model=ref, processor=proc,
                                                         scope=ctx.owner.scope_label)
                                self.found[("processor", location, ref, proc)] = obs
                        continue
                    if all(s.op == "unknown" for s in data.steps):
                        continue  # nothing known was applied (or only calls not followed): nothing to compare
                    complete = (data.source or any(s.op == "to-tensor" for s in data.steps)) and not data.opaque \
                        and not any(s.op in ("opaque", "unknown") for s in data.steps)
                    obs = HygieneObservation("preprocessing", location, model=ref, steps=data.steps, complete=complete,
                                             scope=ctx.owner.scope_label)
                    self.found[("preprocessing", location, ref, data.steps)] = obs

    def project_call(self, ctx: _Ctx, node: ast.Call, args: list[frozenset], kwargs: dict[str, frozenset]) -> frozenset | None:
        """A call of a project function: its body with the arguments' facts bound to its parameters; the facts of
        what it returns (memoized per function and argument facts; MAX_CALL_DEPTH deep)."""
        if ctx.depth >= MAX_CALL_DEPTH:
            return None
        if id(node) not in self.targets:  # the same call is met again in branches, class passes and summaries
            self.targets[id(node)] = _call_target(ctx, node.func, node.lineno)
        target = self.targets[id(node)]
        if target is None:
            return None
        owner, fscope, kind = target
        if kind is True:  # a class: an object that keeps a pretrained model is followed into its methods
            cls = fscope.parent
            if not self.may_hold(owner, cls):
                return None
            attrs = self.class_attrs(owner, cls)
            facts = [f for fs in attrs.values() for f in fs]
            # A wrapper that keeps a model, or a dataset that builds its own transform (read through __getitem__).
            if any(isinstance(f, (Model, Instance)) for f in facts) or (
                    "__getitem__" in cls.bindings and any(isinstance(f, (Pipeline, Official, Processor)) for f in facts)):
                self.classes[id(cls)] = (owner, cls)
                return frozenset({Instance(id(cls))})
            return None
        # A method called on self sees the caller's self attributes (the model and transform stored in __init__).
        selfs = {k: v for k, v in ctx.env.items() if v and k.startswith("self.")} if kind == "method" else {}
        return self.summarize(ctx, owner, fscope, args, kwargs, selfs, method=kind == "method")

    def summarize(self, ctx: _Ctx, owner, fscope, args: list[frozenset], kwargs: dict[str, frozenset],
                  selfs: dict[str, frozenset], *, method: bool) -> frozenset | None:
        """A project function's (or method's) body with the arguments bound; the facts of what it returns."""
        if ctx.depth >= MAX_CALL_DEPTH:
            return None
        fnode = fscope.node
        if not isinstance(fnode, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return None
        if not any(args) and not any(kwargs.values()) and not _returns_value(fnode) and not selfs:
            return None  # nothing goes in and nothing comes out (``main()``): its own analysis covers its body
        params = [a.arg for a in (*fnode.args.posonlyargs, *fnode.args.args, *fnode.args.kwonlyargs)]
        bound: dict[str, frozenset] = {}
        positional = [a.arg for a in (*fnode.args.posonlyargs, *fnode.args.args)]
        if method and fscope.self_name:
            positional = positional[1:]  # ``self.helper(x)``: x is the parameter after self
        else:
            selfs = {}
        for name, facts in zip(positional, args):
            bound[name] = facts
        for name, facts in kwargs.items():
            if name in params:
                bound[name] = facts
        signature = (id(fscope), ctx.emit, tuple(sorted((k, v) for k, v in bound.items() if v)), tuple(sorted(selfs.items())))
        if signature in self.summaries:
            return self.summaries[signature]
        if id(fscope) in self.active or len(self.summaries) >= MAX_SUMMARIES:
            return None
        self.summaries[signature] = EMPTY
        self.active.add(id(fscope))
        try:
            env = {**self.function_env(self.module_env(owner), fscope), **selfs, **{k: v for k, v in bound.items() if v}}
            inner = _Ctx(owner, fscope, ctx.depth + 1, emit=ctx.emit)
            self.region(inner, fnode.body, env, fscope.self_name if method else None)
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

    def untrained_build(self, ctx: _Ctx, node: ast.Call, qual: str) -> Untrained | None:
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
            return Untrained("torchvision", short, self.locate(ctx, node))
        if qual.startswith("timm.") and short == "create_model":
            name = _literal_string(node.args[0], ctx.scope) if node.args else None
            if name is None or ":" in name:
                return None
            pretrained = node.args[1] if len(node.args) > 1 else keywords.get("pretrained")
            if (pretrained is not None and not _is_none_or_false(pretrained)) or "checkpoint_path" in keywords \
                    or "pretrained_cfg_overlay" in keywords:
                return None
            return Untrained("timm", name, self.locate(ctx, node))
        return None

    def untrained_findings(self) -> None:
        """Untrained builds in training code with fine-tuning evidence: a replaced head, or the file's own words."""
        if not self.trains:
            return
        text = "\n".join(self.module.text.lines)
        match = _FINE_TUNE_WORDS.search(text)
        for location, fact in self.untrained.items():
            if location in self.replaced or location in self.optional:
                continue  # given a checkpoint, or the pretrained build is the other branch: from scratch on purpose
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
        return [o for o in self.found.values()
                if (o.model.location if o.model is not None else o.location) not in self.replaced]

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


_WORD = re.compile(r"[A-Za-z_]\w*")
# Words of a dataset class that builds its own transform (may_hold).
_TRANSFORM_WORDS = frozenset({"transforms", "Compose", "albumentations", "Normalize", "ToTensor", "Resize", "preprocess",
                              "T", "A", "v2", "Processor", "processor", "image_processor", "feature_extractor"})
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
    if len(merged) <= MAX_FACTS:
        return merged
    # Over the cap: keep a subset that does not depend on hash order (reports must be byte-identical run to run).
    return frozenset(sorted(merged, key=repr)[:MAX_FACTS])


def _step_text(ctx: _Ctx, node: ast.AST) -> str:
    """A step's code as one line (reports quote it; a Normalize spread over lines stays one table cell)."""
    return " ".join(ctx.owner.text.segment(node).split())[:200]


def _names_models(func: ast.AST) -> bool:
    """``models.resnet50``, ``torchvision.models.vgg16``, ``tv_models.x``: a name or attribute along the callee
    mentions models (read from the AST: no source text is sliced for every call of the module)."""
    node = func
    while isinstance(node, ast.Attribute):
        node = node.value
        if isinstance(node, ast.Attribute) and "models" in node.attr:
            return True
    return isinstance(node, ast.Name) and "models" in node.id


def _builtin(func: ast.AST, scope) -> str | None:
    """``list``/``enumerate``/``zip``... not rebound in the code: the builtin (the evaluator names library names only)."""
    if isinstance(func, ast.Name) and func.id in _BUILTINS and not any(func.id in s.bindings or func.id in s.params for s in scope.chain()):
        return func.id
    return None


_BUILTINS = frozenset({"enumerate", "zip", "iter", "next", "list", "tuple", "sorted", "reversed"})


def _methods(cls) -> list:
    methods = [b.inner for bs in cls.bindings.values() for b in bs
               if b.inner is not None and b.inner.kind == "function" and isinstance(b.inner.node, (ast.FunctionDef, ast.AsyncFunctionDef))]
    return sorted(methods, key=lambda s: s.node.lineno)


def _own_state(node: ast.AST | None, scope, depth: int = 0) -> bool:
    """Whether ``load_state_dict``'s argument is the model's own state saved earlier in the run
    (``best = copy.deepcopy(model.state_dict())``): then the weights are still the fine-tuned pretrained ones.
    Anything else (a checkpoint file, a value not followed) replaces them."""
    if node is None or depth > 3:
        return False
    if isinstance(node, ast.Call):
        func = node.func
        last = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
        if last == "state_dict":
            return True
        if last in ("deepcopy", "copy", "dict", "OrderedDict") and len(node.args) == 1:
            return _own_state(node.args[0], scope, depth + 1)
        return False
    if isinstance(node, ast.Name):
        for s in scope.chain():
            bindings = s.bindings.get(node.id)
            if bindings:
                return all(b.kind == "value" and _own_state(b.node, scope, depth + 1) for b in bindings)
    return False


def _call_target(ctx: _Ctx, func: ast.AST, line: int) -> tuple | None:
    """(module, function scope, kind) for a project callee: kind False for a function or staticmethod, True for a
    class (its __init__), "method" for ``self.helper(...)``. Classmethods and other methods the evaluator resolves
    (its 4-tuples carry the bound self/cls value) are not followed here, except a method of self."""
    target = ctx.owner.resolve_function(func, ctx.scope, line)
    if target is None:
        return _own_method(ctx, func)
    owner, scope, skip_self, self_value = (*target, None)[:4]
    if skip_self is True and self_value is not None:
        return _own_method(ctx, func)
    return owner, scope, skip_self


def _own_method(ctx: _Ctx, func: ast.AST) -> tuple | None:
    """``self.helper(...)`` inside a method: (module, the class's ``helper`` scope, "method"); the evaluator resolves
    only module-level names."""
    if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and ctx.self_name
            and func.value.id == ctx.self_name):
        return None
    scope = ctx.scope
    while scope is not None and scope.kind != "class":
        scope = scope.parent
    bindings = scope.bindings.get(func.attr) if scope is not None else None
    inner = bindings[-1].inner if bindings else None
    if inner is None or inner.kind != "function":
        return None
    return ctx.owner, inner, "method"


def _from_first(index: ast.AST) -> bool:
    """A slice that keeps the first element (``[:-1]``, ``[0:8]``): the layers still start at the model's input."""
    return (isinstance(index, ast.Slice) and index.step is None
            and (index.lower is None or (isinstance(index.lower, ast.Constant) and index.lower.value == 0)))


def _one_num(facts: frozenset) -> Num | None:
    """The numbers a value holds; unknown (an empty Num) when branches leave several different ones in it, since
    which of them runs is not known here (``mean = CIFAR10_MEAN if ... else CIFAR100_MEAN``)."""
    nums = [f for f in facts if isinstance(f, Num)]
    if len(nums) > 1:
        return Num()
    return nums[0] if nums else None


def _element(items: frozenset) -> frozenset:
    """What iterating yields: data stays data (a loader yields batches), nothing else is followed."""
    return frozenset(f for f in items if isinstance(f, Data))


def _data(data: Data, *, steps: tuple[PreprocessingStep, ...] | None = None, source: bool | None = None,
          opaque: bool | None = None) -> Data:
    """``dataclasses.replace`` for Data, without its per-call field introspection (this runs at every step)."""
    return Data(data.steps if steps is None else steps, data.official, data.processors,
                data.source if source is None else source, data.opaque if opaque is None else opaque)


def _then(data: Data, step: PreprocessingStep, *, opaque: bool | None = None) -> Data:
    if len(data.steps) >= MAX_STEPS:
        return _data(data, opaque=True)
    return _data(data, steps=(*data.steps, step), opaque=opaque)


def _apply_pipeline(data: Data, pipeline: Pipeline) -> Data:
    steps = pipeline.steps
    if any(s.op == "official" for s in steps):
        return Data(official=True, source=data.source)
    source = data.source or any(s.op == "to-tensor" for s in steps)
    return _data(data, steps=(*data.steps, *steps)[:MAX_STEPS], source=source)


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


