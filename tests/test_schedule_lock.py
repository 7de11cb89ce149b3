"""Two writers on one schedule at the same moment: both changes land, one after the other."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tms_sched.cli import main
from tms_sched.io.lock import lock_path, schedule_lock
from tms_sched.io.schedule import load_schedule

FUZZ = Path(__file__).parent / "fixtures" / "fuzz"
# Without the lock every pair loses one of its two updates (ten pairs fail every time);
# more pairs cost time and found nothing more.
PAIRS = 25
LATER = "2027-12-31"  # a "today" after every appointment, so each may be marked done

ROSTER = "".join(f"""
[[patients]]
id = "P-{n}"
protocol = "standard-10hz"
start_after = 2027-01-04
""" for n in range(1, 9))


@pytest.fixture(scope="module")
def planned(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("lock")
    shutil.copy(FUZZ / "base-clinic.toml", folder / "clinic.toml")
    (folder / "roster.toml").write_text(ROSTER)
    result = CliRunner().invoke(main, ["plan", str(folder / "clinic.toml"), "--roster", str(folder / "roster.toml"),
                                       "-o", str(folder / "planned.toml"), "--today", "2027-01-04"])
    assert result.exit_code == 0, result.output
    return folder / "planned.toml"


def _mark(path: str, patient: str, day: str, at: str, barrier) -> None:
    barrier.wait()
    try:
        code = main(["mark", path, patient, day, at, "done", "--today", LATER], standalone_mode=False)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        code = 3
    os._exit(code or 0)


def test_concurrent_marks_lose_no_update(planned, tmp_path):
    path = tmp_path / "schedule.toml"
    shutil.copy(planned, path)
    schedule, _ = load_schedule(str(path))
    zone = __import__("zoneinfo").ZoneInfo(schedule.schedule.timezone)
    targets = [(sp.id, a.start.astimezone(zone)) for sp, a in schedule.appointments() if a.status == "planned"]
    assert len(targets) >= 2 * PAIRS
    targets = targets[: 2 * PAIRS]
    fork = multiprocessing.get_context("fork")
    for i in range(PAIRS):
        barrier = fork.Barrier(2)
        workers = [fork.Process(target=_mark, args=(str(path), pid, f"{start:%Y-%m-%d}", f"{start:%H:%M}", barrier))
                   for pid, start in targets[2 * i: 2 * i + 2]]
        for w in workers:
            w.start()
        for w in workers:
            w.join(30)
        assert [w.exitcode for w in workers] == [0, 0], f"pair {i}"
    after, _ = load_schedule(str(path))
    done = sum(1 for _, a in after.appointments() if a.status == "done")
    assert done == 2 * PAIRS
    assert after.schedule.revision == schedule.schedule.revision + 2 * PAIRS


def test_a_second_writer_gives_up_with_a_clear_message(planned, tmp_path):
    path = tmp_path / "schedule.toml"
    shutil.copy(planned, path)
    before = path.read_text()
    with schedule_lock(path):
        import tms_sched.io.lock as lock

        waited = lock.WAIT_SECONDS
        lock.WAIT_SECONDS = 0.2
        try:
            child = multiprocessing.get_context("fork").Process(
                target=_mark, args=(str(path), "P-1", "2027-01-05", "07:30", multiprocessing.get_context("fork").Barrier(1)))
            child.start()
            child.join(30)
        finally:
            lock.WAIT_SECONDS = waited
    assert child.exitcode == 2
    assert path.read_text() == before
    assert not lock_path(path).exists()  # removed when the holder lets go


def test_the_waiting_message_names_the_file_and_what_to_do(planned, tmp_path):
    path = tmp_path / "schedule.toml"
    shutil.copy(planned, path)
    from tms_sched.errors import OutputError

    with schedule_lock(path):
        pid = os.fork()
        if pid == 0:
            try:
                with schedule_lock(path, wait=0.1):
                    os._exit(0)
            except OutputError as exc:
                ok = "another command has been writing it" in str(exc) and "nothing was written" in str(exc)
                os._exit(7 if ok else 1)
        _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 7
