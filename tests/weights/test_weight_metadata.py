"""Embedded weight metadata: safetensors, ONNX, GGUF, torch zip and legacy pickles; bounded reads; garbage."""

from __future__ import annotations

import pickle
import struct
import time

import pytest
from weight_files import (
    ULTRALYTICS_STAMP,
    SystemCall,
    gguf_kv_f32_array,
    gguf_kv_string,
    gguf_kv_string_array,
    gguf_kv_u32,
    pb_field,
    touch_command,
    ultralytics_checkpoint,
    write_gguf,
    write_legacy_torch,
    write_onnx,
    write_safetensors,
    write_torch_zip,
)

from vlicense.resolution.weight_metadata import read_weight_metadata

FOUR_GB = 4 * 1024**3


# ------------------------------------------------------------------------------------------ safetensors


def test_safetensors_metadata(tmp_path):
    path = write_safetensors(
        tmp_path / "model.safetensors", {"format": "pt", "license": "cc-by-nc-4.0", "base_model": "facebook/dinov2-base"}
    )
    meta = read_weight_metadata(path)
    assert meta.error is None
    assert (meta.format, meta.license_raw, meta.base_model) == ("safetensors", "cc-by-nc-4.0", "facebook/dinov2-base")
    assert meta.fields["format"] == "pt"


def test_safetensors_without_metadata_has_no_license(tmp_path):
    meta = read_weight_metadata(write_safetensors(tmp_path / "m.safetensors", None))
    assert meta.error is None and meta.license_raw is None and meta.base_model is None


def test_safetensors_header_is_the_only_read_of_a_huge_file(tmp_path):
    path = write_safetensors(tmp_path / "big.safetensors", {"license": "mit"})
    with path.open("r+b") as f:
        f.truncate(FOUR_GB)  # sparse: costs no disk
    start = time.perf_counter()
    meta = read_weight_metadata(path)
    assert meta.license_raw == "mit"
    assert meta.bytes_read < 4096
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "blob, message",
    [
        (struct.pack("<Q", 10**12) + b"{}", "header length"),
        (struct.pack("<Q", 200 * 1024 * 1024) + b"{" + b" " * 100, "header length"),
        (struct.pack("<Q", 4) + b"{not", "not JSON"),
        (struct.pack("<Q", 2) + b"[]", "not a JSON object"),
        (b"\x01\x02", "truncated"),
        (b"", "empty"),
    ],
)
def test_safetensors_garbage(tmp_path, blob, message):
    path = tmp_path / "bad.safetensors"
    path.write_bytes(blob)
    meta = read_weight_metadata(path)
    assert meta.error is not None and message in meta.error


def test_safetensors_metadata_must_be_an_object(tmp_path):
    path = tmp_path / "m.safetensors"
    header = b'{"__metadata__": [1, 2]}'
    path.write_bytes(struct.pack("<Q", len(header)) + header)
    assert "__metadata__" in (read_weight_metadata(path).error or "")


# ------------------------------------------------------------------------------------------------ ONNX


def test_onnx_metadata_props_after_the_graph(tmp_path):
    path = write_onnx(tmp_path / "m.onnx", {"license": "apache-2.0", "base_model": "org/base"}, graph_size=50_000)
    meta = read_weight_metadata(path)
    assert meta.error is None
    assert meta.license_raw == "apache-2.0" and meta.base_model == "org/base"
    assert meta.fields["producer_name"] == "pytorch" and meta.fields["ir_version"] == "8"
    assert meta.bytes_read < 20_000  # the 50 KB graph is seeked over


def test_onnx_ultralytics_export_names_the_tool(tmp_path):
    props = {"author": "Ultralytics", "license": ULTRALYTICS_STAMP, "version": "8.3.0", "docs": "https://docs.ultralytics.com"}
    meta = read_weight_metadata(write_onnx(tmp_path / "yolo.onnx", props))
    assert meta.tool == "ultralytics 8.3.0"
    assert meta.ultralytics_stamp


def test_onnx_4gb_graph_is_skipped_not_read(tmp_path):
    path = write_onnx(tmp_path / "huge.onnx", {"license": "mit"}, graph_size=FOUR_GB, sparse_graph=True)
    start = time.perf_counter()
    meta = read_weight_metadata(path)
    assert meta.error is None and meta.license_raw == "mit"
    assert meta.bytes_read < 4096
    assert time.perf_counter() - start < 1.0


def test_onnx_without_license_is_not_a_guess(tmp_path):
    meta = read_weight_metadata(write_onnx(tmp_path / "m.onnx", {"stride": "32"}))
    assert meta.error is None and meta.license_raw is None and meta.tool is None


