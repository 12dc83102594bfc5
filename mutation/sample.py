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
from cosmic_ray.work_item import WorkerOutcome, WorkResult


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("session")
    parser.add_argument("n", type=int)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with use_db(args.session, WorkDB.Mode.open) as db:
        pending = sorted(item.job_id for item in db.pending_work_items)
        keep = set(random.Random(args.seed).sample(pending, min(args.n, len(pending))))
        for job_id in pending:
            if job_id not in keep:
                db.set_result(job_id, WorkResult(output="not sampled",
                                                 worker_outcome=WorkerOutcome.SKIPPED))
    print(f"kept {len(keep)} of {len(pending)} pending mutants")


if __name__ == "__main__":
    main()
