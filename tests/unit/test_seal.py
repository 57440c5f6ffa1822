"""A sealed head: a history rewritten without your secret fails plain `logbook verify`, and an SSH seal
lets a colleague check an export alone."""

import json
import shutil
import subprocess

import pytest

from logbook.audit.verify import verify_export, verify_logbook
from logbook.cli.main import main
from logbook.models import LogbookExport
from logbook.store.tables.events import GENESIS, canonical, event_hash
from tests.kernel.test_honest_record import judge
from tests.unit.test_verify import tamper, verify

needs_ssh = pytest.mark.skipif(shutil.which("ssh-keygen") is None, reason="needs OpenSSH's ssh-keygen")


@pytest.fixture
def research(store):
    h = store.add_hypothesis("head 0.1 copies tokens", 0.6)
    store.add_prediction(h.id, "score > 0.5", 0.8)
    judge(store, "H1.P1", held=False)
    store.add_note("check the period")
    return store


def rewrite_everything(store, statement="head 0.1 does nothing"):
    """What someone holding the file but not your secret can do: rewrite a statement and recompute every hash."""
    tamper(store, "DROP TRIGGER IF EXISTS events_no_update")
    rows = store.db.execute("SELECT id, at, kind, subject, payload FROM events ORDER BY id").fetchall()
    prev = GENESIS
    for event_id, at, kind, subject, payload in rows:
        if kind == "hypothesis.stated":
            payload = canonical({**json.loads(payload), "statement": statement})
        digest = event_hash(prev, event_id, at, kind, subject, payload)
        store.db.execute(
            "UPDATE events SET payload = ?, prev_hash = ?, hash = ? WHERE id = ?",
            [payload, prev, digest, event_id],
        )
        prev = digest
    store.db.execute("UPDATE hypotheses SET statement = ? WHERE id = 'H1'", [statement])
    store.db.conn.commit()


def test_every_write_seals_the_new_head_with_your_secret(research):
    (seal,) = research.seals()
    assert (seal["events"], seal["hash"]) == (research.chain_head()["events"], research.chain_head()["hash"])
    result = verify_logbook(research, require_seal=True)
    assert result.ok and "your key, checked" in result.summary()


def test_a_history_rewritten_with_fresh_hashes_fails_plain_verify(research, logbook_db, capsys):
    rewrite_everything(research)
    code, printed = verify(capsys, "--db", str(logbook_db))
    assert code == 1 and "the history was rewritten after" in printed


def test_a_forged_seal_row_does_not_verify_under_your_key(research, logbook_db, capsys):
    rewrite_everything(research)
    head = research.chain_head()
    tamper(research, f"UPDATE seals SET events = {head['events']}, hash = '{head['hash']}'")
    assert "the seal under your key does not verify" in verify(capsys, "--db", str(logbook_db))[1]


def test_events_added_without_logbook_after_the_seal_are_named(research, logbook_db, capsys):
    head = research.chain_head()
    payload = canonical({"text": "forged", "experiment_id": None, "hypothesis_id": None})
    at = "2030-01-01T00:00:00+00:00"
    digest = event_hash(head["hash"], head["events"] + 1, at, "note.written", "N9", payload)
    tamper(
        research,
        "INSERT INTO events (id, at, kind, subject, payload, prev_hash, hash) VALUES "
        f"({head['events'] + 1}, '{at}', 'note.written', 'N9', '{payload}', '{head['hash']}', '{digest}')",
    )
    assert (
        f"events {head['events'] + 1}-{head['events'] + 1} were added after the last seal"
        in verify(capsys, "--db", str(logbook_db))[1]
    )


def test_stripping_every_seal_fails_verify_when_a_seal_is_required(research, logbook_db, capsys):
    rewrite_everything(research)
    tamper(research, "DELETE FROM seals")
    assert verify(capsys, "--db", str(logbook_db))[0] == 0  # nothing says it was sealed...
    code, printed = verify(capsys, "--db", str(logbook_db), "--require-seal")
    assert code == 1 and "not sealed with your key" in printed  # ...but the owner asks for theirs


def test_a_json_export_carries_its_chain_and_is_checked_alone(research, tmp_path):
    exported = LogbookExport.model_validate_json(research.export().model_dump_json())
    assert len(exported.events) == research.chain_head()["events"]
    assert verify_export(exported).ok
    forged = exported.model_copy(deep=True)
    forged.experiments[0].source = "score = 0.9"
    assert any("experiment 1 was changed" in p for p in verify_export(forged).problems)
    cut = exported.model_copy(deep=True)
    cut.events = cut.events[:-1]
    assert any("does not end at its chain head" in p for p in verify_export(cut).problems)


@pytest.fixture
def ssh_key(tmp_path):
    key = tmp_path / "id_ed25519"
    subprocess.run(
        ["ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-C", "ada@lab", "-f", str(key)],
        check=True,
        timeout=60,
    )
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"ada@lab {key.with_suffix('.pub').read_text().strip()}\n")
    return key, signers


@needs_ssh
def test_an_ssh_sealed_export_verifies_for_a_colleague_and_a_forgery_does_not(
    research, logbook_db, tmp_path, capsys, ssh_key
):
    key, signers = ssh_key
    assert main(["seal", "--db", str(logbook_db), "--key", str(key)]) == 0
    export = logbook_db.parent.parent / "log.json"
    assert main(["export", "--db", str(logbook_db), "--format", "json", "--output", str(export)]) == 0
    capsys.readouterr()
    code, printed = verify(capsys, str(export), "--allowed-signers", str(signers))
    assert code == 0 and "SSH seal verified for ada@lab" in printed

    data = json.loads(export.read_text())
    data["hypotheses"][0]["statement"] = "head 0.1 does nothing"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(data))
    assert verify(capsys, str(forged), "--allowed-signers", str(signers))[0] == 1

    other = tmp_path / "other_signers"
    stranger = tmp_path / "stranger"
    subprocess.run(
        ["ssh-keygen", "-t", "ed25519", "-N", "", "-q", "-f", str(stranger)], check=True, timeout=60
    )
    other.write_text(f"eve@lab {stranger.with_suffix('.pub').read_text().strip()}\n")
    code, printed = verify(capsys, str(export), "--allowed-signers", str(other))
    assert code == 1 and "not made by any key" in printed


@needs_ssh
def test_a_rewritten_history_cannot_keep_its_ssh_seal(research, logbook_db, tmp_path, capsys, ssh_key):
    key, signers = ssh_key
    sealed = research.seal_with_ssh(key)
    rewrite_everything(research)
    assert research.ssh_seal() is None  # the sealed head is gone from the history
    exported = research.export()
    result = verify_export(exported, allowed_signers=signers)
    assert not result.ok and "no SSH seal" in result.problems[0]
    exported.seal = sealed  # the old seal carried over to the rewritten history
    result = verify_export(exported, allowed_signers=signers)
    assert not result.ok and "for another history" in result.problems[0]