@pytest.mark.parametrize(
    "blob",
    [
        b"",
        b"\xff" * 64,  # endless varint
        pb_field(1, 8) + b"\x3a\xff\xff\xff\x0f",  # graph length past the end
        pb_field(1, 8) + b"\x0b\x00",  # wire type 3 (group)
        pb_field(2, "pytorch"),  # no ir_version / graph: some other protobuf
        b"PNG\r\n\x1a\n" + b"\x00" * 100,
    ],
)
def test_onnx_garbage(tmp_path, blob):
    path = tmp_path / "bad.onnx"
    path.write_bytes(blob)
    meta = read_weight_metadata(path)
    assert meta.format == "onnx" and meta.error is not None


# ------------------------------------------------------------------------------------------------ GGUF


def _gguf_kvs():
    return [
        gguf_kv_string("general.architecture", "llama"),
        gguf_kv_string("general.name", "Tiny Llama Finetune"),
        gguf_kv_string("general.license", "llama3.2"),
        gguf_kv_string("general.source.url", "https://huggingface.co/acme/tiny"),
        gguf_kv_u32("general.base_model.count", 2),
        gguf_kv_string("general.base_model.0.name", "Llama 3.2 1B"),
        gguf_kv_string("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.2-1B"),
        gguf_kv_string("general.base_model.1.organization", "acme"),
        gguf_kv_string("general.base_model.1.name", "adapter"),
        gguf_kv_f32_array("tokenizer.ggml.scores", 1000),
        gguf_kv_string_array("tokenizer.ggml.tokens", [f"tok{i}" for i in range(2000)]),
    ]


def test_gguf_license_and_base_models(tmp_path):
    meta = read_weight_metadata(write_gguf(tmp_path / "m.gguf", _gguf_kvs()))
    assert meta.error is None and meta.format == "gguf"
    assert meta.license_raw == "llama3.2"
    assert meta.base_models == ["meta-llama/Llama-3.2-1B", "acme/adapter"]
    assert meta.fields["general.name"] == "Tiny Llama Finetune"
    assert meta.fields["general.source.url"] == "https://huggingface.co/acme/tiny"
    assert not any(k.startswith("tokenizer") for k in meta.fields)


def test_gguf_4gb_costs_only_its_header(tmp_path):
    path = write_gguf(tmp_path / "big.gguf", _gguf_kvs(), pad_to=FOUR_GB)
    start = time.perf_counter()
    meta = read_weight_metadata(path)
    assert meta.license_raw == "llama3.2"
    assert meta.bytes_read < 64 * 1024
    assert time.perf_counter() - start < 1.0


@pytest.mark.parametrize(
    "blob, message",
    [
        (b"GGUF" + struct.pack("<I", 99) + b"\x00" * 16, "version"),
        (b"GGUF" + struct.pack("<IQQ", 3, 1, 10**9), "metadata keys"),
        (b"GGUF" + struct.pack("<IQQ", 3, 1, 1) + struct.pack("<Q", 10**12), "string"),
        (b"GGUF" + struct.pack("<IQQ", 3, 1, 1) + struct.pack("<Q", 1) + b"k" + struct.pack("<I", 77), "type"),
        (b"GGUF" + struct.pack("<I", 3), "truncated"),
    ],
)
def test_gguf_garbage(tmp_path, blob, message):
    path = tmp_path / "bad.gguf"
    path.write_bytes(blob)
    meta = read_weight_metadata(path)
    assert meta.error is not None and message in meta.error


# --------------------------------------------------------------------------------------------- PyTorch


def test_ultralytics_zip_checkpoint(tmp_path):
    meta = read_weight_metadata(write_torch_zip(tmp_path / "best.pt", ultralytics_checkpoint("yolov8n.pt")))
    assert meta.error is None and meta.format == "pytorch-zip"
    assert meta.license_raw == ULTRALYTICS_STAMP and meta.ultralytics_stamp
    assert meta.tool == "ultralytics 8.1.0"
    assert meta.base_model == "yolov8n.pt"
    assert meta.fields["train_args.model"] == "yolov8n.pt"
    assert meta.unsafe_globals == [] and meta.unknown_globals == []


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_legacy_torch_format(tmp_path, protocol):
    meta = read_weight_metadata(write_legacy_torch(tmp_path / "old.pth", ultralytics_checkpoint("yolo11s.pt"), protocol=protocol))
    assert meta.error is None and meta.format == "torch-legacy"
    assert meta.base_model == "yolo11s.pt"


def test_yaml_model_means_from_scratch_unless_pretrained_names_weights(tmp_path):
    scratch = read_weight_metadata(write_torch_zip(tmp_path / "a.pt", ultralytics_checkpoint("yolov8n.yaml")))
    assert scratch.base_model is None and scratch.fields["train_args.model"] == "yolov8n.yaml"
    transfer = read_weight_metadata(
        write_torch_zip(tmp_path / "b.pt", ultralytics_checkpoint("yolov8n.yaml", pretrained="yolov8s.pt"))
    )
    assert transfer.base_model == "yolov8s.pt"


