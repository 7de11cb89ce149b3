"""A course listed under [[unplaced]] is on hold for a clinician: check does not judge its
shape (TMS008, TMS009, TMS011, TMS012, TMS014, TMS015), while its appointments still
count for chairs, staff and the patient."""

from __future__ import annotations

from pathlib import Path

import pytest

from check_helpers import FIXTURES, run

HOLD = '\n[[unplaced]]\nid = "{pid}"\nprotocol = "{protocol}"\nreason = "on hold for a clinician"\n'


def on_hold(tmp_path: Path, case: str, pid: str, protocol: str) -> Path:
    out = tmp_path / case
    out.write_text((FIXTURES / case).read_text(encoding="utf-8") + HOLD.format(pid=pid, protocol=protocol),
                   encoding="utf-8")
    return out


@pytest.mark.parametrize("case", ["tms008.toml", "tms009.toml", "tms011.toml", "tms012.toml", "tms014.toml",
                                  "tms015.toml"])
def test_the_shape_of_a_course_on_hold_is_not_judged(tmp_path: Path, case: str):
    (finding,) = run(FIXTURES / case).findings
    held = on_hold(tmp_path, case, finding.patient, _protocol(FIXTURES / case, finding.patient))
    assert run(held).findings == []


def test_a_course_on_hold_still_occupies_its_chair(tmp_path: Path):
    (finding,) = run(FIXTURES / "tms001.toml").findings
    held = on_hold(tmp_path, "tms001.toml", finding.patient, _protocol(FIXTURES / "tms001.toml", finding.patient))
    assert [f.code for f in run(held).findings] == ["TMS001"]


def _protocol(path: Path, pid: str) -> str:
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index(f'id = "{pid}"')
    return lines[at + 1].split('"')[1]
