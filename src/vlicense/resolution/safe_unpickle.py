"""Read a pickle without importing or calling anything from it: every global becomes an inert stub, recorded."""

from __future__ import annotations

import _compat_pickle
import copyreg
import io
import pickle
import pickletools
import re
from dataclasses import dataclass, field
from typing import Any, Literal, Self

from vlicense.bounded import Budget, OverLimit

# A data.pkl holds the object tree only (tensor bytes live elsewhere), so real checkpoints stay far below this.
MAX_PICKLE_BYTES = 64 * 1024 * 1024
# Checked by an opcode pass before the real (C) unpickler runs. A YOLO11x checkpoint's data.pkl holds about 100,000
# opcodes, nests about 20 deep and memoizes fewer objects than it has opcodes; each cap is far above real files
# and far below what would cost seconds or gigabytes (one 10-byte LONG_BINPUT makes CPython allocate the memo
# table up to the index it names: 2**31 entries = 16 GB).
MAX_PICKLE_OPCODES = 2_000_000
MAX_MEMO_INDEX = 1_000_000
MAX_NESTING = 10_000
MAX_GLOBALS = 10_000
# Limits for turning the stub tree into plain data (hostile pickles can nest deeply or share huge lists).
MAX_DEPTH = 64
MAX_ITEMS = 10_000
MAX_TEXT = 1_000

GlobalClass = Literal["safe", "dangerous", "unknown"]

