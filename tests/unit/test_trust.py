"""Trust: predictions written by this user are signed and run; any other is shown, marked, and runs only once reviewed."""

import hashlib
import hmac
import json
import sqlite3
import stat

import pytest
from sqlite_utils import Database

from logbook.cli.main import main
from logbook.report.exporting import render
from logbook.rules import trust
from logbook.rules.trust import TrustChanged, TrustError
from logbook.store.core import Store
from logbook.store.schema import migrations
from tests.server import test_routes as test_server

pytest_plugins = ["pytest_jupyter.jupyter_server"]
# The server tests' fixtures: a Jupyter server with Logbook, its logbook file, and api(method, path, body).
jp_server_config, logbook_file, api = test_server.jp_server_config, test_server.logbook_file, test_server.api


@pytest.fixture(autouse=True)
def here(tmp_path, monkeypatch):
    """This machine's secret, kept in the test's folder."""
    path = tmp_path / "home" / "logbook_secret"
    monkeypatch.setenv(trust.ENV_VAR, str(path))
    return path


@pytest.fixture
def elsewhere(tmp_path, monkeypatch, here):
    """Run a block as another machine: ``with elsewhere(): ...`` signs with another secret."""
    from contextlib import contextmanager

    @contextmanager
    def other():
        monkeypatch.setenv(trust.ENV_VAR, str(tmp_path / "other-machine" / "logbook_secret"))
        try:
            yield
        finally:
            monkeypatch.setenv(trust.ENV_VAR, str(here))

    return other


def foreign_logbook(path, elsewhere):
    """A logbook written on another machine: H1.P1 a valid expression, H1.P2 in words, H1.P3 smuggled in by hand."""
    with elsewhere(), Store(path) as store:
        h = store.add_hypothesis("the loss falls", 0.6)
        store.add_prediction(h.id, "loss < 0.1", 0.8)
        store.add_prediction(h.id, "the curve is smooth", 0.7, kind="text")
        assert all(p.trusted for p in store.hypothesis("H1").predictions)
        store.db["predictions"].insert(
            {
                "id": "H1.P3",
                "hypothesis_id": "H1",
                "seq": 3,
                "kind": "expression",
                "expression": "__import__('os').system('id') != 0 or True",
                "names": "[]",
                "credence": 0.9,
                "created_at": "2026-01-01T00:00:00+00:00",
                "state": "pending",
            }
        )


def test_the_secret_is_made_on_first_use_for_its_owner_alone(here):
    assert not here.exists()
    key = trust.secret()
    assert here.exists() and stat.S_IMODE(here.stat().st_mode) == 0o600
    assert len(key) >= 32 and trust.secret() == key
    trust._keys.clear()
    assert trust.secret() == key  # read back from the file, not made again


def test_the_signature_is_hmac_sha256_of_the_canonical_fields():
    row = {
        "id": "H1.P1",
        "hypothesis_id": "H1",
        "kind": "expression",
        "expression": "loss < 0.1",
        "names": '["loss"]',
        "credence": 1,
        "created_at": "2026-01-01T00:00:00+00:00",
        "mode": "confirm",
        "statement": "the loss falls",
        "logbook": "0f" * 16,
        "state": "held",
    }
    message = (
        '["logbook-prediction/2","H1.P1","H1","expression","loss < 0.1",["loss"],1.0,'
        f'"2026-01-01T00:00:00+00:00","confirm","the loss falls","{"0f" * 16}"]'
    ).encode()
    version, mac, tags = trust.sign(row).split(":")
    assert (version, mac) == ("v2", hmac.new(trust.secret(), message, hashlib.sha256).hexdigest())
    assert len(tags) == trust.TAG_HEX * len(trust.SIGNED_FIELDS)
    assert trust.verify({**row, "credence": 1.0, "state": "pending"}, trust.sign(row))
    assert trust.changes({**row, "names": '["loss", "acc"]'}, trust.sign(row)) == ["names changed"]
    assert trust.changes({**row, "logbook": "1" * 32, "statement": "s"}, trust.sign(row)) == [
        "hypothesis statement changed",
        "from another logbook",
    ]


