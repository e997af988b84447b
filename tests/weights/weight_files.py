"""Builders for real weight-file layouts (torch.save zip and legacy, safetensors, ONNX, GGUF) without torch or onnx."""

from __future__ import annotations

import collections
import contextlib
import io
import json
import os
import pickle
import struct
import sys
import types
import zipfile
from pathlib import Path

TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
ULTRALYTICS_STAMP = "AGPL-3.0 License (https://ultralytics.com/license)"


# ------------------------------------------------------------------------------- fake torch / ultralytics
# pickle records a class by module + qualname and checks it can import it back; these stand-ins live in
# sys.modules only while a file is being written, so the bytes are exactly what torch/ultralytics would write.


class _Storage:
    def __init__(self, key: str, numel: int) -> None:
        self.key, self.numel = key, numel


def _rebuild_tensor_v2(*args):  # pragma: no cover - never called: only referenced by the pickle
    raise AssertionError("a test pickle was loaded for real")


class FloatStorage:  # pragma: no cover - only its name is pickled
    pass


class DetectionModel:
    """Stands in for ultralytics.nn.tasks.DetectionModel (an nn.Module: attribute dict with _modules, tensors)."""


class Conv2d:
    pass


class _Tensor:
    def __init__(self, storage: _Storage, shape: tuple[int, ...]) -> None:
        self.storage, self.shape = storage, shape

    def __reduce_ex__(self, protocol):
        stride = tuple(int(x) for x in (self.shape[1:] + (1,)))
        return (_rebuild_tensor_v2, (self.storage, 0, self.shape, stride, False, collections.OrderedDict()))


@contextlib.contextmanager
def fake_ml_modules():
    """torch, torch._utils, ultralytics.nn.tasks and torch.nn.modules.conv as importable stand-ins."""
    modules = {}
    for name in ("torch", "torch._utils", "torch.nn", "torch.nn.modules", "torch.nn.modules.conv", "ultralytics",
                 "ultralytics.nn", "ultralytics.nn.tasks"):
        modules[name] = types.ModuleType(name)
    placements = [
        (FloatStorage, "torch", "FloatStorage"),
        (_rebuild_tensor_v2, "torch._utils", "_rebuild_tensor_v2"),
        (Conv2d, "torch.nn.modules.conv", "Conv2d"),
        (DetectionModel, "ultralytics.nn.tasks", "DetectionModel"),
    ]
    saved = {name: sys.modules.get(name) for name in modules}
    originals = [(obj, obj.__module__, obj.__qualname__) for obj, _, _ in placements]
    try:
        for obj, module, qualname in placements:
            obj.__module__, obj.__qualname__ = module, qualname
            setattr(modules[module], qualname, obj)
        sys.modules.update(modules)
        yield
    finally:
        for obj, module, qualname in originals:
            obj.__module__, obj.__qualname__ = module, qualname
        for name, previous in saved.items():
            if previous is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous


class _TorchPickler(pickle.Pickler):
    """torch.save's pickler: storages become persistent ids ('storage', type, key, location, numel)."""

    def persistent_id(self, obj):
        if isinstance(obj, _Storage):
            return ("storage", FloatStorage, obj.key, "cpu", obj.numel)
        return None


def tensor(key: str = "0", shape: tuple[int, ...] = (2, 2)) -> _Tensor:
    numel = 1
    for dim in shape:
        numel *= dim
    return _Tensor(_Storage(key, numel), shape)


def detection_model() -> DetectionModel:
    """A module tree shaped like a pickled nn.Module: _parameters/_buffers/_modules OrderedDicts."""
    conv = Conv2d()
    conv.__dict__.update(
        {"training": False, "_parameters": collections.OrderedDict(weight=tensor("1")), "_buffers": collections.OrderedDict(),
         "_modules": collections.OrderedDict(), "in_channels": 3, "out_channels": 16}
    )
    model = DetectionModel()
    model.__dict__.update(
        {"training": False, "_parameters": collections.OrderedDict(), "_modules": collections.OrderedDict(conv=conv),
         "yaml": {"nc": 80, "yaml_file": "yolov8n.yaml"}, "names": {0: "person"}}
    )
    return model


def torch_pickle(obj, protocol: int = 2) -> bytes:
    with fake_ml_modules():
        buffer = io.BytesIO()
        _TorchPickler(buffer, protocol=protocol).dump(obj)
        return buffer.getvalue()


def ultralytics_checkpoint(model: str | None = "yolov8n.pt", *, version: str = "8.1.0", pretrained=True,
                           license_text: str = ULTRALYTICS_STAMP) -> dict:
    """The dict Ultralytics' trainer saves (engine/trainer.py save_model, after strip_optimizer)."""
    train_args = {"task": "detect", "mode": "train", "data": "coco8.yaml", "epochs": 3, "pretrained": pretrained}
    if model is not None:
        train_args["model"] = model
    return {
        "date": "2024-01-01T00:00:00",
        "version": version,
        "license": license_text,
        "docs": "https://docs.ultralytics.com",
        "epoch": -1,
        "best_fitness": None,
        "model": detection_model(),
        "ema": None,
        "updates": None,
        "optimizer": None,
        "train_args": train_args,
        "train_metrics": {"metrics/mAP50(B)": 0.5},
        "train_results": None,
    }