# Modules whose callables run code, touch files, processes or the network: what torch.load would execute.
_DANGEROUS_MODULES = frozenset(
    {
        "os", "posix", "nt", "subprocess", "runpy", "importlib", "socket", "shutil", "pty", "webbrowser", "sys",
        "ctypes", "_ctypes", "multiprocessing", "code", "codeop", "pickle", "_pickle", "cpickle", "marshal", "dill",
        "cloudpickle", "joblib", "pip", "setuptools", "distutils", "timeit", "pdb", "bdb", "cprofile", "profile",
        "trace", "asyncio", "signal", "_thread", "thread", "threading", "requests", "urllib", "urllib2", "urllib3",
        "http", "httplib", "ftplib", "smtplib", "telnetlib", "commands", "popen2", "platform", "pydoc", "tarfile",
        "zipimport", "pkgutil", "imp", "site", "sqlite3", "tempfile", "ssl", "mmap", "resource", "types",
        "_posixsubprocess", "_winapi", "winreg", "_winreg", "msvcrt", "venv", "ensurepip", "cgi", "xmlrpc",
        "socketserver", "smtpd", "asynchat", "asyncore", "operator", "_operator", "zipfile", "gzip", "bz2", "lzma", "fileinput", "linecache",
    }
)
# Names that execute code, load other pickles or fetch files (module-level functions and a few classes).
_DANGEROUS_NAMES = frozenset(
    {
        "builtins.exec", "builtins.eval", "builtins.compile", "builtins.__import__", "builtins.getattr",
        "builtins.setattr", "builtins.delattr", "builtins.open", "builtins.input", "builtins.breakpoint",
        "builtins.globals", "builtins.locals", "builtins.vars", "builtins.exit", "builtins.quit", "builtins.help",
        "builtins.apply", "builtins.execfile", "builtins.file", "builtins.reload", "builtins.type",
        "io.open", "io.FileIO", "io.open_code", "_io.open", "_io.FileIO", "codecs.open", "functools.reduce",
        "torch.load", "torch.hub", "torch.jit.load", "torch.serialization.load", "torch.package",
        "torch._C._load_for_lite_interpreter", "torch.utils.cpp_extension", "torch.classes", "torch.ops",
        "numpy.load", "numpy.lib.npyio.load", "numpy.testing._private.utils.runstring", "numpy.fromfile",
        "numpy.ctypeslib", "pandas.read_pickle", "ultralytics.nn.autobackend.AutoBackend",
        "ultralytics.nn.tasks.attempt_load_weights", "ultralytics.nn.tasks.attempt_load_one_weight",
        "ultralytics.nn.tasks.torch_safe_load", "ultralytics.YOLO", "ultralytics.RTDETR", "ultralytics.SAM",
        "ultralytics.NAS", "ultralytics.FastSAM", "ultralytics.YOLOWorld", "ultralytics.YOLOE", "ultralytics.models",
        "ultralytics.engine",
    }
)
# Known ML classes (exact globals); classes under _SAFE_CLASS_PREFIXES count only when named like a class.
_SAFE_NAMES = frozenset(
    {
        "builtins.set", "builtins.frozenset", "builtins.slice", "builtins.complex", "builtins.bytearray",
        "builtins.range", "builtins.object", "builtins.tuple", "builtins.list", "builtins.dict", "builtins.int",
        "builtins.float", "builtins.str", "builtins.bytes", "builtins.bool",
        "copyreg._reconstructor", "copyreg.__newobj__", "copyreg.__newobj_ex__", "_codecs.encode", "codecs.encode",
        "argparse.Namespace", "types.SimpleNamespace", "typing.Any", "uuid.UUID",
        "collections.OrderedDict", "collections.defaultdict", "collections.deque", "collections.Counter",
        "torch.Size", "torch.device", "torch.dtype", "torch.Tensor", "torch.memory_format", "torch.layout",
        "torch.serialization._get_layout", "torch.nn.parameter.Parameter", "torch.nn.parameter.Buffer",
        "numpy.ndarray", "numpy.dtype", "numpy.core.multiarray._reconstruct", "numpy.core.multiarray.scalar",
        "numpy._core.multiarray._reconstruct", "numpy._core.multiarray.scalar",
        "ultralytics.utils.IterableSimpleNamespace", "ultralytics.cfg.IterableSimpleNamespace",
        "pytorch_lightning.utilities.parsing.AttributeDict", "lightning_fabric.utilities.data.AttributeDict",
        "lightning.fabric.utilities.data.AttributeDict", "lightning.pytorch.utilities.parsing.AttributeDict",
    }
)
_SAFE_CLASS_PREFIXES = (
    "torch.nn.modules.", "torch.nn.", "torch.ao.nn.", "torchvision.models.", "torchvision.ops.", "timm.layers.",
    "timm.models.", "ultralytics.nn.", "__torch__.", "omegaconf.", "transformers.models.", "transformers.configuration_",
    "transformers.training_args.", "transformers.trainer_utils.", "transformers.utils.", "peft.", "open_clip.",
    "segment_anything.modeling.", "datetime.", "pathlib.", "enum.", "decimal.", "fractions.", "numpy.dtypes.",
)
_CLASS_NAME = re.compile(r"^[A-Z][A-Za-z0-9_]*$")
_TORCH_REBUILD = re.compile(r"^torch\._(?:utils|tensor)\._rebuild_[a-z0-9_]+$")
# torch dtypes, layouts and storage / legacy tensor types are pickled as plain attributes of the torch module.
_TORCH_TYPES = re.compile(
    r"^torch\.(?:[A-Z][A-Za-z]*Storage|[A-Z][A-Za-z]*Tensor|(?:u?int|float|complex|q?u?int)(?:8|16|32|64|128)"
    r"|bfloat16|half|double|long|short|bool|cfloat|cdouble|float8_[a-z0-9]+|strided|sparse_coo|sparse_csr"
    r"|channels_last(?:_3d)?|contiguous_format|preserve_format)$"
)
_NUMPY_SCALAR = re.compile(
    r"^numpy\.(?:u?int\d*|float\d*|complex\d*|bool_?|str_|bytes_|object_|longlong|ulonglong|half|single|double"
    r"|intc|uintc|longdouble|datetime64|timedelta64)$"
)
# Attribute chains (protocol 4 qualnames) that reach methods which write, delete, fetch or execute.
_DANGEROUS_ATTRS = frozenset(
    {
        "system", "popen", "exec", "eval", "run", "call", "check_call", "check_output", "load", "loads", "open",
        "write_text", "write_bytes", "unlink", "rmdir", "touch", "rename", "replace", "chmod", "symlink_to",
        "hardlink_to", "mkdir", "remove", "rmtree", "spawn", "fork", "kill", "read_text", "read_bytes",
        "from_pretrained", "load_state_dict", "download", "urlopen",
    }
)
_PY2_MODULES = {"__builtin__": "builtins", "__builtins__": "builtins", "copy_reg": "copyreg", "cPickle": "pickle"}


