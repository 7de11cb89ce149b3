"""How long `tms-sched export ical` takes on the large site, against planning it (not a test; prints figures).

    python benchmarks/bench_export.py             # the large site of benchmarks/run.py (seed 44)
    python benchmarks/bench_export.py --patients 300

Writes the large site (40 chairs, 1,500 referrals over 20 weeks; benchmarks/instances.py)
as a clinic file and a roster, plans it with `tms-sched plan`, then exports the schedule
with `tms-sched export ical --by patient` and `--by clinic` into empty folders, and once
more `--by patient` over the files of the first export (which tells earlier exports
apart before replacing them). Each command runs in a fresh process, the way a shell
starts it; the figures are that process's CPU seconds (user + system: the machine is
shared, so wall time is no fair reading; it is printed too) and its peak resident
memory. The targets (issue 16): each export at most as long as the plan, and its peak
memory at most twice the plan's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import instances as gen  # noqa: E402

SEED = 44  # benchmarks/run.py's seed for the large site


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"no TOML for {value!r}")


def table(header: str, fields: dict) -> str:
    return f"{header}\n" + "".join(f"{k} = {toml_value(v)}\n" for k, v in fields.items()) + "\n"


def write_instance(folder: Path, patients: int) -> tuple[Path, Path, dt.date]:
    inst = gen.large(SEED)
    clinic = inst.clinic
    text = table("[clinic]", clinic.info.model_dump(mode="python", exclude_defaults=True))
    text += "".join(table("[[chairs]]", c.model_dump(mode="python", exclude_defaults=True)) for c in clinic.chairs)
    text += "".join(table("[[staff]]", s.model_dump(mode="python", exclude_defaults=True)) for s in clinic.staff)
    roster = "".join(table("[[patients]]", p.model_dump(mode="python", exclude_defaults=True))
                     for p in inst.patients[:patients])
    clinic_path, roster_path = folder / "clinic.toml", folder / "roster.toml"
    clinic_path.write_text(text, encoding="utf-8")
    roster_path.write_text(roster, encoding="utf-8")
    return clinic_path, roster_path, inst.today


def measure(args: list[str], ok: tuple[int, ...] = (0,)) -> dict:
    """Run ``tms-sched ARGS`` in a fresh interpreter; its CPU seconds, wall seconds and peak RSS."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "tms_sched", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.returncode not in ok:
        raise SystemExit(f"tms-sched {' '.join(args)} exited {proc.returncode}:\n{err}")
    return {"cpu": usage.ru_utime + usage.ru_stime, "wall": wall, "rss_mb": usage.ru_maxrss / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=1500, help="referrals of the large site to take (default 1500)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        clinic, roster, today = write_instance(folder, args.patients)
        schedule = folder / "schedule.toml"
        rows = [("plan", measure(["plan", str(clinic), "--roster", str(roster), "-o", str(schedule),
                                  "--today", today.isoformat()], ok=(0, 1)))]
        appointments = schedule.read_text(encoding="utf-8").count("\nid = ") + schedule.read_text(
            encoding="utf-8").count("{ id = ")
        for label, by, out in (("export ical --by patient", "patient", "patient"),
                               ("export ical --by clinic", "clinic", "clinic"),
                               ("export ical --by patient, again over the first export", "patient", "patient")):
            rows.append((label, measure(["export", "ical", str(schedule), "--clinic", str(clinic), "--by", by,
                                         "-o", str(folder / out)])))
        files = len(list((folder / "patient").glob("*.ics")))
        size = sum(p.stat().st_size for p in (folder / "patient").glob("*.ics")) / 1e6
        clinic_size = (folder / "clinic" / "clinic.ics").stat().st_size / 1e6
    plan = rows[0][1]
    print(f"{args.patients} referrals, about {appointments} appointments; --by patient: {files} files, "
          f"{size:.1f} MB; --by clinic: {clinic_size:.1f} MB")
    print("| command | CPU s | wall s | peak RSS | time / plan | memory / plan |")
    print("| --- | --- | --- | --- | --- | --- |")
    worst_time = worst_memory = 0.0
    for label, m in rows:
        t, r = m["cpu"] / plan["cpu"], m["rss_mb"] / plan["rss_mb"]
        if label != "plan":
            worst_time, worst_memory = max(worst_time, t), max(worst_memory, r)
        print(f"| `{label}` | {m['cpu']:.2f} | {m['wall']:.2f} | {m['rss_mb']:.0f} MB | {t:.2f}x | {r:.2f}x |")
    met = worst_time <= 1.0 and worst_memory <= 2.0
    print(f"targets (time <= 1x, memory <= 2x plan's): {'met' if met else 'NOT met'}")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