def write_torch_zip(path: Path, obj, *, prefix: str | None = None, protocol: int = 2, raw_pickle: bytes | None = None,
                    extra: dict[str, bytes] | None = None) -> Path:
    """torch.save's zip layout (stored, not compressed): <prefix>/data.pkl, version, byteorder, data/<key>."""
    prefix = prefix or path.stem
    data = raw_pickle if raw_pickle is not None else torch_pickle(obj, protocol)
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        archive.writestr(f"{prefix}/data.pkl", data)
        archive.writestr(f"{prefix}/byteorder", "little")
        archive.writestr(f"{prefix}/data/0", b"\x00" * 16)
        archive.writestr(f"{prefix}/data/1", b"\x00" * 16)
        archive.writestr(f"{prefix}/version", "3\n")
        for name, content in (extra or {}).items():
            archive.writestr(f"{prefix}/{name}", content)
    return path


def write_legacy_torch(path: Path, obj, *, protocol: int = 2, tail: bytes = b"\x00" * 64) -> Path:
    """torch.save(_use_new_zipfile_serialization=False): magic, protocol, sys_info, object, storage keys, bytes."""
    with fake_ml_modules():
        buffer = io.BytesIO()
        pickle.dump(TORCH_LEGACY_MAGIC, buffer, protocol=protocol)
        pickle.dump(1001, buffer, protocol=protocol)
        pickle.dump({"protocol_version": 1001, "little_endian": True, "type_sizes": {"short": 2, "int": 4, "long": 4}},
                    buffer, protocol=protocol)
        _TorchPickler(buffer, protocol=protocol).dump(obj)
        pickle.dump(["0", "1"], buffer, protocol=protocol)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue() + tail)
    return path


# ------------------------------------------------------------------------------------------- payloads


class SystemCall:
    """Unpickling this runs ``os.system(command)``."""

    def __init__(self, command: str) -> None:
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class ExecCall:
    """Unpickling this runs ``exec(source)`` (builtins.exec)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def __reduce__(self):
        return (exec, (self.source,))


def touch_command(canary: Path) -> str:
    return f"{sys.executable!s} -c \"open({str(canary)!r}, 'w').write('pwned')\""


# --------------------------------------------------------------------------------------- other formats


def write_safetensors(path: Path, metadata: dict | None, *, tensors: int = 1) -> Path:
    header: dict = {f"t{i}": {"dtype": "F32", "shape": [2], "data_offsets": [8 * i, 8 * (i + 1)]} for i in range(tensors)}
    if metadata is not None:
        header["__metadata__"] = metadata
    raw = json.dumps(header).encode()
    raw += b" " * (-len(raw) % 8)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(struct.pack("<Q", len(raw)) + raw + b"\x00" * (8 * tensors))
    return path


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def pb_field(number: int, value: bytes | int | str) -> bytes:
    if isinstance(value, int):
        return _varint(number << 3) + _varint(value)
    data = value.encode() if isinstance(value, str) else value
    return _varint(number << 3 | 2) + _varint(len(data)) + data


def onnx_props(props: dict[str, str]) -> bytes:
    return b"".join(pb_field(14, pb_field(1, k) + pb_field(2, v)) for k, v in props.items())


def write_onnx(path: Path, props: dict[str, str], *, graph_size: int = 1024, producer: str = "pytorch",
               sparse_graph: bool = False) -> Path:
    """A ModelProto in field order (as onnx serializes it): ir_version, producer, graph, opset, metadata_props.

    ``sparse_graph`` writes the graph as a hole (a sparse file) so a multi-GB model costs no disk.
    """
    head = pb_field(1, 8) + pb_field(2, producer) + pb_field(3, "2.1.0") + pb_field(6, "a test model")
    graph_header = _varint(7 << 3 | 2) + _varint(graph_size)
    tail = pb_field(8, pb_field(1, "") + pb_field(2, 17)) + onnx_props(props)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(head + graph_header)
        if sparse_graph:
            f.seek(graph_size, os.SEEK_CUR)
        else:
            f.write(b"\x0a" * graph_size)
        f.write(tail)
    return path


def _gguf_str(text: str) -> bytes:
    data = text.encode()
    return struct.pack("<Q", len(data)) + data


def gguf_kv_string(key: str, value: str) -> bytes:
    return _gguf_str(key) + struct.pack("<I", 8) + _gguf_str(value)


def gguf_kv_u32(key: str, value: int) -> bytes:
    return _gguf_str(key) + struct.pack("<I", 4) + struct.pack("<I", value)


def gguf_kv_string_array(key: str, values: list[str]) -> bytes:
    return _gguf_str(key) + struct.pack("<I", 9) + struct.pack("<IQ", 8, len(values)) + b"".join(_gguf_str(v) for v in values)


def gguf_kv_f32_array(key: str, count: int) -> bytes:
    return _gguf_str(key) + struct.pack("<I", 9) + struct.pack("<IQ", 6, count) + b"\x00" * (4 * count)


def write_gguf(path: Path, kvs: list[bytes], *, tensors: int = 1, pad_to: int = 0) -> Path:
    header = b"GGUF" + struct.pack("<I", 3) + struct.pack("<QQ", tensors, len(kvs)) + b"".join(kvs)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        f.write(header)
        if pad_to > len(header):
            f.truncate(pad_to)  # sparse: the tensor data of a multi-GB model, costing no disk
    return path