def python3_name(module: str, name: str) -> tuple[str, str]:
    """The name the real unpickler would import: protocol 0-2 pickles may use Python 2 names (fix_imports)."""
    if (module, name) in _compat_pickle.NAME_MAPPING:
        return _compat_pickle.NAME_MAPPING[(module, name)]
    return _compat_pickle.IMPORT_MAPPING.get(module, module), name


def classify_global(module: str, name: str) -> GlobalClass:
    """Whether loading ``module.name`` for real would be dangerous, a known ML class, or unknown.

    "safe" means only "a class ML checkpoints are known to reference"; nothing is ever imported either way.
    """
    module = _PY2_MODULES.get(module, module)
    full = f"{module}.{name}"
    attrs = name.split(".")
    if any(full == n or full.startswith(n + ".") for n in _DANGEROUS_NAMES):
        return "dangerous"
    if full in _SAFE_NAMES:
        return "safe"
    if any(part.lower() in _DANGEROUS_MODULES for part in module.split(".")):
        return "dangerous"
    if any(a.lower() in _DANGEROUS_MODULES for a in attrs):
        return "dangerous"  # torch.os, ultralytics.utils.subprocess: a module object reached through a safe one
    if any(a.startswith("__") and a not in ("__newobj__", "__newobj_ex__") for a in attrs):
        return "dangerous"  # dunder traversal (str.__class__.__subclasses__ ...) is how sandbox escapes start
    if len(attrs) > 1 and any(a in _DANGEROUS_ATTRS for a in attrs[1:]):
        return "dangerous"  # pathlib.Path.write_text, a Model.from_pretrained
    if len(attrs) == 1 and (
        _TORCH_REBUILD.match(full)
        or _TORCH_TYPES.match(full)
        or _NUMPY_SCALAR.match(full)
        or ((module + ".").startswith(_SAFE_CLASS_PREFIXES) and _CLASS_NAME.match(name))
    ):
        return "safe"
    return "unknown"


class Stub:
    """An inert instance of a class the pickle named: records constructor args, state, items. Never runs code."""

    __stub_module__ = ""
    __stub_name__ = ""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.stub_args = args
        self.stub_kwargs = kwargs
        self.stub_state: Any = None
        self.stub_items: dict[Any, Any] = {}
        self.stub_list: list[Any] = []

    # NEWOBJ calls cls.__new__(cls, *args) and skips __init__, so the fields are set here too.
    def __new__(cls, *args: Any, **kwargs: Any) -> Self:
        instance = object.__new__(cls)
        instance.stub_args = args
        instance.stub_kwargs = kwargs
        instance.stub_state = None
        instance.stub_items = {}
        instance.stub_list = []
        return instance

    def __setstate__(self, state: Any) -> None:
        self.stub_state = state

    def __setitem__(self, key: Any, value: Any) -> None:
        if len(self.stub_items) < MAX_ITEMS:
            self.stub_items[key] = value

    def append(self, value: Any) -> None:
        if len(self.stub_list) < MAX_ITEMS:
            self.stub_list.append(value)

    def extend(self, values: Any) -> None:
        for value in values:
            self.append(value)

    def add(self, value: Any) -> None:
        self.append(value)

    @property
    def stub_global(self) -> str:
        return f"{type(self).__stub_module__}.{type(self).__stub_name__}"

    def __repr__(self) -> str:
        return f"<stub {self.stub_global}>"


@dataclass(frozen=True)
class PersistentRef:
    """What ``persistent_load`` returns: the id (a tensor storage reference), never the data."""

    pid: Any