def test_custom_license_in_checkpoint_is_not_the_stamp(tmp_path):
    ckpt = ultralytics_checkpoint("yolov8n.pt", license_text="MIT")
    meta = read_weight_metadata(write_torch_zip(tmp_path / "c.pt", ckpt))
    assert meta.license_raw == "MIT" and not meta.ultralytics_stamp


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_raw_pickle_dict_every_protocol(tmp_path, protocol):
    path = tmp_path / "plain.ckpt"
    path.write_bytes(pickle.dumps({"license": "Apache-2.0", "version": "1.2", "arch": "resnet50"}, protocol=protocol))
    meta = read_weight_metadata(path)
    assert meta.error is None and meta.format == "pickle"
    assert (meta.license_raw, meta.fields["arch"]) == ("Apache-2.0", "resnet50")


def test_lightning_checkpoint_hyper_parameters(tmp_path):
    ckpt = {
        "epoch": 3,
        "global_step": 100,
        "pytorch-lightning_version": "2.2.0",
        "state_dict": {},
        "hyper_parameters": {"pretrained_model_name_or_path": "google/vit-base-patch16-224", "lr": 0.001},
    }
    path = tmp_path / "epoch=3.ckpt"
    path.write_bytes(pickle.dumps(ckpt, protocol=4))
    meta = read_weight_metadata(path)
    assert meta.tool == "pytorch-lightning 2.2.0"
    assert meta.base_model == "google/vit-base-patch16-224"
    assert meta.fields["hyper_parameters.lr"] == "0.001"


def test_state_dict_only_checkpoint_has_no_metadata(tmp_path):
    meta = read_weight_metadata(write_torch_zip(tmp_path / "pytorch_model.bin", {"layer.weight": None}))
    assert meta.error is None and meta.license_raw is None and meta.base_model is None and meta.tool is None


def test_unsafe_pickle_inside_zip_is_reported_not_run(tmp_path):
    canary = tmp_path / "canary"
    raw = pickle.dumps({"license": "MIT", "x": SystemCall(touch_command(canary))}, protocol=2)
    meta = read_weight_metadata(write_torch_zip(tmp_path / "evil.pt", None, raw_pickle=raw))
    assert set(meta.unsafe_globals) & {"posix.system", "nt.system"}
    assert meta.license_raw == "MIT"
    assert not canary.exists()


def test_torchscript_archive_reads_ultralytics_extra_config(tmp_path):
    extra = {"code/__torch__/model.py": b"def forward(self): ...", "constants.pkl": pickle.dumps(()),
             "extra/config.txt": b'{"author": "Ultralytics", "license": "%s", "version": "8.2.0"}' % ULTRALYTICS_STAMP.encode()}
    meta = read_weight_metadata(write_torch_zip(tmp_path / "yolo.torchscript.pt", {}, extra=extra))
    assert meta.format == "torchscript" and meta.tool == "ultralytics 8.2.0" and meta.ultralytics_stamp


@pytest.mark.parametrize(
    "name, blob, message",
    [
        ("empty.pt", b"", "empty"),
        ("noise.pt", b"\x80\x04" + b"\xfe" * 50, "pickle"),
        ("truncated.pth", pickle.dumps({"license": "MIT", "x": list(range(100))}, protocol=4)[:-30], "truncated"),
        ("zip.bin", b"PK\x03\x04" + b"\x00" * 40, "zip"),
        ("site.pth", b"import os; os.system('touch canary')\n", "path-configuration"),
        ("model.tflite", b"\x18\x00\x00\x00TFL3" + b"\x00" * 40, "TFLite"),
    ],
)
def test_garbage_files_are_errors_not_crashes(tmp_path, name, blob, message):
    path = tmp_path / name
    path.write_bytes(blob)
    meta = read_weight_metadata(path)
    assert meta.error is not None and message in meta.error


def test_zip_without_data_pkl(tmp_path):
    import zipfile

    path = tmp_path / "other.pt"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert "data.pkl" in (read_weight_metadata(path).error or "")


def test_missing_file_is_an_error(tmp_path):
    assert "cannot read" in (read_weight_metadata(tmp_path / "nope.pt").error or "")


def test_large_raw_pickle_beyond_first_window_is_read(tmp_path):
    path = tmp_path / "big.pkl.pt"
    path.write_bytes(pickle.dumps({"pad": "x" * 3_000_000, "license": "MIT"}, protocol=4))
    meta = read_weight_metadata(path)
    assert meta.error is None and meta.license_raw == "MIT"
