"""Which predictions may run: signed with this user's secret, as Jupyter signs trusted notebooks.

A prediction written on this machine is signed with HMAC-SHA256 under a
per-user secret kept outside every project (``logbook_secret`` in Jupyter's
data folder; ``LOGBOOK_SECRET_FILE`` names another file). The signature
covers all that decides what runs and what it means, so a logbook that comes
from elsewhere (a clone, a download, a file edited by hand) carries no
prediction a kernel will run until you review it with ``logbook trust``::

    signature = sign(row)          # row: a prediction's id, hypothesis_id, kind, expression, ...
    verify(row, signature)         # True here; False under any other user's secret
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any, Mapping, Optional

from .errors import LogbookError
from .models import Prediction, PredictionKind
from .predictions import PredictionSyntaxError, parse_expression

ENV_VAR = "LOGBOOK_SECRET_FILE"
FILENAME = "logbook_secret"
KEY_BYTES = 32

#: The fields a signature covers, in the order they are read.
SIGNED_FIELDS = ("id", "hypothesis_id", "kind", "expression", "credence", "created_at")

_keys: dict[str, tuple[bytes, Any, Any]] = {}


class TrustError(LogbookError):
    """The secret cannot be read or made, or a prediction cannot be trusted."""


def secret_file() -> Path:
    """Where this user's secret lives: ``$LOGBOOK_SECRET_FILE`` or Jupyter's data folder."""
    explicit = os.environ.get(ENV_VAR)
    if explicit:
        return Path(explicit).expanduser()
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / FILENAME


def _create(path: Path) -> None:
    """Write a new random secret readable by this user alone, never over an existing one."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    draft = path.with_name(f".{path.name}.{secrets.token_hex(6)}")
    handle = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(handle, "w") as out:
            out.write(base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode() + "\n")
        os.link(draft, path)  # fails if another process made one first: then that one is used
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def _read(path: Path) -> bytes:
    try:
        key = base64.b64decode(path.read_text().strip(), validate=True)
    except (ValueError, UnicodeDecodeError):
        key = b""
    if len(key) < KEY_BYTES:
        raise TrustError(
            f"the secret at {path} is damaged; delete it to make a new one "
            "(then review your predictions again with `logbook trust`)"
        )
    return key


def secret() -> bytes:
    """This user's signing key, made on first use (read once per file for the life of the process)."""
    return _signer()[0]


def _signer() -> tuple[bytes, Any, Any]:
    """The key and HMAC-SHA256's inner and outer hash states for it, computed once per secret file."""
    where = os.environ.get(ENV_VAR, "")
    signer = _keys.get(where)
    if signer is None:
        key = _load(secret_file())
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        signer = _keys[where] = (key, inner, outer)
    return signer


def _load(path: Path) -> bytes:
    try:
        if not path.exists():
            _create(path)
        return _read(path)
    except OSError as error:
        raise TrustError(f"cannot read or create the logbook secret at {path}: {error}") from None


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _message(fields: Mapping[str, Any]) -> bytes:
    """The canonical JSON of the signed fields: an array in :data:`SIGNED_FIELDS` order.

    The credence is taken as a float and the time as text, so 1 and 1.0 sign alike.
    """
    return _encoder.encode(
        [
            fields["id"],
            fields["hypothesis_id"],
            fields["kind"],
            fields["expression"],
            float(fields["credence"]),
            str(fields["created_at"]),
        ]
    ).encode()


def sign(fields: Mapping[str, Any]) -> str:
    """The HMAC-SHA256 of a prediction row's :data:`SIGNED_FIELDS` under this user's secret, as hex.

    The same as ``hmac.new(secret(), message, "sha256")``, from hash states
    computed once, which makes it a few microseconds.
    """
    _, inner_state, outer_state = _signer()
    inner = inner_state.copy()
    inner.update(_message(fields))
    outer = outer_state.copy()
    outer.update(inner.digest())
    return outer.hexdigest()


def verify(fields: Mapping[str, Any], signature: Optional[str]) -> bool:
    """Whether ``signature`` is this user's signature of the row; False when there is none or no secret."""
    if not signature or not isinstance(signature, str) or not signature.isascii():
        return False
    try:
        expected = sign(fields)
    except (TrustError, TypeError, ValueError):  # no usable secret, or a row no user of this machine wrote
        return False
    return hmac.compare_digest(expected, signature)


def shown(text: str) -> str:
    """``text`` as it should be shown for review: quoted when it holds anything invisible or misleading."""
    if all(ch.isprintable() for ch in text):
        return text
    return repr(text)


def refusal(prediction: Prediction) -> Optional[str]:
    """Why a prediction may not be trusted as it stands (an expression breaking the rules), or None."""
    if prediction.kind is not PredictionKind.expression:
        return None
    try:
        parse_expression(prediction.expression)
    except PredictionSyntaxError as error:
        return str(error)
    return None