@dataclass
class UnpickleResult:
    """The stub tree of one pickle plus every global it references, classified."""

    value: Any = None
    globals: list[str] = field(default_factory=list)
    dangerous: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    error: str | None = None
    consumed: int = 0  # bytes of the stream this pickle used (torch's legacy format stacks several pickles)


class _StubUnpickler(pickle.Unpickler):
    """pickle.Unpickler whose find_class never imports: it hands back a fresh inert Stub subclass per global."""

    def __init__(self, file: io.BytesIO, seen: dict[str, GlobalClass]) -> None:
        super().__init__(file, encoding="utf-8", errors="replace")
        self._stubs: dict[tuple[str, str], type] = {}
        self._seen = seen

    def find_class(self, module: str, name: str) -> type:
        module, name = python3_name(str(module)[:MAX_TEXT], str(name)[:MAX_TEXT])
        key = (module, name)
        if key not in self._stubs:
            self._seen.setdefault(f"{module}.{name}", classify_global(module, name))
            self._stubs[key] = type("Stub", (Stub,), {"__stub_module__": module, "__stub_name__": name})
        return self._stubs[key]

    def persistent_load(self, pid: Any) -> PersistentRef:
        return PersistentRef(pid)


def safe_loads(data: bytes) -> UnpickleResult:
    """Unpickle the first pickle in ``data`` into stubs; never raises (errors land in ``error``)."""
    return safe_load(io.BytesIO(data))


def safe_load(stream: io.BytesIO) -> UnpickleResult:
    """Unpickle one pickle from an in-memory stream (at its current position) into stubs; never raises.

    The stream is left just after the pickle's STOP, so torch's legacy format (several pickles in a row) can be
    read by calling this again. Callers bound the bytes they put in the stream; an opcode pass (prescan) bounds
    the work inside them before the unpickler runs, and names every global even when it refuses the pickle.
    """
    seen: dict[str, GlobalClass] = {}
    result = UnpickleResult()
    start = stream.tell()
    if copyreg._inverted_registry or copyreg._extension_cache:  # type: ignore[attr-defined]
        # EXT opcodes would resolve through this process's registry, bypassing find_class: refuse outright.
        result.error = "copyreg extension registry is in use in this process; refusing to unpickle"
        return result
    scan = prescan(stream.getvalue(), start)  # the stream's own bytes when it wraps a bytes object (no copy)
    if scan.over_limit:
        result.error = scan.over_limit
        seen.update(scan.globals)
        _classify_into(result, seen)
        return result
    try:
        result.value = _StubUnpickler(stream, seen).load()
    except RecursionError:
        result.error = "pickle nests too deeply"
    except MemoryError:
        result.error = "pickle too large to read"
    except Exception as exc:  # noqa: BLE001 - hostile input: any failure is a finding, never a crash
        result.error = f"not a readable pickle ({type(exc).__name__}: {str(exc)[:200]})"
    result.consumed = stream.tell() - start
    if result.error:
        # The real unpickler stopped at or before the byte where the prescan stopped: report every global it names.
        for full, kind in scan.globals.items():
            seen.setdefault(full, kind)
    _classify_into(result, seen)
    return result


def _classify_into(result: UnpickleResult, seen: dict[str, GlobalClass]) -> None:
    result.globals = sorted(seen)
    result.dangerous = sorted(g for g, kind in seen.items() if kind == "dangerous")
    result.unknown = sorted(g for g, kind in seen.items() if kind == "unknown")


def scan_globals(data: bytes) -> dict[str, GlobalClass]:
    """Every global a pickle stream names (GLOBAL/INST and STACK_GLOBAL), by walking opcodes; best effort."""
    return prescan(data, 0).globals


@dataclass
class Prescan:
    """What one opcode pass over a pickle found: its globals, and the limit it breaks (None when within all)."""

    globals: dict[str, GlobalClass] = field(default_factory=dict)
    over_limit: str | None = None


