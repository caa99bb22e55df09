"""What a serving process does once the app is loaded: `crosscheck serve`, and gunicorn's workers.

gunicorn reads this module as its configuration (``gunicorn -c python:app.serving``, as ``make
serve-prod`` runs it): a function named after one of its server hooks is that hook.
"""

from __future__ import annotations

import gc


def freeze_start_up_heap() -> None:
    """Collect once, then move every object still alive out of the garbage collector's reach.

    A loaded app holds ~160,000 objects that live as long as the process (modules, the ORM's
    mappers, compiled templates and statements). Each full collection walks all of them, and a
    request that reads thousands of rows, such as a large cohort's dashboard, sets off one or two:
    a third of such a render's CPU was spent there. Frozen objects are skipped by the collector
    and still freed by reference counting.
    """
    gc.collect()
    gc.freeze()


def post_worker_init(worker: object) -> None:
    """gunicorn's hook, run in each worker once it has loaded the app."""
    freeze_start_up_heap()
