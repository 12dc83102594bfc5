"""Keep a random sample of a cosmic-ray session's pending mutants; skip the rest.

    python mutation/sample.py SESSION.sqlite N [--seed S]

Run it with the Python that has cosmic-ray, after ``cosmic-ray init`` and
``cr-filter-operators``. The skipped mutants are marked as such (``cr-report``
counts them as complete, not as killed); the same seed picks the same sample.
"""

from __future__ import annotations

import argparse
import random

from cosmic_ray.work_db import WorkDB, use_db
from cosmic_ray.work_item import WorkerOutcome, WorkItem, WorkResult


def _what(item: WorkItem) -> tuple[tuple[str, str, int], ...]:
    return tuple((str(m.module_path), m.operator_name, m.occurrence) for m in item.mutations)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with use_db(args.session, WorkDB.Mode.open) as db:
        # job ids are random per `cosmic-ray init`: order the mutants by what they are
        # (module, operator, occurrence), so that a seed picks the same ones every time
        items = sorted(db.pending_work_items, key=_what)
        chosen = random.Random(args.seed).sample(items, min(args.n, len(items)))
        keep = {item.job_id for item in chosen}
        for job_id in (item.job_id for item in items):
            if job_id not in keep:
                db.set_result(job_id, WorkResult(output="not sampled",
                                                 worker_outcome=WorkerOutcome.SKIPPED))
    print(f"kept {len(keep)} of {len(items)} pending mutants")


if __name__ == "__main__":
    main()