# Per opcode byte: how its argument is laid out (SIZE: >= 0 a fixed size; _LINE one text line; _LINES2 two lines;
# _LEN1/_LEN4/_LEN8 a length prefix of that width; _BAD not an opcode) and what the prescan does with it (ACTION).
_LINE, _LINES2, _LEN1, _LEN4, _LEN8, _BAD = -1, -2, -3, -4, -5, -6
_WIDTH = {_LEN1: 1, _LEN4: 4, _LEN8: 8}
_NOTHING, _STRING, _MARK_OP, _POP_MARK, _PUT, _GET, _BINGET, _GLOBAL, _STACK_GLOBAL, _STOP = range(10)


def _opcode_tables() -> tuple[list[int], list[int]]:
    size, action = [_BAD] * 256, [_NOTHING] * 256
    for op in pickletools.opcodes:
        code, n = ord(op.code), (op.arg.n if op.arg is not None else 0)
        if op.name in ("GLOBAL", "INST"):
            size[code] = _LINES2
        elif n == pickletools.UP_TO_NEWLINE:
            size[code] = _LINE
        elif n == pickletools.TAKEN_FROM_ARGUMENT1:
            size[code] = _LEN1
        elif n in (pickletools.TAKEN_FROM_ARGUMENT4, pickletools.TAKEN_FROM_ARGUMENT4U):
            size[code] = _LEN4
        elif n == pickletools.TAKEN_FROM_ARGUMENT8U:
            size[code] = _LEN8
        else:
            size[code] = n
    groups = {
        _STRING: b"\x8cXVSTU\x8d",  # the str opcodes STACK_GLOBAL takes module and name from
        _MARK_OP: b"(",
        _POP_MARK: b"eutldio1\x90\x91",  # APPENDS SETITEMS TUPLE LIST DICT INST OBJ POP_MARK ADDITEMS FROZENSET
        _PUT: b"pqr\x94",  # PUT BINPUT LONG_BINPUT MEMOIZE: with BINGET, half the opcodes of a checkpoint
        _GET: b"gj",
        _BINGET: b"h",
        _GLOBAL: b"ci",
        _STACK_GLOBAL: b"\x93",
        _STOP: b".",
    }
    for act, codes in groups.items():
        for code in codes:
            action[code] = act
    return size, action


_SIZE, _ACTION = _opcode_tables()
# Longest newline-terminated argument looked at (module and attribute names, decimal numbers).
MAX_LINE = 64 * 1024


