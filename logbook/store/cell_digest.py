"""What commits a cell to the history: one digest over everything it recorded.

Each experiment enters the event chain as an ``experiment.recorded`` event
whose payload is this digest, written in the transaction that stores the
cell. The digest covers the cell's author (the user whose kernel recorded it), id, session, cell id and key (which names its notebook),
execution count, source, start, duration, outcome and error, stdout and
stderr, the names it assigned with their summaries, its torch activity, its
research mode, and each output's type, hash, size and whether it was cut.
So changing any of them in the file (a start moved earlier to make a
prediction look written after it, a forged source) breaks ``logbook verify``.
Only ``record_ms`` (how long recording took, known after the row) is left
out.

The same digest is computed from a stored row (:func:`row_digest`) and from
an exported :class:`~logbook.models.Experiment` (:func:`experiment_digest`),
so an export is checked against its own chain.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Iterable, Mapping, Optional

from logbook.text import to_json

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _digest(values: list[Any]) -> str:
    return hashlib.sha256(_encoder.encode(values).encode("utf-8", "surrogatepass")).hexdigest()


def _authored(author: Optional[str]) -> list[Any]:
    """The author leads the digest when known (cells recorded before authors were kept digest without it)."""
    return [{"author": author}] if author else []


def _error(name: Optional[str], value: Optional[str], traceback: Optional[str]) -> Optional[list[str]]:
    return [name, value or "", traceback or ""] if name else None


#: The columns of a row the digest covers, in its order (``ok`` and the error as :func:`row_digest` turns them).
COLUMNS = (
    "id",
    "session",
    "cell_id",
    "execution_count",
    "source",
    "started_at",
    "duration_ms",
    "ok",
    "error_name",
    "error_value",
    "traceback",
    "stdout",
    "stderr",
    "names",
    "torch",
    "mode",
    "cell_key",
    "author",
)


def columns_digest(values: tuple, outputs: Iterable[tuple[str, str, int, Any]]) -> str:
    """:func:`row_digest` of a row read as :data:`COLUMNS`, in that order (the verifier's fast path)."""
    outputs = list(outputs)
    text = _plain_text(values, outputs)
    if text is not None:
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    (id_, session, cell_id, count, source, started, duration, ok, name, value, trace, out, err, names, torch, mode,
     key, author) = values  # fmt: skip
    return _digest(
        _authored(author)
        + [
            id_,
            session or "",
            cell_id,
            count,
            source or "",
            started,
            duration,
            bool(ok),
            _error(name, value, trace),
            out or "",
            err or "",
            names or "{}",
            torch or "{}",
            mode,
            key,
            [[mime, sha, size, bool(cut)] for mime, sha, size, cut in outputs],
        ]
    )


_string = json.encoder.encode_basestring


def _plain_text(values: tuple, outputs: list[tuple]) -> Optional[str]:
    """The JSON text :func:`_digest` would hash for a row of plain values (text, integers, finite numbers), or None.

    Written out directly because ``logbook verify`` digests every cell; a
    row holding any other kind of value is left to the JSON encoder (text is
    checked by ``_string``, which takes nothing else).
    """
    (id_, session, cell_id, count, source, started, duration, ok, name, value, trace, out, err, names, torch, mode,
     key, author) = values  # fmt: skip
    if not (
        type(id_) is int
        and (count is None or type(count) is int)
        and (type(duration) is float and duration - duration == 0.0 or type(duration) is int)
    ):
        return None
    string = _string
    try:
        shown = []
        for mime, sha, size, cut in outputs:
            if type(size) is not int:
                return None
            shown.append(f"[{string(mime)},{string(sha)},{size},{'true' if cut else 'false'}]")
        head = f'{{"author":{string(author)}}},' if author else ""
        error = f"[{string(name)},{string(value or '')},{string(trace or '')}]" if name else "null"
        return (
            f"[{head}{id_},{string(session or '')},{'null' if cell_id is None else string(cell_id)},"
            f"{'null' if count is None else count},{string(source or '')},{string(started)},{duration!r},"
            f"{'true' if ok else 'false'},{error},{string(out or '')},{string(err or '')},"
            f"{string(names or '{}')},{string(torch or '{}')},{'null' if mode is None else string(mode)},"
            f"{'null' if key is None else string(key)},[{','.join(shown)}]]"
        )
    except TypeError:
        return None


#: What a row must hold to be a cell's record.
_REQUIRED = ("started_at", "duration_ms", "ok")


def row_digest(row: dict[str, Any], outputs: Iterable[tuple[str, str, int, Any]]) -> str:
    """The digest of an experiment as the ``experiments`` table holds it, with its outputs in order.

    ``outputs`` are ``(mime, sha256, size, truncated)``; ``names`` and
    ``torch`` are the stored JSON texts. The writer digests every cell it
    writes, so this takes :func:`columns_digest`'s direct path.
    """
    return record_digest(row["id"], row, outputs)


#: The columns of :data:`COLUMNS` a cell record holds (all but its id).
_RECORD_COLUMNS = COLUMNS[1:]


def record_digest(
    experiment_id: int, row: Mapping[str, Any], outputs: Iterable[tuple[str, str, int, Any]]
) -> str:
    """:func:`row_digest` of ``row`` written with the id ``experiment_id`` (the writer's path: no copy of the row)."""
    if "started_at" not in row or "duration_ms" not in row or "ok" not in row:
        raise KeyError(next(key for key in _REQUIRED if key not in row))
    return columns_digest((experiment_id, *map(row.get, _RECORD_COLUMNS)), outputs)


def experiment_digest(experiment: Any) -> str:
    """The digest of an exported experiment: the same as :func:`row_digest` of the row it was read from."""
    error = experiment.error
    return _digest(
        _authored(experiment.author)
        + [
            experiment.id,
            experiment.session or "",
            experiment.cell_id,
            experiment.execution_count,
            experiment.source or "",
            experiment.started_at.isoformat(),
            experiment.duration_ms,
            bool(experiment.ok),
            _error(error.name, error.value, error.traceback) if error else None,
            experiment.stdout or "",
            experiment.stderr or "",
            to_json(experiment.names) if experiment.names else "{}",
            to_json(experiment.torch) if experiment.torch else "{}",
            experiment.mode.value if experiment.mode else None,
            experiment.cell_key,
            [[o.mime, o.sha256, o.size, bool(o.truncated)] for o in experiment.outputs],
        ]
    )


def backfill_cell_events(db: Any) -> int:
    """Chain the experiments of an older logbook that have no ``experiment.recorded`` event; returns how many.

    Their events are dated now and say ``"backfilled": true``: the chain
    vouches for them from the upgrade on, not for what happened before.
    """
    from datetime import datetime, timezone

    from logbook.store.backfill import append_chained

    chained = {
        int(subject[1:])
        for (subject,) in db.execute("SELECT subject FROM events WHERE kind = 'experiment.recorded'")
    }
    outputs: dict[int, list[tuple]] = {}
    for experiment_id, mime, sha, size, cut in db.execute(
        "SELECT experiment_id, mime, sha256, size, truncated FROM outputs ORDER BY experiment_id, position"
    ):
        outputs.setdefault(experiment_id, []).append((mime, sha, size, cut))
    at = datetime.now(timezone.utc).isoformat()
    return append_chained(
        db,
        (
            (
                at,
                "experiment.recorded",
                f"E{row['id']}",
                {"digest": row_digest(row, outputs.get(row["id"], ())), "backfilled": True},
            )
            for row in db.query("SELECT * FROM experiments ORDER BY id")
            if row["id"] not in chained
        ),
    )
