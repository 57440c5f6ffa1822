"""Two researchers on a real JupyterHub (its proxy, the dummy authenticator, the local process spawner, all on
127.0.0.1) share one project folder: each runs a notebook into their own logbook, sees the other's records
live, comments across, never writes the other's file, and `logbook verify` passes, then names whose file
was edited."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time

import pytest

from logbook.store.core import Store
from tests.support.hub import PROXY, UserKernel, jupyterhub

pytest.importorskip("jupyterhub")
pytestmark = pytest.mark.skipif(
    not PROXY.exists() and os.environ.get("LOGBOOK_REQUIRE_BROWSER") != "1",
    reason="configurable-http-proxy is not installed (npm ci)",
)

CELLS = {
    "ana": [
        "import logbook\nh = logbook.hypothesis('head 0.1 copies the previous token', 0.6)\n"
        "h.predict('copy_score > 0.5', credence=0.9)",
        "copy_score = 0.1",
    ],
    "bob": [
        "import logbook\nh = logbook.hypothesis('head 1.4 is an induction head', 0.7)\n"
        "h.predict('induction_score > 0.8', credence=0.9)",
        "induction_score = 0.2",
    ],
}


def errors(messages: list[dict]) -> list[str]:
    return [m["content"]["evalue"] for m in messages if m["msg_type"] == "error"]


def team_until(hub, user, token, wanted, deadline):
    """``user``'s team view once ``wanted(view)`` holds, waiting on their server's change feed."""
    since = -1
    while True:
        view = hub.api("GET", f"user/{user}/logbook/api/team", token=token)
        if wanted(view):
            return view
        if time.monotonic() > deadline:
            raise AssertionError(f"{user}'s team view never showed it: {view}")
        since = hub.api("GET", f"user/{user}/logbook/api/feed?since={since}&timeout=10", token=token)[
            "revision"
        ]


def logbook_cli(project, state, user, *args):
    env = {
        **os.environ,
        "JUPYTERHUB_USER": user,
        "LOGBOOK_SECRET_FILE": str(state / "users" / user / "logbook_secret"),
    }
    env.pop("LOGBOOK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "logbook.cli", *args], cwd=project, env=env, capture_output=True, text=True
    )


def test_two_researchers_share_a_team_logbook_on_one_jupyterhub(tmp_path):
    project = tmp_path / "project"
    (project / ".logbook" / "authors").mkdir(parents=True)
    state = tmp_path / "hub"
    state.mkdir()
    with jupyterhub(project, state) as hub:
        deadline = time.monotonic() + 600
        tokens = {user: hub.start_server(user, deadline) for user in ("ana", "bob")}
        kernels = {user: UserKernel(hub, user, tokens[user]) for user in tokens}
        try:
            for user, cells in CELLS.items():
                for cell in cells:
                    assert errors(kernels[user].run(cell)) == []
            ended = time.perf_counter()  # bob's last cell has ended
            view = team_until(
                hub,
                "ana",
                tokens["ana"],
                lambda v: any(s["label"] == "S1·bob" for s in v["surprises"]),
                deadline,
            )
            print(
                f"bob's surprise reached ana's server's team view {time.perf_counter() - ended:.2f} s after his cell"
            )
            assert [(a["author"], a["mine"], a["state"]) for a in view["authors"]] == [
                ("ana", True, "ok"),
                ("bob", False, "ok"),
            ]
            (bobs,) = [s for s in view["surprises"] if s["author"] == "bob"]
            assert bobs["what"] == "H1.P1 failed: induction_score > 0.8"

            # ana comments on bob's hypothesis: written in her file, shown in his view.
            hub.api(
                "POST",
                "user/ana/logbook/api/team/remarks",
                {"kind": "comment", "author": "bob", "id": "H1", "text": "was it the same seed?"},
                token=tokens["ana"],
            )
            view = team_until(
                hub,
                "bob",
                tokens["bob"],
                lambda v: any(h["remarks"] for h in v["hypotheses"] if h["label"] == "H1·bob"),
                deadline,
            )
            (h1,) = [h for h in view["hypotheses"] if h["label"] == "H1·bob"]
            assert [(r["label"], r["text"]) for r in h1["remarks"]] == [("R1·ana", "was it the same seed?")]
        finally:
            for kernel in kernels.values():
                kernel.shut_down()

    # Each file holds its own author's writes alone.
    for user in ("ana", "bob"):
        with Store(project / ".logbook" / "authors" / f"{user}.db", guest=True) as store:
            assert {row["author"] for row in store.seals()} == {user}
            assert {e.author for e in store.experiments()} == {user}
    assert not (project / ".logbook" / "logbook.db").exists()

    # Each one's export holds both, attributed.
    for user, other in (("ana", "bob"), ("bob", "ana")):
        exported = logbook_cli(project, state, user, "export", "--format", "md", "-o", f"{user}.md")
        assert exported.returncode == 0, exported.stderr
        team = (project / f"{user}.md").read_text().split('## <a id="team"></a>Team', 1)[1]
        assert f"### {user} (this logbook)" in team and f"### {other}\n" in team
        assert f"H1·{other}" in team and f"H1.P1·{other}" in team

    verified = logbook_cli(project, state, "ana", "verify")
    assert verified.returncode == 0, verified.stderr
    assert "ana (you): ok" in verified.stdout and "bob: ok" in verified.stdout
    for user, credence in (("bob", "0.7"), ("ana", "0.6")):  # an edit of either file is caught, and named
        edited = sqlite3.connect(project / ".logbook" / "authors" / f"{user}.db")
        edited.execute("DROP TRIGGER IF EXISTS events_no_update")
        edited.execute(f"UPDATE events SET payload = replace(payload, '{credence}', '0.95') WHERE id = 1")
        edited.commit()
        edited.close()
        caught = logbook_cli(project, state, "bob", "verify")
        failing = caught.stderr.strip().splitlines()[-1]
        assert caught.returncode == 1 and failing.startswith("logbook verify: the record of"), caught.stderr
        assert user in failing, failing