def prescan(data: bytes, start: int = 0) -> Prescan:
    """Walk a pickle's opcodes from ``start`` to its STOP without building anything; never raises.

    Counts opcodes, MARK nesting, memo indices, distinct globals and declared value lengths against the caps
    above, and records every global (GLOBAL/INST, and STACK_GLOBAL from the strings before it, through the
    memo). Malformed input (a bad opcode, a cut-off value) ends the pass quietly: the real unpickler stops
    there too, and reports it in its own words. About 0.3 us per opcode: about what the unpickling itself costs.
    """
    out = Prescan()
    sizes, actions = _SIZE, _ACTION
    end = len(data)
    pos = start
    ops = nesting = memo_len = 0
    strings: list[str] = ["", ""]  # the last two strings pushed (STACK_GLOBAL takes module and name from them)
    memo: dict[int, str] = {}
    last_string = False
    next_check = 0x10000
    budget = Budget("pickle")
    while pos < end:
        code = data[pos]
        size = sizes[code]
        ops += 1
        if ops >= next_check:
            next_check += 0x10000
            out.over_limit = _over_work(ops, budget)
            if out.over_limit:
                return out
        arg = pos + 1
        if size >= 0:
            pos = arg + size
            action = actions[code]
            if action == _NOTHING:
                last_string = False
                continue
        elif size == _BAD:
            return out
        elif size >= _LINES2:  # _LINE or _LINES2
            pos = data.find(b"\n", arg, arg + MAX_LINE) + 1
            if size == _LINES2 and pos:
                pos = data.find(b"\n", pos, pos + MAX_LINE) + 1
            if not pos:
                return out
            action = actions[code]
        else:
            width = _WIDTH[size]
            length = int.from_bytes(data[arg : arg + width], "little", signed=size == _LEN4)
            arg += width
            if length > MAX_PICKLE_BYTES:
                out.over_limit = f"pickle declares a value of {length:,} bytes (limit {MAX_PICKLE_BYTES:,})"
                return out
            if length < 0:
                return out
            pos = arg + length
            action = actions[code]
        if pos > end:
            return out
        if action == _BINGET:  # the most frequent opcodes of a checkpoint: kept short
            value = memo.get(data[arg]) if memo else None
            if value is not None:
                strings[0], strings[1] = strings[1], value
                last_string = True
            else:
                last_string = False
            continue
        if action == _PUT:  # the value stays on the stack: still the last one pushed
            if code == 0x71:  # BINPUT: a one-byte index
                index = data[arg]
            elif code == 0x94:  # MEMOIZE: the next free index
                index = memo_len
            else:
                index = _memo_index(code, data[arg:pos])
                if index > MAX_MEMO_INDEX:
                    out.over_limit = f"pickle memo index {index:,} over the limit ({MAX_MEMO_INDEX:,})"
                    return out
            if last_string:
                memo[index] = strings[1]
            memo_len += 1
            continue
        if action == _STRING:
            raw = data[arg:pos] if pos - arg <= MAX_TEXT else b""
            strings[0], strings[1] = strings[1], (_line_string(raw) if size == _LINE else raw.decode("utf-8", "replace"))
            last_string = True
            continue
        if action == _GET:
            value = memo.get(_memo_index(code, data[arg:pos]))
            if value is not None:
                strings[0], strings[1] = strings[1], value
                last_string = True
                continue
        elif action == _MARK_OP:
            nesting += 1
            if nesting > MAX_NESTING:
                out.over_limit = f"pickle nests deeper than {MAX_NESTING:,} levels"
                return out
        elif action == _POP_MARK:
            nesting = max(nesting - 1, 0)
        elif action == _GLOBAL or action == _STACK_GLOBAL:
            if action == _GLOBAL:
                module, _, name = data[arg:pos].decode("utf-8", "replace").rstrip("\n").partition("\n")
            else:
                module, name = strings
            if not _record_global(out.globals, module, name):
                out.over_limit = f"pickle names more than {MAX_GLOBALS:,} distinct globals"
                return out
        elif action == _STOP:
            return out
        last_string = False
    return out


def _over_work(ops: int, budget: Budget) -> str | None:
    if ops > MAX_PICKLE_OPCODES:
        return f"pickle with more than {MAX_PICKLE_OPCODES:,} opcodes"
    try:
        budget.check()
    except OverLimit as exc:
        return str(exc)
    return None


def _memo_index(code: int, raw: bytes) -> int:
    """The memo index of a PUT/GET argument: decimal text (protocol 0) or a little-endian integer."""
    if code in b"pg":
        text = raw.strip()
        return int(text) if text.isdigit() and len(text) < 12 else MAX_MEMO_INDEX + 1
    return int.from_bytes(raw, "little")


def _line_string(raw: bytes) -> str:
    """The text of a protocol-0 string argument (``V`` raw-unicode-escape, ``S`` a quoted repr), best effort."""
    text = raw.rstrip(b"\n").decode("utf-8", "replace")
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" else text


def _record_global(found: dict[str, GlobalClass], module: str, name: str) -> bool:
    module, name = python3_name(module[:MAX_TEXT], name[:MAX_TEXT])
    full = f"{module}.{name}"
    if full not in found:
        if len(found) >= MAX_GLOBALS:
            return False
        found[full] = classify_global(module, name)
    return True


# ------------------------------------------------------------------------------------------ plain data


