"""How long the organisation and people imports take for a real-sized municipality.

    .venv/bin/python bench/bench_org_import.py [--units 300] [--people 400]

Writes an HR export of `--units` units (a department, areas, units, sections, in the
order an HR system lists them: children first) and a list of `--people` people with
their roles, then times, inside one transaction that is rolled back at the end (the
database is left as it was):

- the first import of the organisation (every unit new);
- a re-import with 10 renames, 5 moves and 3 units removed;
- the first import of the people (every account and role new);
- a re-import of the people with 20 people gone (their roles ended).

Each line is the wall time of reading the file and working out the changes, and of
writing them; with `--memory`, also the peak of Python memory (tracemalloc, which
slows everything down, so the times of such a run are not the figures).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityplan.settings")
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret")

import django  # noqa: E402

django.setup()

from django.db import transaction  # noqa: E402

from qualityplan.org_import import org_file_read, org_sync_apply, org_sync_plan  # noqa: E402
from qualityplan.people_import import (  # noqa: E402
    people_file_read,
    people_sync_apply,
    people_sync_plan,
)

LEVELS = {"area": "Område", "unit": "Virksomhet", "section": "Avdeling"}


def org_rows(units: int) -> list[tuple[str, str, str, str]]:
    rows = [("B0", "Helse og omsorg bench", "", "Forvaltning")]
    areas = max(2, units // 40)
    per_area = max(1, (units - 1 - areas) // (areas * 3))
    for a in range(areas):
        area = f"B9{a:02d}"
        rows.append((area, f"Bench område {a}", "B0", "Område"))
        for u in range(per_area):
            unit = f"{area}{u:02d}"
            rows.append((unit, f"Bench virksomhet {a}.{u}", area, "Virksomhet"))
            for s in range(2):
                rows.append((f"{unit}{s}", f"Avdeling {s + 1}", unit, "Avdeling"))
    return list(reversed(rows[:units]))


def org_file(rows) -> bytes:
    lines = ["Organisasjonskart (bench)", "", "Enhetsnr;Enhetsnavn;Overordnet kode;Nivå"]
    lines += [";".join(row) for row in rows]
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode("utf-8")


def people_file(rows, count: int) -> bytes:
    units = [row for row in rows if row[3] in ("Virksomhet", "Avdeling")]
    lines = ["E-post;Navn;Enhetskode;Rolle;Fra dato"]
    for index in range(count):
        code, _name, _parent, level = units[index % len(units)]
        role = "VL" if level == "Virksomhet" else "AL"
        email = f"person{index}@bench.kommune.no"
        lines.append(f"{email};Person Nummer{index};{code};{role};01.01.2026")
    return "\n".join(lines).encode("utf-8")


MEMORY = False


def timed(label: str, read, plan_of, apply, data: bytes) -> None:
    if MEMORY:
        tracemalloc.start()
    started = time.perf_counter()
    plan = plan_of(read(data=data, filename="bench.csv"))
    planned = time.perf_counter()
    assert plan.ok, plan.errors[:3]
    apply(plan=plan, user=None)
    done = time.perf_counter()
    memory = ""
    if MEMORY:
        memory = f"  peak {tracemalloc.get_traced_memory()[1] / 2**20:5.1f} MiB"
        tracemalloc.stop()
    print(
        f"{label:<36} {len(plan.changes):>5} changes  read+plan {planned - started:6.2f} s  "
        f"write {done - planned:6.2f} s{memory}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=300)
    parser.add_argument("--people", type=int, default=400)
    parser.add_argument(
        "--memory", action="store_true", help="Trace memory too (slows everything down)."
    )
    args = parser.parse_args()
    global MEMORY
    MEMORY = args.memory
    rows = org_rows(args.units)
    org = (org_file_read, lambda r: org_sync_plan(rows=r), org_sync_apply)
    people = (
        people_file_read,
        lambda r: people_sync_plan(rows=r[0], errors=r[1]),
        people_sync_apply,
    )
    print(f"{len(rows)} units, {args.people} people")
    with transaction.atomic():
        timed("organisation, first import", *org, org_file(rows))
        changed = [list(row) for row in rows]
        for row in changed[5:15]:
            row[1] += " (nytt navn)"
        sections = [row for row in changed if row[3] == "Avdeling"]
        units = [row for row in changed if row[3] == "Virksomhet"]
        for section, unit in zip(sections[:5], units[-5:], strict=True):
            section[2] = unit[0]
            section[1] += f" {section[0]}"
        removed = {row[0] for row in sections[-3:]}
        kept = [tuple(row) for row in changed if row[0] not in removed]
        timed("organisation, re-import (10/5/3)", *org, org_file(kept))
        timed("people, first import", *people, people_file(kept, args.people))
        timed("people, re-import (20 gone)", *people, people_file(kept, args.people - 20))
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