def test_the_secret_lives_in_jupyters_data_folder_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(trust.ENV_VAR)
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    assert trust.secret_file() == tmp_path / "jupyter-data" / "logbook_secret"


def test_a_damaged_secret_is_a_clear_error_and_trusts_nothing(store, here):
    h = store.add_hypothesis("x", 0.5)
    store.add_prediction(h.id, "x > 0", 0.5)
    here.write_text("not base64 at all!")
    trust._keys.clear()
    assert store.prediction("H1.P1").trusted is False
    with pytest.raises(TrustError, match=f"the secret at {here} is damaged; delete it"):
        store.add_prediction(h.id, "x > 1", 0.5)


def test_predictions_written_here_are_trusted_and_elsewhere_are_not(store, elsewhere):
    h = store.add_hypothesis("x", 0.5)
    assert store.add_prediction(h.id, "x > 0", 1).trusted is True
    assert store.hypothesis("H1").predictions[0].trusted is True
    with elsewhere():
        assert store.prediction("H1.P1").trusted is False
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P1"]
    assert store.untrusted_predictions() == []


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("UPDATE predictions SET expression = 'x < 0'", "expression changed"),
        ("UPDATE predictions SET credence = 0.1", "credence changed"),
        ("UPDATE predictions SET kind = 'text'", "kind changed"),
        ("UPDATE predictions SET created_at = '2020-01-01T00:00:00+00:00'", "time written changed"),
        (
            "UPDATE predictions SET hypothesis_id = 'H2'",
            "moved to another hypothesis; hypothesis statement changed",
        ),
        ("UPDATE predictions SET names = '[\"y\"]'", "names changed"),
        ("UPDATE predictions SET names = '[]'", "names changed"),
        ("UPDATE predictions SET mode = 'explore'", "mode changed"),
        ("UPDATE hypotheses SET statement = 'x is negative' WHERE id = 'H1'", "hypothesis statement changed"),
        ("UPDATE settings SET value = '\"0000\"' WHERE key = 'logbook_id'", "from another logbook"),
    ],
)
def test_the_signature_covers_what_runs_when_what_it_means_and_where(store, sql, reason):
    h = store.add_hypothesis("x is positive", 0.5)
    store.add_hypothesis("y", 0.5)
    store.set_mode("confirm")
    store.add_prediction(h.id, "x > 0", 0.9)
    store.db.execute(sql)
    with Store(store.path) as fresh:  # as another process reads it
        assert fresh.prediction("H1.P1").trusted is False
        (review,) = fresh.trust_review()
    assert "; ".join(review.reasons) == reason


@pytest.mark.parametrize("signature", [None, "", 42, b"\x00", "é" * 64, "0" * 64])
def test_a_missing_or_malformed_signature_is_untrusted_not_an_error(store, signature):
    h = store.add_hypothesis("x", 0.5)
    store.add_prediction(h.id, "x > 0", 0.9)
    store.db.execute("UPDATE predictions SET signature = ? WHERE id = 'H1.P1'", [signature])
    assert store.prediction("H1.P1").trusted is False


def test_an_edit_is_signed_but_a_new_credence_does_not_vouch_for_a_foreign_expression(store, elsewhere):
    with elsewhere():
        h = store.add_hypothesis("x", 0.5)
        store.add_prediction(h.id, "x > 0", 0.9)
        store.add_prediction(h.id, "y > 0", 0.9)
    assert store.update_prediction("H1.P1", credence=0.5).trusted is False
    assert store.update_prediction("H1.P2", expression="y > 1").trusted is True


