"""A real JupyterHub on 127.0.0.1 for tests: its proxy (configurable-http-proxy), the dummy authenticator, and
the local process spawner, with every user's server in one shared project folder; and a kernel client that runs
code in a user's server through the hub, as their notebook would."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tests.support.lab_server import free_port

ROOT = Path(__file__).resolve().parents[2]
PROXY = ROOT / "node_modules" / ".bin" / "configurable-http-proxy"

CONFIG = """
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.JupyterHub.authenticator_class = "dummy"
c.Authenticator.allowed_users = {{"ana", "bob"}}
c.JupyterHub.spawner_class = "simple"
# Every user's server serves the one shared project folder.
c.SimpleLocalProcessSpawner.home_dir_template = {project!r}
c.Spawner.cmd = [{python!r}, "-m", "jupyterhub.singleuser"]
c.Spawner.args = ["--allow-root", "--ServerApp.ip=127.0.0.1"]
c.Spawner.env_keep = ["PATH", "PYTHONPATH"]
# Each person has their own secret (their seals differ), and Jupyter's own files stay out of the project.
c.Spawner.environment = {{
    "LOGBOOK_SECRET_FILE": lambda spawner: "{state}/users/" + spawner.user.name + "/logbook_secret",
    "JUPYTER_DATA_DIR": lambda spawner: "{state}/users/" + spawner.user.name + "/data",
    "JUPYTER_CONFIG_DIR": lambda spawner: "{state}/users/" + spawner.user.name + "/config",
    "IPYTHONDIR": lambda spawner: "{state}/users/" + spawner.user.name + "/ipython",
    "JUPYTERLAB_WORKSPACES_DIR": lambda spawner: "{state}/users/" + spawner.user.name + "/workspaces",
}}
c.Spawner.start_timeout = 300
c.Spawner.http_timeout = 300
c.JupyterHub.db_url = "sqlite:///{state}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.pid_file = "{state}/hub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.services = [{{"name": "tests", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [
    {{"name": "tests", "scopes": ["admin:users", "admin:servers", "tokens"], "services": ["tests"]}}
]
"""


class Hub:
    """A running hub: its public URL, and calls to its REST API as the tests' service."""

    def __init__(self, url: str, token: str, log: Path):
        self.url, self.token, self.log = url, token, log

    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> dict:
        request = urllib.request.Request(
            f"{self.url}/{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {token or self.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:
            text = response.read()
        return json.loads(text) if text else {}

    def start_server(self, user: str, deadline: float) -> str:
        """Start ``user``'s server (in the shared project) and give back a token of theirs for it."""
        try:
            self.api("POST", f"hub/api/users/{user}")
        except urllib.error.HTTPError as error:
            if error.code != 409:  # 409: the hub made the allowed users as it started
                raise
        self.api("POST", f"hub/api/users/{user}/server")
        while not self.api("GET", f"hub/api/users/{user}")["servers"].get("", {}).get("ready"):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{user}'s server did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.5)  # polling the hub's own record of the spawn, not standing in for an event
        return self.api("POST", f"hub/api/users/{user}/tokens", {"note": "tests"})["token"]


@contextmanager
def jupyterhub(project: Path, state: Path, timeout: float = 300) -> Iterator[Hub]:
    """A JupyterHub whose users' servers all serve ``project``; its own files go in ``state``."""
    if not PROXY.exists():
        raise RuntimeError(f"configurable-http-proxy is not installed at {PROXY}: run npm ci")
    port, token = free_port(), secrets.token_hex(16)
    config = state / "jupyterhub_config.py"
    config.write_text(
        CONFIG.format(
            port=port,
            hub_port=free_port(),
            proxy=str(PROXY),
            proxy_api_port=free_port(),
            project=str(project),
            python=sys.executable,
            state=state,
            token=token,
        )
    )
    log = state / "jupyterhub.log"
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    env.pop("LOGBOOK_DB", None)
    env.pop("JUPYTERHUB_USER", None)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "jupyterhub", "-f", str(config)],
            cwd=state,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    hub = Hub(f"http://127.0.0.1:{port}", token, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                hub.api("GET", "hub/api/")
                break
            except (OSError, urllib.error.HTTPError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"jupyterhub did not start:\n{log.read_text()[-4000:]}") from None
                time.sleep(0.2)  # waiting for the hub's port, not standing in for an event
        yield hub
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(state / "tmp", ignore_errors=True)


class UserKernel:
    """A kernel in one user's server, reached through the hub's proxy with that user's token."""

    def __init__(self, hub: Hub, user: str, token: str):
        self.hub, self.user, self.token = hub, user, token
        self.base = f"user/{user}"
        self.kernel_id = hub.api("POST", f"{self.base}/api/kernels", {"name": "python3"}, token)["id"]
        self.session = uuid.uuid4().hex

    def run(self, code: str, timeout: float = 180) -> list[dict]:
        """Execute ``code`` as a notebook cell; the iopub messages it produced (errors included)."""
        return asyncio.run(self._run(code, timeout))

    async def _run(self, code: str, timeout: float) -> list[dict]:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.hub.url.replace("http://", "ws://") + f"/{self.base}/api/kernels/{self.kernel_id}/channels"
        request = HTTPRequest(url, headers={"Authorization": f"token {self.token}"})
        connection = await websocket_connect(request)
        msg_id = uuid.uuid4().hex
        header = {
            "msg_id": msg_id,
            "msg_type": "execute_request",
            "username": self.user,
            "session": self.session,
            "version": "5.3",
            "date": "",
        }
        content = {
            "code": code,
            "silent": False,
            "store_history": True,
            "user_expressions": {},
            "allow_stdin": False,
        }
        await connection.write_message(
            json.dumps(
                {
                    "header": header,
                    "parent_header": {},
                    "metadata": {},
                    "content": content,
                    "channel": "shell",
                }
            )
        )
        produced = []
        try:
            while True:
                raw = await asyncio.wait_for(connection.read_message(), timeout)
                if raw is None:
                    raise RuntimeError("the kernel's connection closed")
                message = json.loads(raw)
                if message.get("parent_header", {}).get("msg_id") != msg_id:
                    continue
                if message["channel"] == "iopub":
                    produced.append(message)
                    if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                        return produced
        finally:
            connection.close()

    def shut_down(self) -> None:
        try:
            self.hub.api("DELETE", f"{self.base}/api/kernels/{self.kernel_id}", token=self.token)
        except urllib.error.HTTPError:
            pass
