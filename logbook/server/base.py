"""What every handler shares: the database, bodies and replies checked against the models the route names."""

from __future__ import annotations

import asyncio
import json
import math
import re
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from pathlib import Path
from typing import Any, Awaitable, Callable, ClassVar, Optional, TypeVar

import tornado.web
from jupyter_server.base.handlers import APIHandler
from pydantic import BaseModel, TypeAdapter, ValidationError

from logbook.errors import AlreadyDone, AlreadyExists, LogbookError, LogbookUnavailable, NotFound
from logbook.paths import current_author
from logbook.server import requests as bodies
from logbook.server.database import Database
from logbook.store.core import Store

B = TypeVar("B", bound=BaseModel)
E = TypeVar("E", bound=Enum)
T = TypeVar("T")

LONG_POLL_SECONDS = 25.0
MAX_PAGE = 500
#: The largest id SQLite can hold (a signed 64-bit integer).
MAX_ID = bodies.MAX_ID
#: The user name Jupyter makes up for a browser on a server without accounts (a random UUID's hex).
_ANONYMOUS = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class Exchange:
    """What one method of a route takes and answers.

    ``reply`` is the type of the JSON it answers with (a model, a list of them, a union), or None for a reply
    that is no JSON (``media`` says what it is); ``body`` the model its JSON body must fit, if it takes one;
    ``status`` the status of a reply that went well; ``long_poll`` that it may wait for a change before it
    answers (``since`` the revision it waits to pass).
    """

    reply: Any
    body: Optional[type[BaseModel]] = None
    status: int = 200
    media: str = "application/json"
    long_poll: bool = False


@lru_cache(maxsize=None)
def adapter(reply: Any) -> TypeAdapter:
    """The validator and serializer of one reply type, built once."""
    return TypeAdapter(reply)


class LogbookHandler(APIHandler):
    """Shared plumbing: the database, JSON bodies checked against pydantic models, replies checked against
    the model the route names for the method (``api``), clear errors."""

    #: Each method this handler answers ("GET", "POST" ...) and what it takes and answers.
    api: ClassVar[dict[str, Exchange]] = {}

    @property
    def db(self) -> Database:
        return self.settings["logbook_db"]

    @property
    def project_root(self) -> Path:
        return Path(self.settings["logbook_root"])

    @property
    def exchange(self) -> Exchange:
        return self.api[self.request.method or "GET"]

    def body(self, model: type[B]) -> B:
        """The JSON body, checked against ``model`` (the body this method's route names); any problem is a 400."""
        assert model is self.exchange.body, (
            f"{type(self).__name__}.api names another body than {model.__name__}"
        )
        try:
            raw = json.loads(self.request.body or b"{}")
        except (ValueError, UnicodeDecodeError) as error:
            raise tornado.web.HTTPError(400, f"the request body is not valid JSON: {error}") from None
        except RecursionError:
            raise tornado.web.HTTPError(400, "the request body is nested too deeply") from None
        if not isinstance(raw, dict):
            raise tornado.web.HTTPError(400, "the request body must be a JSON object")
        try:
            return model.model_validate(raw)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}" for e in error.errors()
            )
            raise tornado.web.HTTPError(400, problems) from None

    async def call(self, action: Callable[[Store], T], writes: bool = False) -> T:
        """Run ``action(store)`` on the database thread, turning logbook errors into 4xx replies."""
        return await self._answered(self.db.run(action, writes=writes))

    async def call_aside(self, action: Callable[[], T]) -> T:
        """Run ``action()`` on a worker thread of its own (reads of other files, such as teammates'), so the
        database thread stays free for the sidebar's other requests; logbook errors become 4xx replies."""
        return await self._answered(asyncio.get_running_loop().run_in_executor(None, action))

    async def _answered(self, pending: Awaitable[T]) -> T:
        try:
            return await pending
        except NotFound as error:
            raise tornado.web.HTTPError(404, str(error)) from None
        except LogbookUnavailable as error:
            raise tornado.web.HTTPError(503, str(error)) from None
        except (AlreadyDone, AlreadyExists) as error:
            raise tornado.web.HTTPError(409, str(error)) from None
        except LogbookError as error:
            raise tornado.web.HTTPError(400, str(error)) from None

    def send(self, value: Any, status: Optional[int] = None) -> None:
        """Answer ``value`` as the reply model this method's route names (a value that does not fit it is a
        server error, never a reply the frontend's types do not describe)."""
        exchange = self.exchange
        reply = adapter(exchange.reply)
        self.set_status(status or exchange.status)
        self.finish(reply.dump_json(reply.validate_python(value)))

    def int_argument(self, name: str, default: int, low: int, high: int) -> int:
        """The query parameter ``name`` as a whole number in ``[low, high]``, else a 400."""
        return self._whole(self.get_argument(name, str(default)), name, low, high)

    def float_argument(self, name: str, default: float, low: float, high: float) -> float:
        """The query parameter ``name`` as a finite number in ``[low, high]``, else a 400."""
        raw = self.get_argument(name, str(default))
        try:
            value = float(raw)
        except ValueError:
            raise tornado.web.HTTPError(400, f"{name} must be a number, got {raw[:40]!r}") from None
        if not (math.isfinite(value) and low <= value <= high):
            raise tornado.web.HTTPError(400, f"{name} must be between {low:g} and {high:g}, got {raw[:40]!r}")
        return value

    def enum_argument(self, name: str, choices: type[E]) -> Optional[E]:
        """The query parameter ``name`` as one of ``choices``, None when absent, else a 400."""
        raw = self.get_argument(name, None)
        if not raw:
            return None
        try:
            return choices(raw)
        except ValueError:
            allowed = ", ".join(choice.value for choice in choices)
            raise tornado.web.HTTPError(400, f"{name} must be one of {allowed}, got {raw[:40]!r}") from None

    def record_id(self, raw: str, what: str) -> int:
        """A numeric id from the URL, refused with a 400 when no record could have it."""
        return self._whole(raw, f"the {what} id", 0, MAX_ID)

    def user_name(self) -> str:
        """Who is signed in to Jupyter, as resolutions record who closed a surprise.

        A server without accounts (token or password only) makes up an anonymous
        name for each browser ("Anonymous Thelxinoe"); the records then name the
        author the kernels record as (:func:`logbook.paths.current_author`).
        """
        user = self.current_user
        username = getattr(user, "username", "") or ""
        if not username or _ANONYMOUS.fullmatch(username):
            return current_author()
        return getattr(user, "name", "") or username

    @staticmethod
    def _whole(raw: str, name: str, low: int, high: int) -> int:
        try:
            value = int(raw)
        except ValueError:
            raise tornado.web.HTTPError(400, f"{name} must be a whole number, got {raw[:40]!r}") from None
        if not low <= value <= high:
            raise tornado.web.HTTPError(400, f"{name} must be between {low} and {high}, got {raw[:40]}")
        return value
