"""Rules the server's handlers used to hold, kept by the library so that Python callers obey them too."""

import asyncio

import pytest

import logbook
from logbook.errors import LogbookError, NotFound
from logbook.rules.predictions import expression_or_text
from logbook.server.database import Database
from logbook.store.core import Store


def test_a_prediction_is_either_an_expression_or_a_text(store):
    assert expression_or_text("loss < 0.1", None) == ("loss < 0.1", "expression")
    assert expression_or_text(None, "the pattern is a stripe") == ("the pattern is a stripe", "text")
    h = logbook.hypothesis("layer 0 is positional")
    for expression, text in (("loss < 0.1", "a stripe"), (None, None)):
        with pytest.raises(LogbookError, match="give either an expression or a text, not both"):
            h.predict(expression, text=text)
    assert h.predict(text="a stripe").kind.value == "text" and len(store.hypothesis(h.id).predictions) == 1


def test_a_note_names_a_hypothesis_and_an_experiment_that_exist(store):
    store.add_hypothesis("x")
    with pytest.raises(NotFound, match="no hypothesis 'H9'"):
        store.add_note("about H9", hypothesis_id="H9")
    with pytest.raises(NotFound, match="no experiment 5"):
        store.add_note("about experiment 5", experiment_id=5)
    assert store.notes() == []
    assert store.add_note("about H1", hypothesis_id="h1").hypothesis_id == "H1"


def test_unread_surprises_are_counted_by_the_store(store):
    assert store.unread_surprises() == 0
    first = store.add_manual_surprise("odd")
    store.add_manual_surprise("odder")
    store.mark_surprise_read(first.id)
    assert store.unread_surprises() == 1


def test_the_server_notices_writes_by_other_connections(logbook_db):
    async def watch() -> list[int]:
        database = Database(logbook_db)
        try:
            await database.poll()
            revisions = [database.revision]
            with Store(logbook_db) as kernel:
                kernel.add_hypothesis("written by a kernel")
            await database.poll()
            revisions.append(database.revision)
            await database.poll()
            revisions.append(database.revision)
            return revisions
        finally:
            database.close()

    assert asyncio.run(watch()) == [0, 1, 1]
