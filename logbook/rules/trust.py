"""Which predictions may run: signed with this user's secret, as Jupyter signs trusted notebooks.

A prediction written on this machine is signed with HMAC-SHA256 under a
per-user secret kept outside every project (``logbook_secret`` in Jupyter's
data folder; ``LOGBOOK_SECRET_FILE`` names another file). The signature
covers all that decides what runs, when and what it means (its expression,
the names that decide when it is judged, its credence and mode, its
hypothesis and that hypothesis' statement, and the logbook it belongs to),
so a logbook that comes from elsewhere (a clone, a download, a file edited
by hand, a row copied from another logbook) carries no prediction a kernel
will run until you review it with ``logbook trust``::

    signature = sign(fields)       # fields: a prediction's row with its statement and logbook id
    verify(fields, signature)      # True here; False under any other user's secret or for any change
    changes(fields, signature)     # ["names changed"]: what differs from what was signed
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
from pathlib import Path
from typing import Any, Callable, Mapping, Optional

from logbook.errors import LogbookError
from logbook.models import Prediction, PredictionKind
from logbook.rules.predictions import PredictionSyntaxError, parse_expression

ENV_VAR = "LOGBOOK_SECRET_FILE"
FILENAME = "logbook_secret"
KEY_BYTES = 32

#: The fields a signature covers, in the order they are read: what runs, when, what it means, and where it belongs.
SIGNED_FIELDS = (
    "id",
    "hypothesis_id",
    "kind",
    "expression",
    "names",
    "credence",
    "created_at",
    "mode",
    "statement",
    "logbook",
)
#: What an older Logbook signed (a bare hex signature): honoured once, when the logbook is upgraded.
OLD_SIGNED_FIELDS = ("id", "hypothesis_id", "kind", "expression", "credence", "created_at")
#: How a signature of :data:`SIGNED_FIELDS` begins: ``v2:<HMAC, 64 hex>:<a short tag per field>``.
VERSION = "v2"
#: Hex digits of each field's tag, which tells a review which field changed (the HMAC alone decides trust).
TAG_HEX = 8
#: What a review says of a signed field that no longer holds what was signed.
CHANGED = {
    "id": "id changed",
    "hypothesis_id": "moved to another hypothesis",
    "kind": "kind changed",
    "expression": "expression changed",
    "names": "names changed",
    "credence": "credence changed",
    "created_at": "time written changed",
    "mode": "mode changed",
    "statement": "hypothesis statement changed",
    "logbook": "from another logbook",
}
NOT_SIGNED = "not signed"
SIGNED_ELSEWHERE = "signed by someone else (another secret)"
OLD_RULE = "signed under an older rule that did not cover its names, hypothesis statement or logbook"
DAMAGED = "its signature is damaged"
_DOMAIN = "logbook-prediction/2"
_HEX = frozenset("0123456789abcdef")
_SIGNATURE = re.compile(f"{VERSION}:([0-9a-f]{{64}}):([0-9a-f]{{{TAG_HEX * len(SIGNED_FIELDS)}}})")

_keys: dict[str, tuple[bytes, Any, Any, Any]] = {}


class TrustError(LogbookError):
    """The secret cannot be read or made, or a prediction cannot be trusted."""


class TrustChanged(TrustError):
    """A prediction named to be trusted is no longer what was shown for review (the server answers 409)."""


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


def _signer() -> tuple[bytes, Any, Any, Any]:
    """The key, HMAC-SHA256's inner and outer hash states and the keyed field-tag hash, once per secret file."""
    where = os.environ.get(ENV_VAR, "")
    signer = _keys.get(where)
    if signer is None:
        key = _load(secret_file())
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))
        tags = hashlib.blake2b(key=key[:64], digest_size=TAG_HEX // 2, person=b"logbook-field")
        signer = _keys[where] = (key, inner, outer, tags)
    return signer


def _load(path: Path) -> bytes:
    try:
        if not path.exists():
            _create(path)
        return _read(path)
    except OSError as error:
        raise TrustError(f"cannot read or create the logbook secret at {path}: {error}") from None


_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _names(value: Any) -> Any:
    """A prediction's names as signed: the JSON list of names it stores, else that text as it stands."""
    parsed = value
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
    if isinstance(parsed, list) and all(isinstance(name, str) for name in parsed):
        return parsed
    return value if isinstance(value, str) else None


def _as_is(value: Any) -> Any:
    return value


_CANONICAL: dict[str, Callable[[Any], Any]] = {"names": _names, "credence": float, "created_at": str}


def _value(fields: Mapping[str, Any], name: str) -> Any:
    """One signed field, canonical: the names as a list, the credence as a float, the time as text.

    ``mode``, ``statement`` and ``logbook`` may be absent (None). Raises for a
    value no signer wrote (a credence that is not a number, say); encoding
    raises for one JSON cannot hold.
    """
    raw = fields[name] if name in OLD_SIGNED_FIELDS else fields.get(name)
    return _CANONICAL.get(name, _as_is)(raw)


def _values(fields: Mapping[str, Any]) -> list:
    """The signed fields in :data:`SIGNED_FIELDS` order, each as :func:`_value` makes it (spelled out: read on every verify)."""
    return [
        fields["id"],
        fields["hypothesis_id"],
        fields["kind"],
        fields["expression"],
        _names(fields.get("names")),
        float(fields["credence"]),
        str(fields["created_at"]),
        fields.get("mode"),
        fields.get("statement"),
        fields.get("logbook"),
    ]


def _message(fields: Mapping[str, Any]) -> bytes:
    """The canonical JSON of the signed fields: an array in :data:`SIGNED_FIELDS` order, after a domain label."""
    return _encoder.encode([_DOMAIN, *_values(fields)]).encode()


def _old_message(fields: Mapping[str, Any]) -> bytes:
    """What an older Logbook signed: the :data:`OLD_SIGNED_FIELDS` as a JSON array."""
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


def _hmac(message: bytes) -> str:
    """HMAC-SHA256 of ``message`` under this user's secret, from hash states computed once (a few microseconds)."""
    _, inner_state, outer_state, _ = _signer()
    inner = inner_state.copy()
    inner.update(message)
    outer = outer_state.copy()
    outer.update(inner.digest())
    return outer.hexdigest()


def _tag(base: Any, name: str, encoded: str) -> str:
    """A short keyed hash (BLAKE2b, from ``base``) of one field as JSON, so that a review can say which field changed."""
    tag = base.copy()
    tag.update(f"{name}\0{encoded}".encode())
    return tag.hexdigest()


def sign(fields: Mapping[str, Any]) -> str:
    """This user's signature of a prediction: ``v2:`` + HMAC-SHA256 of its :data:`SIGNED_FIELDS` + field tags.

    ``fields`` is the prediction's row with ``statement`` (its hypothesis'
    statement) and ``logbook`` (the logbook's id) added. The HMAC alone
    decides trust; the tags (one per field, keyed too) only let a review say
    what changed.
    """
    base = _signer()[3]
    encoded = [_encoder.encode(value) for value in _values(fields)]
    message = f'["{_DOMAIN}",{",".join(encoded)}]'.encode()  # the same text as _message(fields)
    tags = "".join(_tag(base, name, text) for name, text in zip(SIGNED_FIELDS, encoded))
    return f"{VERSION}:{_hmac(message)}:{tags}"


def _parts(signature: Any) -> Optional[tuple[str, str]]:
    """The HMAC and the tags of a well-formed signature, or None."""
    found = _SIGNATURE.fullmatch(signature) if isinstance(signature, str) else None
    return (found[1], found[2]) if found else None


def verify(fields: Mapping[str, Any], signature: Optional[str]) -> bool:
    """Whether ``signature`` is this user's signature of the row; False when there is none, an old one, or no secret."""
    parts = _parts(signature)
    if parts is None:
        return False
    try:
        expected = _hmac(_message(fields))
    except (TrustError, TypeError, ValueError, KeyError):  # no usable secret, or a row no signer wrote
        return False
    return hmac.compare_digest(expected, parts[0])


def verify_old(fields: Mapping[str, Any], signature: Optional[str]) -> bool:
    """Whether ``signature`` is this user's signature under the older rule (:data:`OLD_SIGNED_FIELDS`, bare hex).

    Only the upgrade reads it: the predictions a logbook held when it was
    upgraded are signed again under the new rule if this holds.
    """
    if not isinstance(signature, str) or len(signature) != 64 or not set(signature) <= _HEX:
        return False
    try:
        expected = _hmac(_old_message(fields))
    except (TrustError, TypeError, ValueError, KeyError):
        return False
    return hmac.compare_digest(expected, signature)


def changes(fields: Mapping[str, Any], signature: Any) -> list[str]:
    """Why a prediction is not trusted, in words: what changed since it was signed here, or that it never was.

    Empty when :func:`verify` holds. ``["names changed"]`` for a row whose
    names were edited, ``["from another logbook"]`` for one copied in, and so
    on by :data:`CHANGED`; :data:`SIGNED_ELSEWHERE` when no field carries this
    user's tag.
    """
    if signature is None or signature == "":
        return [NOT_SIGNED]
    if verify(fields, signature):
        return []
    if isinstance(signature, str) and len(signature) == 64 and set(signature) <= _HEX:
        return [OLD_RULE]
    parts = _parts(signature)
    if parts is None:
        return [DAMAGED]
    try:
        base = _signer()[3]
    except TrustError as error:
        return [str(error)]
    tags = parts[1]
    changed = []
    for index, name in enumerate(SIGNED_FIELDS):
        signed = tags[index * TAG_HEX : (index + 1) * TAG_HEX]
        try:
            same = hmac.compare_digest(_tag(base, name, _encoder.encode(_value(fields, name))), signed)
        except (TypeError, ValueError, KeyError):
            same = False
        if not same:
            changed.append(name)
    if len(changed) == len(SIGNED_FIELDS):
        return [SIGNED_ELSEWHERE]
    return [CHANGED[name] for name in changed] or ["changed outside Logbook"]


def content_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of everything a signature would cover, as hex: what a review shows, to be sent back with a trust.

    A value no signer would write (a credence that is not a number) is
    hashed as its ``repr``, so that every row has a hash.
    """
    values = []
    for name in SIGNED_FIELDS:
        try:
            value = _value(fields, name)
            _encoder.encode(value)
        except (TypeError, ValueError, KeyError):
            value = ["unreadable", repr(fields.get(name))]
        values.append(value)
    return hashlib.sha256(_encoder.encode([_DOMAIN, *values]).encode()).hexdigest()


def shown(text: str) -> str:
    """``text`` as it should be shown for review: quoted when it holds anything invisible or misleading."""
    if all(ch.isprintable() for ch in text):
        return text
    return repr(text)


def refusal(prediction: Prediction) -> Optional[str]:
    """Why a prediction may not be trusted as it stands, or None.

    An expression that breaks the rules of a prediction, or names (which
    decide when it is judged) that are not the names its expression reads.
    """
    if prediction.kind is not PredictionKind.expression:
        return None
    try:
        reads = parse_expression(prediction.expression)
    except PredictionSyntaxError as error:
        return str(error)
    if set(reads) != set(prediction.names):
        listed = ", ".join(prediction.names) or "no names"
        return f"it reads {', '.join(reads)} but lists {listed} as the names that decide when it is judged"
    return None
