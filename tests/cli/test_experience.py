"""Terminal experience: -q/-v, colour (NO_COLOR, --color), progress on a terminal only, completion, teaching help."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vlicense.cli import Spinner, cli, colorize_text, main, resolve_color

REPO = Path(__file__).resolve().parents[2]
FAILING = REPO / "examples" / "shelf-auditor"
CLEAN = REPO / "examples" / "shelf-auditor-clean"
ANSI = "\x1b["


def run(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return done.value.code, out, err


# ------------------------------------------------------------------------------------------- quiet/verbose


def test_quiet_prints_nothing_but_keeps_the_exit_code(capsys):
    code, out, err = run(["-q", "audit", str(FAILING), "--offline"], capsys)
    assert code == 1 and out == "" and err == ""
    code, out, err = run(["audit", str(FAILING), "--offline", "--quiet"], capsys)
    assert code == 1 and out == "" and err == ""


def test_quiet_still_writes_requested_reports_but_no_notes(tmp_path, capsys):
    target = tmp_path / "r.json"
    code, out, err = run(["-q", "audit", str(CLEAN), "--offline", "-f", "json", "-o", str(target)], capsys)
    assert code == 0 and out == "" and err == "" and target.read_text().startswith("{")
    code, out, err = run(["audit", str(CLEAN), "--offline", "-f", "json", "-o", str(target)], capsys)
    assert f"wrote the json report to {target}" in err


def test_quiet_with_an_explicit_format_still_prints_it(capsys):
    code, out, _ = run(["-q", "audit", str(CLEAN), "--offline", "-f", "json"], capsys)
    assert code == 0 and out.startswith("{")


def test_verbose_shows_setting_origins_environment_and_offline_sources(tmp_path, capsys, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.vlicense]\npolicy = "internal"\n')
    monkeypatch.setenv("VLICENSE_FAIL_ON", "warning")
    code, out, err = run(["audit", str(tmp_path), "-v", "--offline"], capsys)
    assert "setting policy = 'internal'  (pyproject.toml [tool.vlicense])" in err
    assert "setting fail-on = 'warning'  (environment VLICENSE_FAIL_ON)" in err
    assert "setting offline = True  (command line)" in err
    assert "setting exclude = []  (default)" in err
    assert "target environment:" in err and "sources offline: Hugging Face Hub" in err
    assert "vlicense: FAIL" not in err  # the report itself stays on stdout


def test_without_verbose_there_are_no_setting_lines(capsys):
    _, _, err = run(["audit", str(CLEAN), "--offline"], capsys)
    assert "setting " not in err and "target environment" not in err


def test_quiet_and_verbose_together_is_a_usage_error(capsys):
    code, _, err = run(["-q", "-v", "audit", str(CLEAN)], capsys)
    assert code == 2 and "--quiet and --verbose" in err


def test_verbose_from_the_environment(capsys, monkeypatch):
    monkeypatch.setenv("VLICENSE_VERBOSE", "1")
    _, _, err = run(["audit", str(CLEAN), "--offline"], capsys)
    assert "setting policy" in err


# --------------------------------------------------------------------------------------------------- colour


@pytest.mark.parametrize(("flag", "env", "expected"), [
    (None, {}, None),                              # auto: click colours terminals only
    (None, {"NO_COLOR": "1"}, False),
    (None, {"NO_COLOR": ""}, None),                # NO_COLOR set but empty does not count (no-color.org)
    (True, {"NO_COLOR": "1"}, True),               # an explicit --color wins
    (None, {"NO_COLOR": "1", "VLICENSE_COLOR": "1"}, True),
    (False, {"VLICENSE_COLOR": "1"}, False),
])
def test_resolve_color(flag, env, expected):
    assert resolve_color(flag, env) is expected


def test_text_report_is_coloured_only_when_asked(capsys, monkeypatch):
    _, plain, _ = run(["audit", str(FAILING), "--offline"], capsys)  # captured stdout is not a terminal
    assert ANSI not in plain
    _, coloured, _ = run(["audit", str(FAILING), "--offline", "--color"], capsys)
    assert ANSI in coloured and "\x1b[31m\x1b[1mFAIL" in coloured
    monkeypatch.setenv("NO_COLOR", "1")
    _, again, _ = run(["--color", "audit", str(FAILING), "--offline"], capsys)
    assert ANSI in again  # --color beats NO_COLOR
    _, none, _ = run(["audit", str(FAILING), "--offline"], capsys)
    assert ANSI not in none


def test_json_is_never_coloured(capsys):
    _, out, _ = run(["audit", str(FAILING), "--offline", "--color", "-f", "json"], capsys)
    assert ANSI not in out


def test_colorize_text_styles_only_verdict_and_severity_words():
    text = "vlicense: FAIL (policy x)\n  ERROR   a.py:1  pypi:x\n  WARNING b.py:2\nERROR in prose stays\n"
    styled = colorize_text(text)
    assert styled.count(ANSI) == 3 * 2 - 0 or styled.count("\x1b[0m") == 3
    assert "ERROR in prose stays" in styled  # not indented: not a finding line


# ------------------------------------------------------------------------------------------------- progress


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_spinner_draws_stage_and_count_then_erases_itself():
    stream = FakeTerminal()
    with Spinner(stream, delay=0.0, interval=0.01) as spinner:
        spinner.update("discovering files", 120, 800)
        time.sleep(0.1)
    text = stream.getvalue()
    assert "vlicense: discovering files 120/800" in text
    assert text.endswith("\r\x1b[K")


def test_spinner_stays_silent_for_short_runs():
    stream = FakeTerminal()
    with Spinner(stream, delay=5.0, interval=0.01):
        time.sleep(0.05)
    assert stream.getvalue() == ""


def test_no_progress_when_stderr_is_not_a_terminal():
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-m", "vlicense", "audit", str(FAILING)], capture_output=True, text=True, env=env)
    assert done.returncode == 1 and done.stderr == "", done.stderr


def test_progress_on_a_real_terminal(monkeypatch):
    """stderr on a pseudo-terminal: the spinner draws (delay forced to 0) and the line is erased at the end."""
    pty = pytest.importorskip("pty")
    leader, follower = pty.openpty()
    code = ("import vlicense.cli as c; c.Spinner.__init__.__kwdefaults__.update(delay=0.0, interval=0.01); "
            "import sys; sys.argv = ['vlicense', 'audit', sys.argv[1], '--offline']; c.main()")
    env = dict(os.environ, HF_HUB_OFFLINE="1")
    done = subprocess.run([sys.executable, "-c", code, str(FAILING)], stdout=subprocess.PIPE, stderr=follower, env=env,
                          timeout=120)
    os.close(follower)
    chunks = []
    while True:
        try:
            data = os.read(leader, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    err = b"".join(chunks).decode()
    assert done.returncode == 1
    assert "vlicense: " in err and err.endswith("\r\x1b[K")


# ----------------------------------------------------------------------------------------- completion, help


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_shell_completion_script(shell):
    env = dict(os.environ, _VLICENSE_COMPLETE=f"{shell}_source")
    done = subprocess.run([sys.executable, "-c", "from vlicense.cli import main; main()"], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0
    assert "_VLICENSE_COMPLETE" in done.stdout and ("complete" in done.stdout)


def _complete(words: str) -> list[str]:
    env = dict(os.environ, _VLICENSE_COMPLETE="bash_complete", COMP_WORDS=words, COMP_CWORD=str(len(words.split()) - (0 if words.endswith(" ") else 1)))
    done = subprocess.run([sys.executable, "-c", "from vlicense.cli import main; main()"], capture_output=True,
                          text=True, env=env)
    return [line.split(",", 1)[1] for line in done.stdout.splitlines() if "," in line]


def test_completion_offers_commands_formats_presets_and_identifiers():
    assert {"audit", "explain"} <= set(_complete("vlicense a")) | set(_complete("vlicense e"))
    assert set(_complete("vlicense audit --format ")) >= {"json", "memo", "text"}
    assert "closed-source-saas" in _complete("vlicense audit --policy clo")
    assert "network-copyleft" in _complete("vlicense explain network")
    assert "AGPL-3.0-only" in _complete("vlicense explain AGPL")
    assert _complete("vlicense audit --fail-on w") == ["warning"]


def test_help_teaches_with_examples_and_exit_codes(capsys):
    _, out, _ = run(["--help"], capsys)
    assert "Examples:" in out and "vlicense audit ." in out and "VLICENSE_<NAME>" in out
    _, out, _ = run(["audit", "--help"], capsys)
    for text in ("Examples:", "Exit codes:", "--fail-on", "VLICENSE_FAIL_ON", "-o memo.md", "json"):
        assert text in out
    _, out, _ = run(["explain", "--help"], capsys)
    assert "vlicense explain network-copyleft" in out and "pypi:ultralytics" in out


def test_every_command_has_help_text():
    def walk(command, path):
        yield path, command
        for name, sub in getattr(command, "commands", {}).items():
            yield from walk(sub, f"{path} {name}")
    for path, command in walk(cli, "vlicense"):
        assert (command.help or "").strip(), path
        for param in command.params:
            if param.param_type_name == "option":
                assert (param.help or "").strip(), f"{path} {param.opts}"