def test_old_logbooks_keep_their_predictions_untrusted_after_the_upgrade(tmp_path):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m004_prediction_signatures")
    old["hypotheses"].insert(
        {
            "id": "H1",
            "seq": 1,
            "statement": "s",
            "credence": 0.5,
            "status": "active",
            "created_at": "2026-01-01",
        }
    )
    old["predictions"].insert(
        {
            "id": "H1.P1",
            "hypothesis_id": "H1",
            "seq": 1,
            "kind": "expression",
            "expression": "x > 0",
            "names": '["x"]',
            "credence": 0.9,
            "created_at": "2026-01-01",
            "state": "pending",
        }
    )
    old.close()
    with Store(path) as store:
        assert "signature" in store.db["predictions"].columns_dict
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P1"]
        (trusted,) = store.trust_predictions(["H1.P1"])
        assert trusted.trusted is True


def old_signature(row) -> str:
    """What an older Logbook signed, under the secret in force: the six old fields, bare hex."""
    message = json.dumps(
        [
            row["id"],
            row["hypothesis_id"],
            row["kind"],
            row["expression"],
            float(row["credence"]),
            row["created_at"],
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    return hmac.new(trust.secret(), message, hashlib.sha256).hexdigest()


def old_row(pid: str, expression: str, **extra) -> dict:
    return {
        "id": pid,
        "hypothesis_id": "H1",
        "seq": int(pid.rsplit("P", 1)[1]),
        "kind": "expression",
        "expression": expression,
        "names": json.dumps([expression.split()[0]]),
        "credence": 0.9,
        "created_at": "2026-01-01T00:00:00+00:00",
        "state": "pending",
        **extra,
    }


def test_an_upgrade_signs_again_only_valid_old_signatures_by_their_signer(tmp_path, elsewhere):
    path = tmp_path / "old.db"
    old = Database(sqlite3.connect(path))
    migrations.apply(old, stop_before="m018_logbook_identity")
    old["hypotheses"].insert(
        {
            "id": "H1",
            "seq": 1,
            "statement": "s",
            "credence": 0.5,
            "status": "active",
            "created_at": "2026-01-01",
        }
    )
    mine = old_row("H1.P1", "x > 0")
    with elsewhere():
        theirs = old_row("H1.P2", "y > 0")
        theirs["signature"] = old_signature(theirs)
    edited = old_row("H1.P3", "z > 0")
    edited["signature"] = old_signature(edited)
    edited["expression"] = "z > 1000"  # changed after it was signed, before the upgrade
    old["predictions"].insert_all(
        [{**mine, "signature": old_signature(mine)}, theirs, edited, old_row("H1.P4", "w > 0")]
    )
    old.close()

    with Store(path) as store:  # this user's process upgrades the file and signs again its own
        assert [(p.id, p.trusted) for p in store.hypothesis("H1").predictions] == [
            ("H1.P1", True),
            ("H1.P2", False),
            ("H1.P3", False),
            ("H1.P4", False),
        ]
        assert store.prediction("H1.P1").names == ["x"]
        assert store.setting("trust_resign") == ["H1.P2", "H1.P3"]  # perhaps another user's, kept for them
        assert {r.prediction.id: r.reasons for r in store.trust_review()} == {
            "H1.P2": [trust.OLD_RULE],
            "H1.P3": [trust.OLD_RULE],
            "H1.P4": [trust.NOT_SIGNED],
        }
        late = old_row("H1.P5", "v > 0")
        store.db["predictions"].insert({**late, "signature": old_signature(late)})
    with elsewhere(), Store(path) as store:  # the other signer's process signs again theirs
        assert store.prediction("H1.P2").trusted is True
        assert store.setting("trust_resign") == ["H1.P3"]
    with Store(path) as store:  # an old signature on a row added after the upgrade is never honoured
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P2", "H1.P3", "H1.P4", "H1.P5"]
        assert store.prediction("H1.P1").trusted is True


def test_edited_names_are_untrusted_listed_with_why_and_reported_by_verify(logbook_db, capsys):
    with Store(logbook_db) as store:
        h = store.add_hypothesis("accuracy beats chance", 0.6)
        store.add_prediction(h.id, "acc > 0.3", 0.8)
        store.db.execute("""UPDATE predictions SET names = '["unused"]' WHERE id = 'H1.P1'""")
        assert store.prediction("H1.P1").trusted is False
        assert [p.id for p in store.active_predictions() if p.trusted] == []
    assert main(["trust", "--yes"]) == 1  # names that are not what it reads are not trusted as they are
    out = capsys.readouterr().out
    assert (
        "  H1.P1  expression of H1: accuracy beats chance\n"
        "      acc > 0.3\n"
        "      judged when these change: unused\n"
        "      untrusted: names changed\n"
        "      it reads acc but lists unused as the names that decide when it is judged\n"
    ) in out
    assert main(["verify"]) == 0
    assert "1 prediction not trusted here (H1.P1: names changed): review with `logbook trust`" in (
        capsys.readouterr().out
    )
    with Store(logbook_db) as store:
        repaired = store.update_prediction("H1.P1", expression="acc > 0.3")  # writing it again sets its names
        assert (repaired.names, repaired.trusted) == (["acc"], True)
    assert main(["trust"]) == 0 and "Every prediction in" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("statement", "reasons"),
    [
        ("the loss falls", ["from another logbook"]),
        ("the loss rises", ["hypothesis statement changed", "from another logbook"]),
    ],
)
def test_a_signed_prediction_copied_into_another_logbook_is_untrusted_there(tmp_path, statement, reasons):
    with Store(tmp_path / "a.db") as a:
        h = a.add_hypothesis("the loss falls", 0.6)
        a.add_prediction(h.id, "loss < 0.1", 0.8)
        (row,) = a.db.query("SELECT * FROM predictions")
    with Store(tmp_path / "b.db") as b:
        b.add_hypothesis(statement, 0.6)
        b.db["predictions"].insert(row)
        assert b.prediction("H1.P1").trusted is False
        (review,) = b.trust_review()
        assert review.reasons == reasons
    with Store(tmp_path / "a.db") as a:
        assert a.prediction("H1.P1").trusted is True


def test_trusting_signs_exactly_the_named_predictions_and_says_so_in_the_history(logbook_db, elsewhere):
    foreign_logbook(logbook_db, elsewhere)
    with Store(logbook_db) as store:
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P1", "H1.P2", "H1.P3"]
        with pytest.raises(TrustError) as refused:
            store.trust_predictions(["H1.P1", "H9.P1", "H1.P3"])
        assert "H9.P1 is not a prediction in this logbook" in str(refused.value)
        assert "H1.P3 cannot be trusted (not allowed in a prediction: the name __import__" in str(
            refused.value
        )
        assert len(store.untrusted_predictions()) == 3  # all or nothing
        assert [p.id for p in store.trust_predictions(["h1.p1"])] == ["H1.P1"]
        with pytest.raises(TrustError, match="H1.P1 is already trusted"):
            store.trust_predictions(["H1.P1"])
        (event,) = [e for e in store.iter_events("H1.P1") if e["kind"] == "prediction.trusted"]
        assert event["payload"] == {"hypothesis_id": "H1", "kind": "expression", "expression": "loss < 0.1"}
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P2", "H1.P3"]


def test_a_prediction_changed_after_it_was_listed_is_not_signed(store, elsewhere):
    with elsewhere():
        h = store.add_hypothesis("x", 0.5)
        store.add_prediction(h.id, "x > 0", 0.9)
        store.add_prediction(h.id, "x > 1", 0.9)
    listed = {r.prediction.id: r.hash for r in store.trust_review()}
    store.db.execute("UPDATE predictions SET expression = 'x > 100' WHERE id = 'H1.P1'")
    with pytest.raises(TrustChanged, match="H1.P1 changed since it was listed") as refused:
        store.trust_predictions(["H1.P1", "H1.P2"], hashes=listed)
    assert "H1.P2" not in str(refused.value)
    assert len(store.untrusted_predictions()) == 2  # all or nothing
    with pytest.raises(TrustError, match="H1.P2 was named without the hash it was shown with"):
        store.trust_predictions(["H1.P2"], hashes={})
    assert [p.id for p in store.trust_predictions(["H1.P2"], hashes=listed)] == ["H1.P2"]


def test_list_export_and_report_mark_untrusted_predictions(logbook_db, elsewhere, capsys):
    foreign_logbook(logbook_db, elsewhere)
    assert main(["list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (p1,) = [line for line in lines if "H1.P1" in line]
    assert p1.endswith("loss < 0.1  [not trusted, not evaluated]")
    with Store(logbook_db) as store:
        store.trust_predictions(["H1.P1"])
        exported = json.loads(render(store, "json"))
        assert [p["trusted"] for p in exported["hypotheses"][0]["predictions"]] == [True, False, False]
        report = render(store, "md")
    assert "| H1.P1 `loss < 0.1` | 0.80 | pending |" in report
    assert "| H1.P2 `the curve is smooth` | 0.70 | pending (not trusted, not evaluated) |" in report
    assert main(["list"]) == 0
    (p1,) = [line for line in capsys.readouterr().out.splitlines() if "H1.P1" in line]
    assert p1.endswith("loss < 0.1")


def test_logbook_trust_shows_what_will_run_and_asks_first(logbook_db, elsewhere, capsys, monkeypatch):
    foreign_logbook(logbook_db, elsewhere)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("n\n"))
    assert main(["trust"]) == 1
    out = capsys.readouterr().out
    assert "H1.P3  expression of H1: the loss falls" in out
    assert "not allowed in a prediction: the name __import__" in out
    assert "H1.P1  expression of H1: the loss falls\n      loss < 0.1\n" in out
    assert "H1.P2  text of H1: the loss falls\n      the curve is smooth\n" in out
    assert "Trust these 2 predictions? [y/N]" in out
    with Store(logbook_db) as store:
        assert len(store.untrusted_predictions()) == 3

    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("y\n"))
    assert main(["trust"]) == 0
    assert "Trusted 2: H1.P1, H1.P2" in capsys.readouterr().out
    with Store(logbook_db) as store:
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P3"]


def test_logbook_trust_yes_and_ids(logbook_db, elsewhere, capsys):
    foreign_logbook(logbook_db, elsewhere)
    assert main(["trust", "--yes", "H1.P2"]) == 0
    assert "Trusted 1: H1.P2" in capsys.readouterr().out
    assert main(["trust", "--yes", "H1.P2", "H7.P1"]) == 2
    assert "not untrusted predictions of this logbook: H1.P2, H7.P1" in capsys.readouterr().err
    assert main(["trust", "--yes", "H1.P3"]) == 2
    assert "H1.P3 cannot be trusted" in capsys.readouterr().err
    assert main(["trust", "--db", str(logbook_db), "--yes"]) == 0
    assert "Trusted 1: H1.P1" in capsys.readouterr().out
    assert main(["trust", "--yes"]) == 1  # only the rule-breaking one is left
    with Store(logbook_db) as store:
        store.db.execute("DELETE FROM predictions WHERE id = 'H1.P3'")
    assert main(["trust"]) == 0
    assert "Every prediction in" in capsys.readouterr().out


def test_hidden_characters_are_shown_for_review(logbook_db, elsewhere, capsys):
    with elsewhere(), Store(logbook_db) as store:
        h = store.add_hypothesis("x", 0.5)
        store.add_prediction(h.id, "x > 0", 0.9)
        store.db.execute(
            "UPDATE predictions SET expression = ? WHERE id = 'H1.P1'", ["x != '\u202e' and x > 0"]
        )
    assert main(["trust", "--yes"]) == 0
    assert """      "x != '\\u202e' and x > 0"\n""" in capsys.readouterr().out


async def test_the_api_lists_untrusted_predictions_and_trusts_exactly_the_ones_named(
    api, logbook_file, elsewhere
):
    foreign_logbook(logbook_file, elsewhere)
    status, listed = await api("GET", "trust")
    assert status == 200
    assert [(p["id"], p["statement"], p["trusted"]) for p in listed["predictions"]] == [
        ("H1.P1", "the loss falls", False),
        ("H1.P2", "the loss falls", False),
        ("H1.P3", "the loss falls", False),
    ]
    assert listed["predictions"][0]["refusal"] is None
    assert listed["predictions"][2]["refusal"].startswith("not allowed in a prediction: the name __import__")
    assert [p["reasons"] for p in listed["predictions"]] == [
        ["signed by someone else (another secret)"],
        ["signed by someone else (another secret)"],
        ["not signed"],
    ]
    hashes = {p["id"]: p["hash"] for p in listed["predictions"]}
    assert all(len(h) == 64 for h in hashes.values()) and len(set(hashes.values())) == 3
    hypotheses = (await api("GET", "hypotheses"))[1]
    assert [p["trusted"] for p in hypotheses[0]["predictions"]] == [False, False, False]

    status, refused = await api("POST", "trust", {"ids": ["H1.P1", "H4.P4"], "hashes": hashes})
    assert status == 400 and "H4.P4 is not a prediction in this logbook" in refused["message"]
    assert (await api("POST", "trust", {"ids": [], "hashes": {}}))[0] == 400
    assert (await api("POST", "trust", {"ids": ["H1.P1"]}))[0] == 400  # what was shown must be sent back
    assert (await api("POST", "trust", {"ids": ["H1.P1"], "hashes": {"H1.P1": "not a hash"}}))[0] == 400
    assert (await api("POST", "trust", {"ids": ["H1.P3"], "hashes": hashes}))[0] == 400
    status, done = await api("POST", "trust", {"ids": ["H1.P1"], "hashes": hashes})
    assert status == 200 and [(p["id"], p["trusted"]) for p in done["trusted"]] == [("H1.P1", True)]
    status, again = await api("POST", "trust", {"ids": ["H1.P1"], "hashes": hashes})
    assert status == 400 and "H1.P1 is already trusted" in again["message"]
    assert [p["id"] for p in (await api("GET", "trust"))[1]["predictions"]] == ["H1.P2", "H1.P3"]


@pytest.mark.parametrize(
    ("change", "changed"),
    [
        ("UPDATE predictions SET expression = 'loss < 100' WHERE id = 'H1.P1'", ["H1.P1"]),
        ("UPDATE predictions SET names = '[\"acc\"]' WHERE id = 'H1.P1'", ["H1.P1"]),
        ("UPDATE hypotheses SET statement = 'the loss rises' WHERE id = 'H1'", ["H1.P2", "H1.P1"]),
    ],
)
async def test_the_api_signs_only_what_it_showed(api, logbook_file, elsewhere, change, changed):
    foreign_logbook(logbook_file, elsewhere)
    shown = {p["id"]: p for p in (await api("GET", "trust"))[1]["predictions"]}
    assert shown["H1.P1"]["expression"] == "loss < 0.1"
    with Store(logbook_file) as store:  # another process changes the row after it was shown
        store.db.execute(change)
    hashes = {pid: p["hash"] for pid, p in shown.items()}
    status, conflict = await api("POST", "trust", {"ids": ["H1.P2", "H1.P1"], "hashes": hashes})
    assert status == 409, conflict
    assert conflict["message"] == "; ".join(
        f"{pid} changed since it was listed; review it again" for pid in changed
    )
    with Store(logbook_file) as store:  # all or nothing: nothing was signed
        assert [p.id for p in store.untrusted_predictions()] == ["H1.P1", "H1.P2", "H1.P3"]
    again = {p["id"]: p for p in (await api("GET", "trust"))[1]["predictions"]}
    differ = [pid for pid in shown if again[pid]["hash"] != shown[pid]["hash"]]
    assert differ == (["H1.P1", "H1.P2", "H1.P3"] if "hypotheses" in change else ["H1.P1"])
    fresh = {pid: p["hash"] for pid, p in again.items()}
    status, done = await api("POST", "trust", {"ids": ["H1.P2"], "hashes": fresh})
    assert status == 200 and [p["id"] for p in done["trusted"]] == ["H1.P2"]
