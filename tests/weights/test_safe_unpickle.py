"""The restricted unpickler: nothing from the file is imported or called; dangerous globals are reported."""

from __future__ import annotations

import argparse
import collections
import os
import pickle
import subprocess
import sys

import pytest
from weight_files import (
    ExecCall,
    SystemCall,
    tensor,
    torch_pickle,
    touch_command,
    ultralytics_checkpoint,
)

from vlicense.resolution.safe_unpickle import (
    PersistentRef,
    Stub,
    classify_global,
    plain,
    safe_loads,
    scan_globals,
    top_keys,
)

PROTOCOLS = range(pickle.HIGHEST_PROTOCOL + 1)


class SubprocessCall:
    def __init__(self, argv):
        self.argv = argv

    def __reduce__(self):
        return (subprocess.call, (self.argv,))


def test_payload_is_live_when_loaded_for_real(tmp_path):
    # The control: the same bytes DO run code with the real unpickler, so the safe tests below can fail.
    canary = tmp_path / "real.txt"
    pickle.loads(pickle.dumps({"x": SystemCall(touch_command(canary))}))
    assert canary.read_text() == "pwned"


@pytest.mark.parametrize("protocol", PROTOCOLS)
@pytest.mark.parametrize(
    "payload, expected",
    [
        (lambda c: SystemCall(touch_command(c)), {"posix.system", "nt.system"}),
        (lambda c: ExecCall(f"open({str(c)!r}, 'w').write('pwned')"), {"builtins.exec"}),
        (lambda c: SubprocessCall([sys.executable, "-c", f"open({str(c)!r}, 'w')"]), {"subprocess.call"}),
    ],
    ids=["os.system", "exec", "subprocess"],
)
def test_payloads_never_run_and_are_reported(tmp_path, protocol, payload, expected):
    canary = tmp_path / "canary.txt"
    data = pickle.dumps({"license": "MIT", "model": payload(canary)}, protocol=protocol)
    result = safe_loads(data)
    assert not canary.exists()
    assert result.error is None
    assert set(result.dangerous) & expected
    assert top_keys(result.value)["license"] == "MIT"


def test_stub_records_call_arguments_instead_of_calling(tmp_path):
    result = safe_loads(pickle.dumps(SystemCall("echo hi"), protocol=2))
    assert isinstance(result.value, Stub)
    assert result.value.stub_global in ("posix.system", "nt.system")
    assert result.value.stub_args == ("echo hi",)


@pytest.mark.parametrize("protocol", PROTOCOLS)
def test_plain_values_round_trip(protocol):
    value = {
        "license": "Apache-2.0",
        "n": 3,
        "f": 0.5,
        "nested": {"a": [1, 2, (3, 4)], "b": None, "c": True},
        "od": collections.OrderedDict(x=1),
        "ns": argparse.Namespace(model="yolov8n.pt", epochs=3),
    }
    result = safe_loads(pickle.dumps(value, protocol=protocol))
    assert result.error is None
    assert result.dangerous == []
    assert plain(result.value) == {
        "license": "Apache-2.0",
        "n": 3,
        "f": 0.5,
        "nested": {"a": [1, 2, [3, 4]], "b": None, "c": True},
        "od": {"x": 1},
        "ns": {"model": "yolov8n.pt", "epochs": 3},
    }


def test_torch_checkpoint_globals_are_known_ml_classes():
    result = safe_loads(torch_pickle(ultralytics_checkpoint()))
    assert result.error is None
    assert result.dangerous == [] and result.unknown == []
    assert {"torch._utils._rebuild_tensor_v2", "torch.FloatStorage", "ultralytics.nn.tasks.DetectionModel"} <= set(
        result.globals
    )
    model = top_keys(result.value)["model"]
    assert isinstance(model, Stub) and model.stub_global == "ultralytics.nn.tasks.DetectionModel"
    weight = model.stub_state["_modules"].stub_items["conv"].stub_state["_parameters"].stub_items["weight"]
    assert isinstance(weight.stub_args[0], PersistentRef)  # tensor storage: an id, never data
    assert weight.stub_args[0].pid[0] == "storage"


