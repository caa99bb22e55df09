"""Each serving process freezes its start-up heap: gunicorn's workers through app/serving.py."""

from __future__ import annotations

import gc

from gunicorn.app.base import Application
from gunicorn.config import Config

from app import serving


class ConfigurationOnly(Application):
    """gunicorn's application reading a configuration as ``--config`` does, without a command line."""

    def __init__(self) -> None:
        self.cfg = Config()


def test_gunicorn_takes_the_worker_hook_from_app_serving() -> None:
    loader = ConfigurationOnly()
    loader.load_config_from_module_name_or_filename("python:app.serving")
    assert loader.cfg.post_worker_init is serving.post_worker_init


def test_the_worker_hook_freezes_what_is_alive_and_collects_the_garbage_first() -> None:
    class Node:
        partner: object

    garbage, kept = Node(), Node()
    garbage.partner = garbage  # a cycle nothing refers to once the name is dropped
    kept.partner = kept
    del garbage
    try:
        serving.post_worker_init(object())
        frozen = gc.get_freeze_count()
        assert frozen > 1000
        assert not any(type(found) is Node for found in gc.get_objects())  # frozen: outside every generation
        gc.unfreeze()
        assert [found for found in gc.get_objects() if type(found) is Node] == [kept]
    finally:
        gc.unfreeze()
