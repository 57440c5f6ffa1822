"""An author's file in a team project is theirs alone to write, down to the file system: it is made with no
group or other write permission (whatever the shared folder's default), its -wal and -shm follow it, and the
authors' folder is sticky. With two real accounts (run as root), each reads the other's live file and
cannot write it."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest

from logbook.errors import LogbookReadOnly
from logbook.store.core import Store
from logbook.team.start import start_team

#: Two accounts with no name, as a JupyterHub's users would be: a shared group, a user id each.
GROUP, ANA, BOB = 47000, 47001, 47002


def others_can_write(path: Path) -> bool:
    return bool(path.stat().st_mode & (stat.S_IWGRP | stat.S_IWOTH))


@pytest.fixture
def shared_umask():
    """A group-writable default for new files, as a shared project folder gives."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def test_an_authors_file_and_its_side_files_are_writable_by_the_author_alone(tmp_path, shared_umask):
    authors = tmp_path / ".logbook" / "authors"
    authors.mkdir(parents=True)
    with Store(authors / "ana.db") as store:
        store.add_hypothesis("head 0.1 copies the previous token", 0.6)
        sides = [authors / "ana.db", authors / "ana.db-wal", authors / "ana.db-shm"]
        assert all(side.exists() for side in sides)
        assert [others_can_write(side) for side in sides] == [False, False, False]
        assert all(side.stat().st_mode & stat.S_IRGRP for side in sides), "teammates still read it"


def test_a_solo_logbook_keeps_the_permissions_it_was_given(tmp_path):
    path = tmp_path / ".logbook" / "logbook.db"
    Store(path).close()
    os.chmod(path, 0o666)
    with Store(path) as store:
        store.add_hypothesis("alone", 0.5)
    assert stat.S_IMODE(path.stat().st_mode) == 0o666


def test_an_author_file_made_group_writable_by_hand_is_taken_back_when_its_author_opens_it(tmp_path):
    path = tmp_path / ".logbook" / "authors" / "ana.db"
    path.parent.mkdir(parents=True)
    Store(path).close()
    os.chmod(path, 0o666)
    Store(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o644


def test_the_authors_folder_of_a_new_team_is_sticky(tmp_path):
    start_team(tmp_path, "ana")
    assert (tmp_path / ".logbook" / "authors").stat().st_mode & stat.S_ISVTX


@pytest.fixture
def shared_project():
    """A project folder every account can reach (pytest's own temporary folders are root's alone)."""
    project = Path(tempfile.mkdtemp(prefix="logbook-shared-"))
    os.chmod(project, 0o755)
    yield project
    shutil.rmtree(project, ignore_errors=True)


def as_account(uid: int, action) -> str:
    """Run ``action()`` in a child process switched to the account ``uid`` (group :data:`GROUP`): what it says."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read)
        try:
            os.setgroups([GROUP])
            os.setgid(GROUP)
            os.setuid(uid)
            said = action()
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            said = f"{type(error).__name__}: {error}"
        os.write(write, said.encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return b"".join(chunks).decode()


@pytest.mark.skipif(os.geteuid() != 0, reason="switching between two accounts needs root")
def test_two_accounts_read_each_others_live_file_and_cannot_write_it(shared_project):
    project = shared_project
    authors = project / ".logbook" / "authors"
    authors.mkdir(parents=True)
    os.chown(authors, 0, GROUP)
    os.chmod(authors, 0o1775)  # shared: the group creates files in it; sticky: each deletes only their own

    def write_own(name: str, statement: str):
        def action() -> str:
            old = os.umask(0o002)
            try:
                store = Store(authors / f"{name}.db")
                store.add_hypothesis(statement, 0.6)
                # Kept open: the records sit in its WAL, as while the author's kernel runs.
                write_own.kept.append(store)  # type: ignore[attr-defined]
                return "ok"
            finally:
                os.umask(old)

        return action

    write_own.kept = []  # type: ignore[attr-defined]
    # ana writes her file and keeps it open in a process of her own while bob reads and tries to write.
    ana_ready, ana_go = os.pipe(), os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - ana's long-lived child
        try:
            os.setgroups([GROUP])
            os.setgid(GROUP)
            os.setuid(ANA)
            said = write_own("ana", "head 0.1 copies the previous token")()
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            said = f"{type(error).__name__}: {error}"
        os.write(ana_ready[1], said.encode())
        os.read(ana_go[0], 1)  # until bob is done
        os._exit(0)
    try:
        assert os.read(ana_ready[0], 100).decode() == "ok"
        ana = authors / "ana.db"
        assert Path(f"{ana}-wal").stat().st_size > 0, "ana's records are in her WAL, her file open"
        before = {side: side.read_bytes() for side in (ana, Path(f"{ana}-wal"))}

        def bob_reads_and_tries_to_write() -> str:
            lines = []
            with Store(ana, guest=True, check_integrity=False) as theirs:
                lines.append(f"read {[h.statement for h in theirs.hypotheses()]}")
            try:
                Store(ana).add_hypothesis("bob writes in ana's file", 0.5)
                lines.append("wrote")
            except LogbookReadOnly:
                lines.append("refused")
            try:
                ana.unlink()
                lines.append("deleted")
            except PermissionError:
                lines.append("not deleted")
            lines.append(write_own("bob", "head 1.4 is an induction head")())
            return "\n".join(lines)

        said = as_account(BOB, bob_reads_and_tries_to_write).splitlines()
        assert said == ["read ['head 0.1 copies the previous token']", "refused", "not deleted", "ok"], said
        assert {side: side.read_bytes() for side in before} == before, "ana's file and WAL as she left them"
        assert (authors / "bob.db").stat().st_uid == BOB and not others_can_write(authors / "bob.db")
    finally:
        os.write(ana_go[1], b"x")
        os.waitpid(pid, 0)
