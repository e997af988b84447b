"""Read the metadata a weight file carries (license, base model, tool) with bounded reads; tensors are never loaded."""

from __future__ import annotations

import io
import json
import re
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

from vlicense.bounded import Budget, OverLimit, load_json, size_text
from vlicense.resolution import safe_unpickle
from vlicense.resolution.safe_unpickle import plain, top_keys

# safetensors caps its own header at 100 MB (safetensors/src/tensor.rs MAX_HEADER_SIZE); parsed into Python objects
# that would be about a gigabyte. A header lists each tensor in about 100 bytes: 16 MB is 160,000 tensors, several
# times the largest shard we know of.
MAX_SAFETENSORS_HEADER = 16 * 1024 * 1024
MAX_TEXT = 1_000  # longest field value kept
MAX_FIELDS = 200
MAX_ONNX_FIELDS = 100_000  # top-level ModelProto fields (a real model has about ten)
MAX_ONNX_STRING = 1024 * 1024
MAX_ONNX_PROPS = 10_000
MAX_GGUF_KV = 100_000
MAX_GGUF_STRING = 16 * 1024 * 1024
MAX_GGUF_ARRAY = 50_000_000
# Strings are walked one by one (each carries its own length): tokenizer vocabularies and merges hold a few
# hundred thousand; the cap keeps a file of empty strings from costing seconds.
MAX_GGUF_STRINGS = 4_000_000
# A checkpoint has a few entries per tensor; zipfile parses the whole central directory in Python (~5 us/entry).
MAX_ZIP_MEMBERS = 100_000
# data.pkl is stored uncompressed by torch.save; a compressed one expanding more than this is a zip bomb.
MAX_COMPRESSION_RATIO = 100
# Legacy / raw pickles are read through a growing window: most metadata pickles are small.
FIRST_PICKLE_WINDOW = 1024 * 1024

# torch.serialization's legacy format starts with this magic number as its own pickle.
TORCH_LEGACY_MAGIC = 0x1950A86A20F9469CFC6C
PICKLE_SUFFIXES = (".pt", ".pth", ".ckpt", ".bin", ".pkl", ".pickle", ".ts")
WEIGHT_SUFFIXES = (".pt", ".pth", ".ckpt", ".bin", ".safetensors", ".onnx", ".gguf", ".engine", ".ts", ".tflite")

# Ultralytics writes this into every checkpoint and export, whatever the weights' origin (trainer.save_model,
# torch_utils.strip_optimizer, exporter metadata): evidence of the tool, not of the license of the weights.
ULTRALYTICS_STAMP = re.compile(r"^\s*AGPL-3\.0(?:\s+License)?\s*\(https?://ultralytics\.com/license\)\s*$", re.IGNORECASE)
# Top-level checkpoint keys worth showing (Ultralytics, YOLOv5, Lightning, timm/HF training scripts).
_CHECKPOINT_KEYS = (
    "license", "version", "date", "docs", "model_name", "arch", "author", "description", "epoch", "global_step",
    "pytorch-lightning_version", "hparams_name", "best_fitness", "base_model",
)
# Keys of a training-arguments mapping that name the starting weights.
_BASE_KEYS = ("base_model", "pretrained_model_name_or_path", "model_name_or_path")


@dataclass
class WeightMetadata:
    """What a weight file says about itself. ``error`` is set when the file could not be read as its format."""

    format: str
    license_raw: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    base_model: str | None = None
    tool: str | None = None
    unsafe_globals: list[str] = field(default_factory=list)
    error: str | None = None
    # Globals outside the known ML allow-list (informational) and every base model when there are several.
    unknown_globals: list[str] = field(default_factory=list)
    base_models: list[str] = field(default_factory=list)
    bytes_read: int = 0

    @property
    def ultralytics_stamp(self) -> bool:
        """True when the license field is the string Ultralytics stamps into everything it saves."""
        return bool(self.license_raw and ULTRALYTICS_STAMP.match(self.license_raw))


