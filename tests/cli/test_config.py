"""Settings layers: command line > VLICENSE_* environment > [tool.vlicense] > defaults; unknown keys are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from vlicense.cli import audit, main
from vlicense.config import SETTINGS, load_settings, read_environment
from vlicense.errors import ConfigError


def write_pyproject(root: Path, body: str) -> Path:
    (root / "pyproject.toml").write_text("[project]\nname = 'x'\n\n[tool.vlicense]\n" + body)
    return root


def test_defaults_when_nothing_is_set(tmp_path):
    settings = load_settings(tmp_path, {}, {})
    assert settings["policy"] == "closed-source-saas" and settings["fail-on"] == "error"
    assert settings["format"] == ["text"] and settings["offline"] is False and settings["exclude"] == []
    assert set(settings.origins.values()) == {"default"}


def test_precedence_cli_over_env_over_pyproject_over_default(tmp_path):
    write_pyproject(tmp_path, 'policy = "internal"\nfail-on = "warning"\nexclude = ["build/*"]\noffline = true\n')
    env = {"VLICENSE_FAIL_ON": "never", "VLICENSE_EXCLUDE": "a/*, b/*"}
    settings = load_settings(tmp_path, {"exclude": ("c/*",), "policy": None, "offline": None}, env)
    assert settings["policy"] == "internal" and settings.origins["policy"] == "pyproject.toml [tool.vlicense]"
    assert settings["fail-on"] == "never" and settings.origins["fail-on"] == "environment VLICENSE_FAIL_ON"
    assert settings["exclude"] == ["c/*"] and settings.origins["exclude"] == "command line"
    assert settings["offline"] is True  # pyproject; the CLI did not give it (None)
    assert settings["python"] is None and settings.origins["python"] == "default"


def test_cli_false_beats_env_true(tmp_path):
    settings = load_settings(tmp_path, {"offline": False}, {"VLICENSE_OFFLINE": "1"})
    assert settings["offline"] is False and settings.origins["offline"] == "command line"


@pytest.mark.parametrize(("raw", "value"), [("1", True), ("TRUE", True), ("yes", True), ("on", True),
                                            ("0", False), ("false", False), ("No", False), ("off", False)])
def test_boolean_environment_values(raw, value):
    assert read_environment({"VLICENSE_OFFLINE": raw}) == {"offline": value}


@pytest.mark.parametrize("raw", ["2", "yep", "truthy"])
def test_bad_boolean_names_the_variable(raw):
    with pytest.raises(ConfigError, match="VLICENSE_OFFLINE"):
        read_environment({"VLICENSE_OFFLINE": raw})


def test_lists_in_the_environment_are_comma_separated_and_empty_means_unset():
    assert read_environment({"VLICENSE_FORMAT": "memo, json", "VLICENSE_EXCLUDE": "my dir/*"}) == {
        "format": ["memo", "json"], "exclude": ["my dir/*"]}
    assert read_environment({"VLICENSE_POLICY": "  "}) == {}


def test_every_setting_has_an_environment_variable_and_the_names_match_the_options():
    assert {s.env for s in SETTINGS.values()} == {
        "VLICENSE_POLICY", "VLICENSE_FORMAT", "VLICENSE_OUTPUT", "VLICENSE_OFFLINE", "VLICENSE_PYTHON",
        "VLICENSE_FAIL_ON", "VLICENSE_EXCLUDE", "VLICENSE_BASELINE", "VLICENSE_NEW_SINCE", "VLICENSE_CACHE",
        "VLICENSE_TEMPLATE_DIR"}
    # The audit command's options and the settings table describe the same things, by the same names.
    option_names = {opt.lstrip("-") for p in audit.params for opt in p.opts if opt.startswith("--")}
    assert set(SETTINGS) <= option_names
    # One-shot actions and terminal preferences are command-line only.
    assert option_names - set(SETTINGS) == {"debug", "quiet", "verbose", "color", "write-baseline"}


def test_unknown_environment_variable_is_an_error_naming_it(tmp_path):
    with pytest.raises(ConfigError, match="VLICENSE_FAILON"):
        load_settings(tmp_path, {}, {"VLICENSE_FAILON": "warning"})


@pytest.mark.parametrize(("body", "named"), [
    ('fail_on = "warning"\n', "fail_on"),
    ('polcy = "internal"\n', "polcy"),
    ('format = 3\n', "format"),
    ('offline = "yes"\n', "offline"),
    ('fail-on = "sometimes"\n', "fail-on"),
    ('exclude = [1, 2]\n', "exclude"),
])
def test_bad_pyproject_values_name_the_key(tmp_path, body, named):
    write_pyproject(tmp_path, body)
    with pytest.raises(ConfigError) as error:
        load_settings(tmp_path, {}, {})
    assert named in error.value.message()


def test_bad_choice_from_the_environment_names_the_variable(tmp_path):
    with pytest.raises(ConfigError, match="VLICENSE_FAIL_ON"):
        load_settings(tmp_path, {}, {"VLICENSE_FAIL_ON": "sometimes"})


def test_unparsable_pyproject_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.vlicense\npolicy=")
    with pytest.raises(ConfigError, match="pyproject.toml"):
        load_settings(tmp_path, {}, {})


def test_paths_in_pyproject_are_relative_to_the_project_but_preset_names_stay_names(tmp_path):
    write_pyproject(tmp_path, 'policy = "policies/mine.yaml"\noutput = ["reports/memo.md"]\npython = ".venv"\n')
    settings = load_settings(tmp_path, {}, {})
    assert settings["policy"] == str(tmp_path / "policies/mine.yaml")
    assert settings["output"] == [str(tmp_path / "reports/memo.md")]
    assert settings["python"] == str(tmp_path / ".venv")
    write_pyproject(tmp_path, 'policy = "internal"\n')
    assert load_settings(tmp_path, {}, {})["policy"] == "internal"


def run(argv, capsys):
    with pytest.raises(SystemExit) as done:
        main(argv)
    out, err = capsys.readouterr()
    return done.value.code, out, err


def test_end_to_end_pyproject_policy_and_env_override(tmp_path, capsys, monkeypatch):
    (tmp_path / "app.py").write_text("from ultralytics import YOLO\nm = YOLO('yolo11n.pt')\n")
    write_pyproject(tmp_path, 'policy = "internal"\n')
    assert run(["audit", str(tmp_path), "--offline"], capsys)[0] == 0  # internal use: AGPL is info
    monkeypatch.setenv("VLICENSE_POLICY", "closed-source-saas")
    assert run(["audit", str(tmp_path), "--offline"], capsys)[0] == 1  # the environment beats pyproject
    assert run(["audit", str(tmp_path), "--offline", "--policy", "internal"], capsys)[0] == 0  # the CLI beats both
    monkeypatch.setenv("VLICENSE_FAIL_ON", "never")
    assert run(["audit", str(tmp_path), "--offline"], capsys)[0] == 0


def test_config_errors_exit_2_with_one_line(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VLICENSE_OFFLINE", "maybe")
    code, out, err = run(["audit", str(tmp_path)], capsys)
    assert code == 2 and out == "" and "VLICENSE_OFFLINE" in err and len(err.strip().splitlines()) == 1
