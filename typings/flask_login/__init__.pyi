from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from flask import Flask

_UserLoader = TypeVar("_UserLoader", bound=Callable[[str], object])

class UserMixin:
    @property
    def is_active(self) -> bool: ...
    @property
    def is_authenticated(self) -> bool: ...
    @property
    def is_anonymous(self) -> bool: ...
    def get_id(self) -> str: ...

class LoginManager:
    login_view: str | None
    session_protection: str | None
    def __init__(self, app: Flask | None = None, add_context_processor: bool = True) -> None: ...
    def init_app(self, app: Flask, add_context_processor: bool = True) -> None: ...
    def user_loader(self, callback: _UserLoader) -> _UserLoader: ...

# A proxy to whatever the application's user_loader returned, or an AnonymousUserMixin: flask-login
# cannot name the application's user class, so the proxy is as loosely typed as it is at run time.
current_user: Any

def login_user(
    user: UserMixin, remember: bool = False, duration: timedelta | None = None, force: bool = False, fresh: bool = True
) -> bool: ...
def logout_user() -> bool: ...