class _Counting:
    """A file wrapper that counts the bytes actually read (the cost measure for huge files) and the calls made.

    Every field of a header is one or more reads, so the time budget is checked here, every 4,096 calls.
    """

    def __init__(self, raw: BinaryIO, budget: Budget | None = None) -> None:
        self._raw = raw
        self.count = 0
        self.calls = 0
        self.budget = budget or Budget("weight file header")

    def read(self, n: int = -1) -> bytes:
        self.calls += 1
        if not self.calls & 0xFFF:
            self.budget.check()
        data = self._raw.read(n)
        self.count += len(data)
        return data

    def exact(self, n: int) -> bytes:
        data = self.read(n)
        if len(data) != n:
            raise _Bad("file is truncated")
        return data

    def seek(self, offset: int, whence: int = 0) -> int:
        self.calls += 1
        if not self.calls & 0xFFF:
            self.budget.check()
        return self._raw.seek(offset, whence)

    def tell(self) -> int:
        return self._raw.tell()

    def seekable(self) -> bool:
        return True


class _Bad(Exception):
    """The file is not valid in the format it claims (message says why)."""


def read_weight_metadata(path: Path) -> WeightMetadata:
    """Sniff the format from the content (suffix as a hint) and read its metadata; never raises."""
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        with path.open("rb") as raw:
            reader = _Counting(raw)
            meta = _dispatch(reader, size, suffix)
            meta.bytes_read = reader.count
    except (_Bad, OverLimit) as exc:
        return WeightMetadata(_format_hint(suffix), error=str(exc))
    except OSError as exc:
        return WeightMetadata(_format_hint(suffix), error=f"cannot read file: {exc.strerror or exc}")
    except (RecursionError, MemoryError):
        return WeightMetadata(_format_hint(suffix), error="file structure too large or too deep to read")
    except Exception as exc:  # noqa: BLE001 - hostile input must never crash the audit
        return WeightMetadata(_format_hint(suffix), error=f"unreadable ({type(exc).__name__}: {str(exc)[:200]})")
    return meta


def _format_hint(suffix: str) -> str:
    return {".safetensors": "safetensors", ".onnx": "onnx", ".gguf": "gguf", ".engine": "tensorrt"}.get(suffix, "pickle")