def test_persistent_ids_without_storage_are_placeholders():
    data = torch_pickle({"w": tensor("7")})
    assert plain(safe_loads(data).value)["w"] == "<tensor>"
    assert plain(safe_loads(data).value["w"].stub_args[0]) == "<tensor storage>"


@pytest.mark.parametrize(
    "data",
    [b"", b"\x80", b"\x80\x05garbage", b"not a pickle at all", b"\x80\x02}q\x00(X\x07\x00\x00\x00lic", b"\xff" * 100],
)
def test_garbage_and_truncated_never_raise(data):
    result = safe_loads(data)
    assert result.error is not None
    assert result.value is None


def test_truncated_pickle_still_reports_its_dangerous_global(tmp_path):
    canary = tmp_path / "c"
    data = pickle.dumps([SystemCall(touch_command(canary)), "x" * 100], protocol=4)
    result = safe_loads(data[:-20])
    assert result.error is not None
    assert set(result.dangerous) & {"posix.system", "nt.system"}
    assert not canary.exists()


def test_scan_globals_sees_stack_global_through_memo():
    data = pickle.dumps([os.system, os.system, exec], protocol=4)
    assert {"builtins.exec"} <= set(scan_globals(data))
    assert {"posix.system", "nt.system"} & set(scan_globals(data))


def test_deep_nesting_is_bounded():
    data = b"(" * 5_000 + b"l" * 5_000 + b"."  # protocol 0: lists nested 5,000 deep
    result = safe_loads(data)
    assert result.error is None
    # Loading is iterative in CPython; converting to plain data stops at the depth cap instead of recursing.
    text = repr(plain(result.value))
    assert "<truncated>" in text


def test_nesting_beyond_the_cap_is_refused_before_unpickling():
    data = b"(" * 100_000 + b"l" * 100_000 + b"."  # every MARK costs the unpickler memory: refused, and said why
    result = safe_loads(data)
    assert result.value is None and result.error == "pickle nests deeper than 10,000 levels"


@pytest.mark.parametrize(
    "module, name, expected",
    [
        ("os", "system", "dangerous"),
        ("posix", "system", "dangerous"),
        ("nt", "system", "dangerous"),
        ("subprocess", "Popen", "dangerous"),
        ("builtins", "eval", "dangerous"),
        ("__builtin__", "exec", "dangerous"),
        ("builtins", "getattr", "dangerous"),
        ("builtins", "__import__", "dangerous"),
        ("runpy", "run_path", "dangerous"),
        ("importlib", "import_module", "dangerous"),
        ("socket", "socket", "dangerous"),
        ("shutil", "rmtree", "dangerous"),
        ("pty", "spawn", "dangerous"),
        ("webbrowser", "open", "dangerous"),
        ("torch", "load", "dangerous"),
        ("torch.hub", "load", "dangerous"),
        ("operator", "attrgetter", "dangerous"),
        # A module object reached through an allowed package is as good as importing it.
        ("torch", "os", "dangerous"),
        ("ultralytics.utils", "subprocess", "dangerous"),
        ("pathlib", "Path.write_text", "dangerous"),
        ("builtins", "str.__class__", "dangerous"),
        ("torch._utils", "_rebuild_tensor_v2", "safe"),
        ("torch._utils", "_rebuild_parameter", "safe"),
        ("torch", "HalfStorage", "safe"),
        ("torch", "float16", "safe"),
        ("collections", "OrderedDict", "safe"),
        ("argparse", "Namespace", "safe"),
        ("numpy.core.multiarray", "_reconstruct", "safe"),
        ("ultralytics.nn.tasks", "DetectionModel", "safe"),
        ("torch.nn.modules.conv", "Conv2d", "safe"),
        ("pathlib", "PosixPath", "safe"),
        # Look-alikes: not dangerous, but not known either.
        ("models.yolo", "Model", "unknown"),
        ("functools", "partial", "unknown"),
        ("builtins", "print", "unknown"),
        ("torch.nn.functional", "silu", "unknown"),
        ("mypackage.os_utils", "Helper", "unknown"),
        ("ultralytics.nn.tasks", "guess_model_task", "unknown"),
    ],
)
def test_classify_global(module, name, expected):
    assert classify_global(module, name) == expected
