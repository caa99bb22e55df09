from collections.abc import Callable
from typing import TypeVar

from flask import Flask
from flask.sansio.blueprints import Blueprint
from werkzeug.exceptions import BadRequest

_View = TypeVar("_View", bound=Callable[..., object] | Blueprint | str)

class CSRFProtect:
    def __init__(self, app: Flask | None = None) -> None: ...
    def init_app(self, app: Flask) -> None: ...
    def exempt(self, view: _View) -> _View: ...

class CSRFError(BadRequest): ...
