"""Shell commands Python code runs (``os.system``, ``subprocess.run/call/check_call/check_output/Popen``): the
command's text, as far as it is constant, read by the shell scanner at the call's line."""

from __future__ import annotations

import ast
import shlex
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the loader package imports this module: no import of it at run time
    from vlicense.discovery.loaders.base import CallSite, Reference

# Callee -> (position, keyword) of the argument that holds the command (a string, or an argv list).
COMMAND_CALLS: dict[str, tuple[int, str]] = {
    "os.system": (0, "command"),
    "os.popen": (0, "cmd"),
    "subprocess.run": (0, "args"),
    "subprocess.call": (0, "args"),
    "subprocess.check_call": (0, "args"),
    "subprocess.check_output": (0, "args"),
    "subprocess.Popen": (0, "args"),
    "subprocess.getoutput": (0, "cmd"),
    "subprocess.getstatusoutput": (0, "cmd"),
}
# A command with none of these words runs nothing the shell scanner reads (most subprocess calls: git, ffmpeg).
COMMAND_WORDS = ("wget", "curl", "gdown", "aria2c", "axel", "yolo", "hf", "huggingface", "git", "python", ".py", "sh")
SOURCE_WORDS = ("wget", "curl", "gdown", "aria2c", "axel", "yolo", "huggingface-cli", "hf download", "--weight",
                "--checkpoint", "--ckpt", "--model", ".pt", ".pth", ".onnx", ".safetensors", ".ckpt")  # fmt: skip
MAX_CANDIDATES = 8


def may_run_commands(source: str, modules: set[str]) -> bool:
    """Cheap test: a module (importing ``modules``) that may run a download or a weights command."""
    if "subprocess" not in modules and not ("os" in modules and ("system(" in source or "popen(" in source)):
        return False
    return any(w in source for w in SOURCE_WORDS)


def command_texts(site: CallSite) -> list[str]:
    """The command lines a call runs, with ``{expr}`` for the parts known only at run time ([] when none)."""
    pos, kw = COMMAND_CALLS[site.qualname]
    node = site.arg_node(pos, kw)
    if node is None:
        return []
    return [t for t in _texts(node, site) if any(word in t for word in COMMAND_WORDS)]


def _texts(node: ast.AST, site: CallSite) -> list[str]:
    if isinstance(node, ast.JoinedStr):
        return ["".join(_piece(v, site) for v in node.values)]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _texts(node.left, site), _texts(node.right, site)
        return [a + b for a in left for b in right][:MAX_CANDIDATES] if left and right else []
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "join"
            and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str) and len(node.args) == 1):
        words = _argv(node.args[0], site)
        return [node.func.value.value.join(words)] if words is not None else []
    if isinstance(node, (ast.List, ast.Tuple)):
        words = _argv(node, site)
        return [shlex.join(words).replace("'{", "{").replace("}'", "}")] if words is not None else []
    return site.evaluate(node).strings(MAX_CANDIDATES)


def _piece(node: ast.AST, site: CallSite) -> str:
    """One part of an f-string: its constant text, or ``{expr}``."""
    if isinstance(node, ast.Constant):
        return str(node.value)
    if isinstance(node, ast.FormattedValue):
        value = site.evaluate(node.value)
        if value.kind == "const" and value.value is not None:
            return str(value.value)
        return f"{{{site.segment(node.value)}}}"
    return ""


def _argv(node: ast.AST, site: CallSite) -> list[str] | None:
    """The words of an argv list (``["wget", url, "-O", dst]``); an unknown word is ``{expr}``."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        value = site.evaluate(node)
        if value.kind != "container" or value.value[0] != "seq":  # type: ignore[index]
            return None
        items = value.value[1]  # type: ignore[index]
        return [v.value if v.kind == "const" and isinstance(v.value, str) else f"{{{v.text}}}" for v in items]
    words = []
    for element in node.elts:
        if isinstance(element, ast.Starred):
            return None
        strings = site.evaluate(element).strings(MAX_CANDIDATES)
        words.append(strings[0] if len(strings) == 1 else f"{{{site.segment(element)}}}")
    return words


def command_references(site: CallSite) -> list[Reference]:
    """Model references and unresolved entries of the commands a call runs, at the call's location."""
    from vlicense.discovery import shell  # late: the shell scanner imports the loader helpers

    commands = [(site.location, text) for text in command_texts(site)]
    return shell.command_lines(commands, site.location.path, site.scope, api_prefix=f"{site.qualname}: ")


class _CommandLoader:
    """Pre-catalog adapter: calls that run shell commands, as a loader idiom."""

    name = "commands"
    modules = ("os", "subprocess")
    # The pre-filter asks may_run_commands (two words at once) instead of single trigger words.
    triggers = ()
    def wrapper_allowed(self, qualname: str, function: str, refs: list[Reference]) -> bool:
        """A helper whose command is not read (``subprocess.run(cmd)``) is not a wrapper worth following."""
        return bool(refs)

    def handles(self, qualname: str) -> bool:
        return qualname in COMMAND_CALLS

    def analyze(self, site: CallSite) -> list[Reference]:
        return command_references(site)


LOADER = _CommandLoader()