def plain(value: Any, depth: int = 0, _budget: list[int] | None = None) -> Any:
    """The stub tree as plain dicts/lists/strings (bounded), for reading metadata; never calls stub code."""
    budget = _budget if _budget is not None else [MAX_ITEMS]
    if depth > MAX_DEPTH or budget[0] <= 0:
        return "<truncated>"
    budget[0] -= 1
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        return value[:MAX_TEXT]
    if isinstance(value, (bytes, bytearray)):
        return f"<{len(value)} bytes>"
    if isinstance(value, dict):
        return {_key(k): plain(v, depth + 1, budget) for k, v in list(value.items())[:MAX_ITEMS]}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v, depth + 1, budget) for v in list(value)[:MAX_ITEMS]]
    if isinstance(value, PersistentRef):
        return "<tensor storage>"
    if isinstance(value, Stub):
        return _plain_stub(value, depth, budget)
    if isinstance(value, type) and issubclass(value, Stub):
        return f"<global {value.__stub_module__}.{value.__stub_name__}>"
    return f"<{type(value).__name__}>"


def _plain_stub(stub: Stub, depth: int, budget: list[int]) -> Any:
    full = stub.stub_global
    if full.startswith(("torch._utils._rebuild_", "torch._tensor._rebuild_")):
        return "<tensor>"
    if full in ("pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.Path", "pathlib.PurePosixPath",
                "pathlib.PureWindowsPath") and all(isinstance(a, str) for a in stub.stub_args):
        return "/".join(stub.stub_args)[:MAX_TEXT]
    if full in ("copyreg._reconstructor",) and stub.stub_args and isinstance(stub.stub_args[0], type):
        # An instance of a plain class pickled with protocol < 2: its state is the attribute dict.
        return _mapping(stub, depth, budget)
    if stub.stub_items or isinstance(_state_dict(stub), dict):
        return _mapping(stub, depth, budget)
    if stub.stub_list:
        return plain(stub.stub_list, depth + 1, budget)
    if stub.stub_args and not stub.stub_kwargs and stub.stub_state is None and len(stub.stub_args) == 1:
        return plain(stub.stub_args[0], depth + 1, budget)  # enum-like / wrapper reduces: Enum(value)
    return f"<{full}>"


def _state_dict(stub: Stub) -> Any:
    state = stub.stub_state
    if isinstance(state, tuple) and len(state) == 2:  # (dict state, slot state)
        merged: dict = {}
        for part in state:
            if isinstance(part, dict):
                merged.update(part)
        return merged
    return state


def _mapping(stub: Stub, depth: int, budget: list[int]) -> dict:
    out: dict[str, Any] = {}
    state = _state_dict(stub)
    if isinstance(state, dict):
        for k, v in list(state.items())[:MAX_ITEMS]:
            out[_key(k)] = plain(v, depth + 1, budget)
    for k, v in list(stub.stub_items.items())[:MAX_ITEMS]:
        out[_key(k)] = plain(v, depth + 1, budget)
    if isinstance(stub.stub_kwargs, dict):
        for k, v in stub.stub_kwargs.items():
            out.setdefault(_key(k), plain(v, depth + 1, budget))
    return out


def _key(key: Any) -> str:
    if isinstance(key, str):
        return key[:MAX_TEXT]
    if isinstance(key, (int, float, bool)) or key is None:
        return str(key)
    return f"<{type(key).__name__}>"


def top_keys(value: Any) -> dict[Any, Any]:
    """The top-level mapping of a checkpoint (a dict, or an OrderedDict/AttributeDict stub), else {}."""
    if isinstance(value, dict):
        return value
    if isinstance(value, Stub):
        items = dict(value.stub_items)
        state = _state_dict(value)
        if isinstance(state, dict):
            for k, v in state.items():
                items.setdefault(k, v)
        return items
    return {}


__all__ = [
    "MAX_PICKLE_BYTES",
    "PersistentRef",
    "Stub",
    "UnpickleResult",
    "classify_global",
    "plain",
    "safe_load",
    "safe_loads",
    "scan_globals",
    "top_keys",
]
