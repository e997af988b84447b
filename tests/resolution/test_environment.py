"""find_site_dirs: --python, project venv, $VIRTUAL_ENV, $CONDA_PREFIX, current interpreter; bad --python errors."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from vlicense.errors import UsageError
from vlicense.resolution.environment import find_site_dirs


def _venv(prefix: Path, version: str = "3.11", windows: bool = False, system_site: bool = False) -> Path:
    site = prefix / "Lib" / "site-packages" if windows else prefix / "lib" / f"python{version}" / "site-packages"
    site.mkdir(parents=True)
    (prefix / "pyvenv.cfg").write_text(
        f"home = /opt/base/bin\ninclude-system-site-packages = {'true' if system_site else 'false'}\n"
        f"version = {version}.2\n")
    bindir = prefix / ("Scripts" if windows else "bin")
    bindir.mkdir()
    exe = bindir / ("python.exe" if windows else "python")
    exe.write_text("#!/bin/false\n")  # never executed
    return site


def test_python_option_with_interpreter_path(tmp_path):
    site = _venv(tmp_path / "env")
    target = find_site_dirs(tmp_path, str(tmp_path / "env" / "bin" / "python"), environ={})
    assert target.site_dirs == (site,)
    assert target.python_version == "3.11"
    assert target.origin == "--python"
    assert "venv" in target.description


def test_python_option_with_directory_and_windows_layout(tmp_path):
    site = _venv(tmp_path / "winenv", version="3.12", windows=True)
    target = find_site_dirs(tmp_path, str(tmp_path / "winenv"), environ={})
    assert target.site_dirs == (site,)
    assert target.python_version == "3.12"
    target = find_site_dirs(tmp_path, str(tmp_path / "winenv" / "Scripts" / "python.exe"), environ={})
    assert target.site_dirs == (site,)


def test_python_option_versioned_symlink(tmp_path):
    site = tmp_path / "conda" / "lib" / "python3.10" / "site-packages"
    site.mkdir(parents=True)
    (tmp_path / "conda" / "conda-meta").mkdir()
    (tmp_path / "conda" / "bin").mkdir()
    real = tmp_path / "conda" / "bin" / "python3.10"
    real.write_text("")
    (tmp_path / "conda" / "bin" / "python").symlink_to(real)
    target = find_site_dirs(tmp_path, str(tmp_path / "conda" / "bin" / "python"), environ={})
    assert target.python_version == "3.10"
    assert target.site_dirs == (site,)
    assert target.description.startswith("conda env")


def test_system_site_packages_are_added_after_the_venv(tmp_path):
    base_site = tmp_path / "opt" / "lib" / "python3.11" / "site-packages"
    base_site.mkdir(parents=True)
    prefix = tmp_path / "env"
    site = _venv(prefix, system_site=True)
    cfg = (prefix / "pyvenv.cfg").read_text().replace("/opt/base/bin", str(tmp_path / "opt" / "bin"))
    (prefix / "pyvenv.cfg").write_text(cfg)
    assert find_site_dirs(tmp_path, str(prefix), environ={}).site_dirs == (site, base_site)


@pytest.mark.parametrize("bad", ["does/not/exist/python", "empty-dir"])
def test_bad_python_option_is_a_usage_error(tmp_path, bad):
    (tmp_path / "empty-dir").mkdir()
    with pytest.raises(UsageError) as info:
        find_site_dirs(tmp_path, str(tmp_path / bad), environ={})
    assert info.value.where == str(tmp_path / bad)
    assert info.value.fix


def test_project_venv_then_env_vars_then_current(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    venv_site = _venv(project / ".venv")
    other_site = _venv(tmp_path / "activated", version="3.12")
    conda_site = tmp_path / "conda" / "lib" / "python3.10" / "site-packages"
    conda_site.mkdir(parents=True)

    assert find_site_dirs(project, environ={"VIRTUAL_ENV": str(tmp_path / "activated")}).site_dirs == (venv_site,)
    bare = tmp_path / "bare"
    bare.mkdir()
    env_target = find_site_dirs(bare, environ={"VIRTUAL_ENV": str(tmp_path / "activated"),
                                               "CONDA_PREFIX": str(tmp_path / "conda")})
    assert (env_target.site_dirs, env_target.origin) == ((other_site,), "VIRTUAL_ENV")
    conda_target = find_site_dirs(bare, environ={"CONDA_PREFIX": str(tmp_path / "conda")})
    assert (conda_target.site_dirs, conda_target.python_version) == ((conda_site,), "3.10")
    current = find_site_dirs(bare, environ={})
    assert current.origin == "current-interpreter"
    assert current.python_version == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert current.site_dirs and all(d.is_dir() for d in current.site_dirs)


def test_plain_venv_dir_name_is_found(tmp_path):
    site = _venv(tmp_path / "venv")
    assert find_site_dirs(tmp_path, environ={}).site_dirs == (site,)


def test_pyvenv_cfg_is_read_only_up_to_its_cap(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from vlicense.resolution.environment import MAX_PYVENV_CFG, cfg_version, read_pyvenv_cfg

    cfg = tmp_path / "pyvenv.cfg"
    cfg.write_text("home = /usr/bin\nversion = 3.11.7\n" + "x" * (3 * MAX_PYVENV_CFG) + "\nversion_info = 9.9\n")
    values = read_pyvenv_cfg(cfg)
    assert values["version"] == "3.11.7" and "version_info" not in values  # nothing past the cap is read
    assert cfg_version(values) == "3.11"
    assert read_pyvenv_cfg(tmp_path / "missing.cfg") == {}
