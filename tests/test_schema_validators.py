"""The shipped schemas, read by check-jsonschema (a validator editors' and CI's users run) as
they would: TOML files checked against the schema file, with formats."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main

pytest.importorskip("check_jsonschema")

REPO = Path(__file__).resolve().parent.parent
FUZZ = Path(__file__).parent / "fixtures" / "fuzz"


def validate(schema: Path, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--schemafile", str(schema), *map(str, files)],
                          capture_output=True, text=True, timeout=120)


def test_config_example_and_files_with_local_date_times_pass():
    schemas = REPO / "schemas"
    done = validate(schemas / "clinic.schema.json", REPO / "config.example.toml", FUZZ / "base-clinic.toml")
    assert done.returncode == 0, done.stdout + done.stderr
    done = validate(schemas / "schedule.schema.json", FUZZ / "base-schedule.toml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_init_starters_pass_against_the_schemas_init_writes_beside_them(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    for kind in ("clinic", "roster"):
        done = validate(tmp_path / f"{kind}.schema.json", tmp_path / f"{kind}.toml")
        assert done.returncode == 0, done.stdout + done.stderr


def test_a_typo_fails(tmp_path):
    bad = tmp_path / "clinic.toml"
    bad.write_text((REPO / "config.example.toml").read_text(encoding="utf-8").replace("slot_minutes =", "slot_minute ="),
                   encoding="utf-8")
    done = validate(REPO / "schemas" / "clinic.schema.json", bad)
    assert done.returncode == 1
    assert "'slot_minute' was unexpected" in done.stdout


def taplo(folder: Path, name: str) -> subprocess.CompletedProcess:
    """taplo, as an editor's TOML support runs it: the file's own #:schema directive names the schema."""
    import shutil

    exe = shutil.which("taplo") or str(Path(sys.executable).parent / "taplo")
    return subprocess.run([exe, "check", name], cwd=folder, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "RUST_LOG": "error"})


def test_taplo_follows_the_examples_directive_and_accepts_it():
    done = taplo(REPO, "config.example.toml")
    assert done.returncode == 0, done.stdout + done.stderr


def test_taplo_accepts_init_starters_and_rejects_a_typo(tmp_path):
    assert CliRunner().invoke(main, ["init", str(tmp_path)]).exit_code == 0
    for name in ("clinic.toml", "roster.toml"):
        done = taplo(tmp_path, name)
        assert done.returncode == 0, done.stdout + done.stderr
    clinic = tmp_path / "clinic.toml"
    clinic.write_text(clinic.read_text(encoding="utf-8").replace("slot_minutes =", "slot_minute ="), encoding="utf-8")
    done = taplo(tmp_path, "clinic.toml")
    assert done.returncode == 1
    assert "'slot_minute' was unexpected" in done.stdout + done.stderr


def test_taplo_accepts_local_date_times(tmp_path):
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "clinic.schema.json").write_bytes((REPO / "schemas" / "clinic.schema.json").read_bytes())
    text = (FUZZ / "base-clinic.toml").read_text(encoding="utf-8")
    assert "T12:00:00" in text, "the file holds a partial-day downtime"
    (tmp_path / "clinic.toml").write_text("#:schema ./schemas/clinic.schema.json\n" + text, encoding="utf-8")
    done = taplo(tmp_path, "clinic.toml")
    assert done.returncode == 0, done.stdout + done.stderr
