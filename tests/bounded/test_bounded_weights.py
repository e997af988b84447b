"""Weight-file headers and pickles: each hostile layout is refused fast with the limit it broke; real ones still read."""

from __future__ import annotations

import io
import os
import pickle
import struct
import sys
import time
import zipfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "weights"))  # the weight-file builders
from weight_files import (  # noqa: E402
    gguf_kv_string,
    gguf_kv_string_array,
    torch_pickle,
    ultralytics_checkpoint,
    write_gguf,
    write_torch_zip,
)

from vlicense.resolution import safe_unpickle  # noqa: E402
from vlicense.resolution.safe_unpickle import prescan, safe_loads, scan_globals  # noqa: E402
from vlicense.resolution.weight_metadata import read_weight_metadata  # noqa: E402


class SystemCall:
    def __reduce__(self):
        return (os.system, ("true",))


def timed(call):
    start = time.perf_counter()
    result = call()
    return result, time.perf_counter() - start


# ---------------------------------------------------------------------------------------------- pickles


@pytest.mark.parametrize(
    ("data", "error"),
    [
        # One LONG_BINPUT naming index 2**31 - 1: CPython's unpickler would grow its memo table to 16 GB.
        (b"\x80\x02]r\xff\xff\xff\x7f.", "pickle memo index 2,147,483,647 over the limit (1,000,000)"),
        (b"]p99999999999\n.", "pickle memo index 99,999,999,999 over the limit (1,000,000)"),
        (b"\x80\x04\x8e" + (1 << 40).to_bytes(8, "little") + b"x.", "pickle declares a value of 1,099,511,627,776 bytes (limit 67,108,864)"),
        (b"(" * 20_000 + b"l" * 20_000 + b".", "pickle nests deeper than 10,000 levels"),
    ],
)
def test_pickle_limits_refuse_before_unpickling(data, error):
    result, seconds = timed(lambda: safe_loads(data))
    assert seconds < 0.5
    assert result.value is None and result.error == error


def test_opcode_and_global_counts(monkeypatch):
    monkeypatch.setattr(safe_unpickle, "MAX_PICKLE_OPCODES", 1000)
    assert safe_loads(b"]" * 70_000 + b".").error == "pickle with more than 1,000 opcodes"
    monkeypatch.setattr(safe_unpickle, "MAX_GLOBALS", 3)
    data = b"".join(f"cmod{i}\nname\n0".encode() for i in range(5)) + b"N."
    assert safe_loads(data).error == "pickle names more than 3 distinct globals"


def test_a_refused_pickle_still_names_its_dangerous_globals():
    data = pickle.dumps([SystemCall()], protocol=4)[:-1] + b"]r\xff\xff\xff\x7f."
    result = safe_loads(data)
    assert result.error.startswith("pickle memo index")
    assert set(result.dangerous) & {"posix.system", "nt.system"}


def test_prescan_sees_what_the_unpickler_sees():
    data = torch_pickle(ultralytics_checkpoint("yolov8n.pt"), protocol=2)
    scan = prescan(data)
    assert scan.over_limit is None
    assert set(scan.globals) == set(safe_loads(data).globals)
    for protocol in (0, 1, 2, 3, 4, 5):
        blob = pickle.dumps({"a": [1, 2.5, "x", b"y", (None, True)], "f": os.system}, protocol=protocol)
        assert {"posix.system", "nt.system"} & set(scan_globals(blob)), protocol


def test_real_checkpoint_costs_little_more(tmp_path):
    path = write_torch_zip(tmp_path / "best.pt", ultralytics_checkpoint("yolov8n.pt"))
    meta, seconds = timed(lambda: read_weight_metadata(path))
    assert meta.error is None and meta.base_model == "yolov8n.pt"
    assert seconds < 0.5


# -------------------------------------------------------------------------------------------------- zips


def test_zip_declaring_too_many_entries(tmp_path):
    # zipfile would parse every entry the central directory holds (in Python): a zip64 end record declaring a
    # billion is refused from the record alone.
    zip64 = tmp_path / "z64.pt"
    with zipfile.ZipFile(zip64, "w") as archive:
        archive.writestr("m/data.pkl", pickle.dumps({"license": "MIT"}, protocol=2))
    raw = bytearray(zip64.read_bytes())
    # Rewrite as zip64: a zip64 end record declaring 10**9 entries, its locator, then the classic record.
    end = raw.rfind(b"PK\x05\x06")
    cd_size, cd_offset = struct.unpack_from("<II", raw, end + 12)
    z64_offset = end
    record = struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, 10**9, 10**9, cd_size, cd_offset)
    locator = struct.pack("<IIQI", 0x07064B50, 0, z64_offset, 1)
    classic = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    zip64.write_bytes(bytes(raw[:end]) + record + locator + classic)
    meta, seconds = timed(lambda: read_weight_metadata(zip64))
    assert meta.error == "zip archive declares 1,000,000,000 entries (limit 100,000)"
    assert seconds < 0.5


def test_compressed_data_pkl_expanding_too_far(tmp_path):
    path = tmp_path / "bomb.pt"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bomb/data.pkl", b"\x80\x02N" + b"0N" * (8 << 20) + b".")
    meta, seconds = timed(lambda: read_weight_metadata(path))
    assert meta.error is not None and "compression ratio over 100" in meta.error
    assert seconds < 1.0


# -------------------------------------------------------------------------------------------------- GGUF


def test_gguf_vocabulary_is_stepped_over_in_bulk(tmp_path):
    tokens = [f"t{i}" for i in range(300_000)]
    path = write_gguf(tmp_path / "m.gguf", [gguf_kv_string_array("tokenizer.ggml.tokens", tokens),
                                             gguf_kv_string("general.license", "apache-2.0")])
    meta, seconds = timed(lambda: read_weight_metadata(path))
    assert meta.error is None and meta.license_raw == "apache-2.0"
    assert seconds < 1.0


def test_gguf_string_array_over_the_cap(tmp_path):
    key = struct.pack("<Q", 3) + b"tok" + struct.pack("<I", 9) + struct.pack("<IQ", 8, 10**7)
    path = write_gguf(tmp_path / "m.gguf", [key], pad_to=1 << 30)
    meta, seconds = timed(lambda: read_weight_metadata(path))
    assert meta.error == "GGUF array of 10,000,000 strings (limit 4,000,000)"
    assert seconds < 0.5


# ------------------------------------------------------------------------------------------- safetensors


def test_safetensors_header_over_the_cap_and_too_deep(tmp_path):
    big = tmp_path / "big.safetensors"
    with big.open("wb") as handle:
        handle.write(struct.pack("<Q", 64 << 20) + b"{")
        handle.truncate(1 << 30)
    assert read_weight_metadata(big).error == "safetensors header length 67,108,864 over the 16 MB limit"
    header = b'{"__metadata__": {"license": "mit"}, "x": ' + b"[" * 10_000 + b"]" * 10_000 + b"}"
    deep = tmp_path / "deep.safetensors"
    deep.write_bytes(struct.pack("<Q", len(header)) + header + b"\x00" * 8)
    meta, seconds = timed(lambda: read_weight_metadata(deep))
    assert meta.error == "safetensors header nested deeper than 100 levels"
    assert seconds < 0.5


def test_a_legacy_stream_reads_its_pickles_one_after_the_other():
    stream = io.BytesIO(pickle.dumps(1, protocol=2) + pickle.dumps({"license": "MIT"}, protocol=2))
    first = safe_unpickle.safe_load(stream)
    second = safe_unpickle.safe_load(stream)
    assert (first.value, second.value, second.error) == (1, {"license": "MIT"}, None)