def _dispatch(reader: _Counting, size: int, suffix: str) -> WeightMetadata:
    head = reader.read(16)
    reader.seek(0)
    if not head:
        raise _Bad("empty file")
    if head[:4] == b"GGUF":
        return _gguf(reader, size)
    if head[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        return _torch_zip(reader, size)
    if suffix == ".safetensors":
        return _safetensors(reader, size)
    if suffix == ".onnx":
        return _onnx(reader, size)
    if suffix == ".engine":
        return _tensorrt(reader, size)
    if suffix == ".tflite" or head[4:8] == b"TFL3":
        raise _Bad("TFLite metadata is not read")
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return _pickle(reader, size)
    if len(head) > 8 and head[8:9] == b"{" and struct.unpack("<Q", head[:8])[0] <= size - 8:
        return _safetensors(reader, size)  # safetensors saved under another suffix (model.bin)
    if suffix in PICKLE_SUFFIXES:
        if _looks_like_text(head) and head.lstrip().startswith((b"import ", b"import\t", b"#", b"/", b".")):
            # A site .pth path-configuration file (it runs "import" lines at interpreter start), not a checkpoint.
            raise _Bad("a text file (Python path-configuration .pth syntax), not a PyTorch checkpoint")
        return _pickle(reader, size)
    raise _Bad("unrecognized weight file format")


def _looks_like_text(data: bytes) -> bool:
    return all(32 <= b < 127 or b in (9, 10, 13) for b in data)


def _text(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, default=str)
    return text[:MAX_TEXT]


def _put(fields: dict[str, str], key: str, value: Any) -> None:
    if len(fields) < MAX_FIELDS and value is not None and value != "":
        fields[key[:200]] = _text(value)


def _ultralytics_tool(meta: WeightMetadata) -> None:
    """Name the tool when the Ultralytics stamp (license string, docs URL or author) is present."""
    docs = meta.fields.get("docs", "")
    author = meta.fields.get("author", "")
    if meta.ultralytics_stamp or "docs.ultralytics.com" in docs or author.strip().lower() == "ultralytics":
        version = meta.fields.get("version", "").strip()
        meta.tool = f"ultralytics {version}".strip() if re.match(r"^[0-9][0-9A-Za-z.+\-]*$", version or "x") else "ultralytics"


# ------------------------------------------------------------------------------------------ safetensors


def _safetensors(reader: _Counting, size: int) -> WeightMetadata:
    (length,) = struct.unpack("<Q", reader.exact(8))
    if length > MAX_SAFETENSORS_HEADER and length <= size - 8:
        raise OverLimit(f"safetensors header length {length:,} over the {size_text(MAX_SAFETENSORS_HEADER)} limit")
    if length < 2 or length > MAX_SAFETENSORS_HEADER or length > size - 8:
        raise _Bad(f"safetensors header length {length} is invalid for a {size}-byte file")
    try:
        header = load_json(reader.exact(length).decode("utf-8"), max_bytes=MAX_SAFETENSORS_HEADER, what="safetensors header")
    except ValueError as exc:  # UnicodeDecodeError, JSONDecodeError
        raise _Bad(f"safetensors header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise _Bad("safetensors header is not a JSON object")
    meta = WeightMetadata("safetensors")
    metadata = header.get("__metadata__") or {}
    if not isinstance(metadata, dict):
        raise _Bad("safetensors __metadata__ is not an object")
    for key in sorted(metadata):
        _put(meta.fields, str(key), metadata[key])
    meta.license_raw = _first(meta.fields, ("license", "modelspec.license"))
    base = _first(meta.fields, ("base_model", "modelspec.base_model"))
    if base:
        meta.base_model, meta.base_models = base, [base]
    _ultralytics_tool(meta)
    return meta


def _first(fields: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = fields.get(key, "").strip()
        if value:
            return value
    return None


# ------------------------------------------------------------------------------------------------ ONNX


def _varint(reader: _Counting) -> int:
    value = 0
    for shift in range(0, 70, 7):
        byte = reader.read(1)
        if not byte:
            raise _Bad("ONNX file is truncated")
        value |= (byte[0] & 0x7F) << shift
        if not byte[0] & 0x80:
            return value
    raise _Bad("not an ONNX model (malformed protobuf varint)")


def _varint_bytes(data: bytes, pos: int) -> tuple[int, int]:
    value = 0
    for shift in range(0, 70, 7):
        if pos >= len(data):
            raise _Bad("not an ONNX model (truncated metadata entry)")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return value, pos
    raise _Bad("not an ONNX model (malformed protobuf varint)")


def _onnx(reader: _Counting, size: int) -> WeightMetadata:
    """ModelProto top-level fields only: the graph (field 7) and other large fields are seeked over, not read."""
    meta = WeightMetadata("onnx")
    props: list[tuple[str, str]] = []
    seen: set[int] = set()
    pos = 0
    for _ in range(MAX_ONNX_FIELDS):
        if pos >= size:
            break
        key = _varint(reader)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise _Bad("not an ONNX model (protobuf field number 0)")
        seen.add(number)
        if wire == 0:
            value = _varint(reader)
            if number == 1:
                _put(meta.fields, "ir_version", str(value))
            elif number == 5:
                _put(meta.fields, "model_version", str(value))
        elif wire in (1, 5):
            reader.seek(8 if wire == 1 else 4, io.SEEK_CUR)
        elif wire == 2:
            length = _varint(reader)
            if reader.tell() + length > size:
                raise _Bad("not an ONNX model (a field runs past the end of the file)")
            if number in (2, 3, 4, 6) and length <= MAX_ONNX_STRING:
                name = {2: "producer_name", 3: "producer_version", 4: "domain", 6: "doc_string"}[number]
                _put(meta.fields, name, reader.exact(length).decode("utf-8", "replace"))
            elif number == 14 and length <= MAX_ONNX_STRING and len(props) < MAX_ONNX_PROPS:
                props.append(_string_entry(reader.exact(length)))
            else:
                reader.seek(length, io.SEEK_CUR)  # graph, opset imports, functions: never read
        else:
            raise _Bad(f"not an ONNX model (protobuf wire type {wire})")
        pos = reader.tell()
    else:
        raise _Bad("not an ONNX model (too many top-level fields)")
    if pos > size:
        raise _Bad("ONNX file is truncated")
    if 1 not in seen or 7 not in seen:
        raise _Bad("not an ONNX model (no ir_version or no graph)")
    for prop_key, prop_value in props:
        _put(meta.fields, prop_key, prop_value)
    meta.license_raw = _first(meta.fields, ("license",))
    base = _first(meta.fields, ("base_model",))
    if base:
        meta.base_model, meta.base_models = base, [base]
    _ultralytics_tool(meta)
    return meta


def _string_entry(data: bytes) -> tuple[str, str]:
    """StringStringEntryProto {1: key, 2: value}."""
    out = {1: "", 2: ""}
    pos = 0
    while pos < len(data):
        key, pos = _varint_bytes(data, pos)
        number, wire = key >> 3, key & 7
        if wire == 2:
            length, pos = _varint_bytes(data, pos)
            if pos + length > len(data):
                raise _Bad("not an ONNX model (truncated metadata entry)")
            if number in out:
                out[number] = data[pos : pos + length].decode("utf-8", "replace")
            pos += length
        elif wire == 0:
            _, pos = _varint_bytes(data, pos)
        elif wire in (1, 5):
            pos += 8 if wire == 1 else 4
        else:
            raise _Bad(f"not an ONNX model (protobuf wire type {wire} in metadata_props)")
    return out[1], out[2]


# ------------------------------------------------------------------------------------------------ GGUF

_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}


def _gguf(reader: _Counting, size: int) -> WeightMetadata:
    reader.exact(4)
    (version,) = struct.unpack("<I", reader.exact(4))
    if version not in (1, 2, 3):
        raise _Bad(f"unsupported GGUF version {version} (big-endian or corrupt file?)")
    count_fmt = "<I" if version == 1 else "<Q"
    width = struct.calcsize(count_fmt)
    (tensors,) = struct.unpack(count_fmt, reader.exact(width))
    (kv_count,) = struct.unpack(count_fmt, reader.exact(width))
    if kv_count > MAX_GGUF_KV:
        raise _Bad(f"GGUF header claims {kv_count} metadata keys")
    meta = WeightMetadata("gguf")
    _put(meta.fields, "gguf.version", str(version))
    _put(meta.fields, "gguf.tensor_count", str(tensors))
    values: dict[str, Any] = {}
    for _ in range(kv_count):
        key = _gguf_string(reader, count_fmt, size)
        (vtype,) = struct.unpack("<I", reader.exact(4))
        value = _gguf_value(reader, vtype, count_fmt, size, keep=key.startswith("general."))
        if key.startswith("general.") and value is not None:
            values[key] = value
    for key in sorted(values):
        _put(meta.fields, key, values[key])
    license_raw = values.get("general.license")
    meta.license_raw = license_raw.strip() if isinstance(license_raw, str) and license_raw.strip() else None
    meta.base_models = _gguf_bases(values)
    meta.base_model = meta.base_models[0] if meta.base_models else None
    return meta


def _gguf_string(reader: _Counting, count_fmt: str, size: int) -> str:
    (length,) = struct.unpack(count_fmt, reader.exact(struct.calcsize(count_fmt)))
    if length > MAX_GGUF_STRING or reader.tell() + length > size:
        raise _Bad(f"GGUF string of {length} bytes is invalid")
    return reader.exact(length).decode("utf-8", "replace")


def _gguf_value(reader: _Counting, vtype: int, count_fmt: str, size: int, keep: bool) -> Any:
    if vtype in _GGUF_SCALARS:
        fmt = _GGUF_SCALARS[vtype]
        return struct.unpack(fmt, reader.exact(struct.calcsize(fmt)))[0]
    if vtype == 8:
        if not keep:  # skip without decoding (tokenizer strings are many and useless here)
            (length,) = struct.unpack(count_fmt, reader.exact(struct.calcsize(count_fmt)))
            if length > MAX_GGUF_STRING or reader.tell() + length > size:
                raise _Bad(f"GGUF string of {length} bytes is invalid")
            reader.seek(length, io.SEEK_CUR)
            return None
        return _gguf_string(reader, count_fmt, size)
    if vtype == 9:
        (item_type,) = struct.unpack("<I", reader.exact(4))
        (count,) = struct.unpack(count_fmt, reader.exact(struct.calcsize(count_fmt)))
        if count > MAX_GGUF_ARRAY:
            raise _Bad(f"GGUF array of {count} items is invalid")
        if item_type in _GGUF_SCALARS:
            item_size = struct.calcsize(_GGUF_SCALARS[item_type])
            if reader.tell() + count * item_size > size:
                raise _Bad("GGUF array runs past the end of the file")
            reader.seek(count * item_size, io.SEEK_CUR)
            return None
        if item_type == 8:
            if count > MAX_GGUF_STRINGS:
                raise OverLimit(f"GGUF array of {count:,} strings (limit {MAX_GGUF_STRINGS:,})")
            kept = [_gguf_string(reader, count_fmt, size) for _ in range(min(count, 100))] if keep else []
            _skip_gguf_strings(reader, count - len(kept), count_fmt, size)
            return kept if keep else None
        raise _Bad(f"GGUF array of type {item_type} is not supported")
    raise _Bad(f"GGUF value type {vtype} is invalid")


def _skip_gguf_strings(reader: _Counting, count: int, count_fmt: str, size: int) -> None:
    """Step over ``count`` length-prefixed strings reading 1 MB at a time (one read per string would cost
    seconds for a tokenizer's few hundred thousand)."""
    width = struct.calcsize(count_fmt)
    start = reader.tell()
    buffer, offset = b"", 0
    for index in range(count):
        if offset + width > len(buffer):
            reader.budget.check()
            start += offset
            reader.seek(start)
            # Sized to what is left (tokens are short), so a small array does not read into the tensor data.
            buffer, offset = reader.read(min(1024 * 1024, max(4096, (count - index) * 32))), 0
            if len(buffer) < width:
                raise _Bad("GGUF file is truncated")
        (length,) = struct.unpack_from(count_fmt, buffer, offset)
        if length > MAX_GGUF_STRING:
            raise _Bad(f"GGUF string of {length} bytes is invalid")
        offset += width + length
    end = start + offset
    if end > size:
        raise _Bad("GGUF string array runs past the end of the file")
    reader.seek(end)


_HF_URL = re.compile(r"^https?://huggingface\.co/([A-Za-z0-9][\w.\-]*/[\w.\-]+?)/?$")


def _gguf_bases(values: dict[str, Any]) -> list[str]:
    """general.base_model.N.{repo_url, organization, name}: a Hub id when the URL is on the Hub."""
    count = values.get("general.base_model.count")
    bases = []
    for i in range(min(int(count), 64) if isinstance(count, int) and count > 0 else 0):
        url = str(values.get(f"general.base_model.{i}.repo_url", "")).strip()
        match = _HF_URL.match(url)
        if match:
            bases.append(match.group(1))
            continue
        org = str(values.get(f"general.base_model.{i}.organization", "")).strip()
        name = str(values.get(f"general.base_model.{i}.name", "")).strip()
        if name:
            bases.append(f"{org}/{name}" if org and "/" not in name else name)
        elif url:
            bases.append(url)
    return bases


# -------------------------------------------------------------------------------------------- TensorRT


def _tensorrt(reader: _Counting, size: int) -> WeightMetadata:
    """Ultralytics' TensorRT export prepends a 4-byte length and its JSON metadata to the engine."""
    (length,) = struct.unpack("<i", reader.exact(4))
    if length < 2 or length > MAX_ONNX_STRING or length > size - 4:
        raise _Bad("TensorRT engine without readable metadata")
    try:
        data = load_json(reader.exact(length).decode("utf-8"), max_bytes=MAX_ONNX_STRING, what="TensorRT metadata")
    except ValueError:
        raise _Bad("TensorRT engine without readable metadata") from None
    if not isinstance(data, dict):
        raise _Bad("TensorRT engine metadata is not an object")
    meta = WeightMetadata("tensorrt")
    for key in sorted(data):
        _put(meta.fields, str(key), data[key])
    meta.license_raw = _first(meta.fields, ("license",))
    _ultralytics_tool(meta)
    return meta


# --------------------------------------------------------------------------------------------- PyTorch


def _torch_zip(reader: _Counting, size: int) -> WeightMetadata:
    _zip_directory_limits(reader)
    try:
        archive = zipfile.ZipFile(reader)  # type: ignore[arg-type]
    except (zipfile.BadZipFile, ValueError, struct.error, EOFError) as exc:
        raise _Bad(f"not a readable zip archive ({exc})") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > MAX_ZIP_MEMBERS:
            raise _Bad(f"zip archive with {len(infos)} members")
        pickles = sorted(
            (i for i in infos if PurePosixPath(i.filename).name == "data.pkl" and len(PurePosixPath(i.filename).parts) == 2),
            key=lambda i: i.filename,
        )
        if not pickles:
            raise _Bad("zip archive without a PyTorch data.pkl (not a torch.save checkpoint)")
        info = pickles[0]
        prefix = info.filename.rsplit("/", 1)[0]
        names = {i.filename for i in infos}
        torchscript = any(n.startswith(f"{prefix}/code/") for n in names) or f"{prefix}/constants.pkl" in names
        if info.file_size > safe_unpickle.MAX_PICKLE_BYTES:
            raise OverLimit(f"data.pkl is {info.file_size:,} bytes (limit {safe_unpickle.MAX_PICKLE_BYTES:,})")
        if info.compress_type != zipfile.ZIP_STORED and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1024):
            raise OverLimit(f"data.pkl expands {info.file_size:,} bytes from {info.compress_size:,} "
                            f"(compression ratio over {MAX_COMPRESSION_RATIO})")
        with archive.open(info) as member:
            data = member.read(safe_unpickle.MAX_PICKLE_BYTES + 1)
        if len(data) > safe_unpickle.MAX_PICKLE_BYTES:
            raise _Bad("data.pkl expands beyond the size limit")
        meta = WeightMetadata("torchscript" if torchscript else "pytorch-zip")
        extra = f"{prefix}/extra/config.txt"
        if torchscript and extra in names:
            # Ultralytics' TorchScript export stores its metadata (license, author, version...) as JSON here.
            with archive.open(extra) as member:
                _json_fields(meta, member.read(MAX_ONNX_STRING))
    result = safe_unpickle.safe_loads(data)
    _from_unpickled(meta, [result], torchscript=torchscript)
    return meta


def _zip_directory_limits(reader: _Counting) -> None:
    """Refuse an archive whose end record declares too many entries, before zipfile parses its directory."""
    end_record = getattr(zipfile, "_EndRecData", None)  # private but stable since Python 2; the check is skipped without it
    if end_record is None:
        return
    try:
        record = end_record(reader)
    except (OSError, struct.error, ValueError):
        record = None
    reader.seek(0)
    if not record:
        return  # not a zip end record: zipfile says what is wrong
    entries = record[zipfile._ECD_ENTRIES_TOTAL]  # type: ignore[attr-defined]
    if entries > MAX_ZIP_MEMBERS:
        raise OverLimit(f"zip archive declares {entries:,} entries (limit {MAX_ZIP_MEMBERS:,})")


def _json_fields(meta: WeightMetadata, raw: bytes) -> None:
    try:
        data = load_json(raw.decode("utf-8"), max_bytes=MAX_ONNX_STRING, what="TorchScript extra/config.txt")
    except ValueError:
        return
    if isinstance(data, dict):
        for key in sorted(data):
            _put(meta.fields, str(key), data[key])


def _pickle(reader: _Counting, size: int) -> WeightMetadata:
    """A raw pickle, or torch's legacy format (magic, protocol, sys_info, then the object pickle)."""
    window = FIRST_PICKLE_WINDOW
    while True:
        reader.seek(0)
        data = reader.read(min(size, window))
        results = _legacy_sequence(data)
        truncated = results[-1].error is not None and "truncated" in results[-1].error
        if not truncated or len(data) >= size or window >= safe_unpickle.MAX_PICKLE_BYTES:
            break
        window = min(window * 8, safe_unpickle.MAX_PICKLE_BYTES)
    legacy = len(results) > 1
    meta = WeightMetadata("torch-legacy" if legacy else "pickle")
    if truncated and len(data) < size:
        results[-1].error = f"pickle larger than {safe_unpickle.MAX_PICKLE_BYTES} bytes"
    _from_unpickled(meta, results, torchscript=False)
    return meta


def _legacy_sequence(data: bytes) -> list[safe_unpickle.UnpickleResult]:
    stream = io.BytesIO(data)
    first = safe_unpickle.safe_load(stream)
    if first.error or first.value != TORCH_LEGACY_MAGIC or isinstance(first.value, bool):
        return [first]
    results = [first]
    for _ in range(3):  # protocol version, sys_info, then the object itself
        results.append(safe_unpickle.safe_load(stream))
        if results[-1].error:
            break
    return results


def _from_unpickled(meta: WeightMetadata, results: list[safe_unpickle.UnpickleResult], torchscript: bool) -> None:
    dangerous = sorted({g for r in results for g in r.dangerous})
    unknown = sorted({g for r in results for g in r.unknown if not (torchscript and g.startswith("__torch__."))})
    meta.unsafe_globals = dangerous
    meta.unknown_globals = unknown
    last = results[-1]
    if last.error:
        meta.error = last.error
        return
    top = top_keys(last.value)
    for key in _CHECKPOINT_KEYS:
        value = top.get(key)
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            _put(meta.fields, key, value)
    if isinstance(top.get("git"), dict):
        for k in ("origin", "commit", "branch"):
            _put(meta.fields, f"git.{k}", plain(top["git"].get(k)))
    meta.license_raw = _first(meta.fields, ("license",))
    bases: list[str] = []
    train_args = plain(top.get("train_args"))
    if isinstance(train_args, dict):
        _training_args(meta, train_args, bases)
    opt = plain(top.get("opt"))
    if isinstance(opt, dict) and isinstance(opt.get("weights"), str):  # YOLOv5: opt.weights = starting weights
        _put(meta.fields, "opt.weights", opt["weights"])
        if _is_weight_name(opt["weights"]):
            bases.append(opt["weights"])
    hparams = plain(top.get("hyper_parameters"))
    if isinstance(hparams, dict):
        for key in sorted(hparams)[:50]:
            if isinstance(hparams[key], (str, int, float)):
                _put(meta.fields, f"hyper_parameters.{key}", hparams[key])
        bases.extend(str(hparams[k]) for k in _BASE_KEYS if isinstance(hparams.get(k), str) and hparams[k].strip())
        if "pytorch-lightning_version" in meta.fields:
            meta.tool = f"pytorch-lightning {meta.fields['pytorch-lightning_version']}"
    if isinstance(top.get("base_model"), str) and top["base_model"].strip():
        bases.append(top["base_model"].strip())
    meta.base_models = list(dict.fromkeys(b.strip() for b in bases if b.strip()))
    meta.base_model = meta.base_models[0] if meta.base_models else None
    _ultralytics_tool(meta)


def _training_args(meta: WeightMetadata, args: dict, bases: list[str]) -> None:
    """Ultralytics train_args: ``model`` is the starting point; a .yaml model means built from scratch unless
    ``pretrained`` names weights (trainer.setup_model loads those)."""
    for key in ("model", "pretrained", "data", "task", "name"):
        if key in args and isinstance(args[key], (str, bool)):
            _put(meta.fields, f"train_args.{key}", str(args[key]))
    model = args.get("model")
    pretrained = args.get("pretrained")
    if isinstance(model, str) and _is_weight_name(model):
        bases.append(model)
    elif isinstance(pretrained, str) and _is_weight_name(pretrained):
        bases.append(pretrained)
    elif isinstance(model, str) and model.strip() and not model.lower().endswith((".yaml", ".yml")):
        bases.append(model)  # a Hub id or another name: let the caller identify it
    for key in _BASE_KEYS:
        if isinstance(args.get(key), str) and args[key].strip():
            bases.append(args[key])


def _is_weight_name(name: str) -> bool:
    return name.strip().lower().endswith(WEIGHT_SUFFIXES)


__all__ = ["ULTRALYTICS_STAMP", "WeightMetadata", "read_weight_metadata"]
