"""Sealing the head of the history, for yourself and for others.

The event chain (:mod:`logbook.store.tables.events`) makes any change to a past
record visible, unless whoever changed it recomputed every hash after it.
Two seals anchor the head so that cannot pass:

- **Your seal**, kept as the history grows: each write transaction ends by
  signing the new head (the number of events and the last hash) with
  HMAC-SHA256 under your secret (the one that signs predictions,
  :mod:`logbook.rules.trust`), in the ``seals`` table, one row per author. Plain
  ``logbook verify`` checks it: a history rewritten by someone without your
  secret no longer matches your seal.
- **An SSH seal**, for a reader who does not hold your secret: ``logbook
  seal`` signs the head with your SSH key the way git signs commits
  (``ssh-keygen -Y sign``, namespace :data:`NAMESPACE`), and JSON exports
  carry it with their chain, so ``logbook verify EXPORT --allowed-signers
  FILE`` checks an export alone.

The signed text names the logbook by its first event's hash (unique to the
file it was started in), the number of events and the head::

    logbook seal v1
    logbook 5f0c...
    events 1234
    head 9a41...
"""

from __future__ import annotations

import hashlib
import hmac
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

from logbook.errors import LogbookError

#: The namespace SSH seals are made and checked in (``ssh-keygen -Y sign -n``).
NAMESPACE = "logbook-seal"
#: The keys ``logbook seal`` tries, in order, when none is named.
DEFAULT_KEYS = ("id_ed25519", "id_ecdsa", "id_rsa")


class SealError(LogbookError):
    """A seal cannot be made or checked (no key, no ssh-keygen, a signature that does not verify)."""


def message(genesis: str, events: int, head: str) -> str:
    """The text a seal signs: which logbook, how many events, and the head's hash."""
    return f"logbook seal v1\nlogbook {genesis}\nevents {events}\nhead {head}\n"


def key_id(secret: bytes) -> str:
    """A short public name for a secret: the first 16 hex digits of its SHA-256 (not the secret)."""
    return hashlib.sha256(b"logbook seal key\n" + secret).hexdigest()[:16]


def mac(secret: bytes, genesis: str, events: int, head: str) -> str:
    """Your seal of a head: HMAC-SHA256 of :func:`message` under your secret."""
    return hmac.new(secret, message(genesis, events, head).encode(), "sha256").hexdigest()


def _ssh_keygen() -> str:
    found = shutil.which("ssh-keygen")
    if found is None:
        raise SealError(
            "ssh-keygen is not installed: install OpenSSH (Debian: apt-get install openssh-client)"
        )
    return found


def default_key() -> Path:
    """The first of ``~/.ssh/id_ed25519``, ``id_ecdsa``, ``id_rsa`` that exists."""
    for name in DEFAULT_KEYS:
        path = Path.home() / ".ssh" / name
        if path.exists():
            return path
    raise SealError("no SSH key found in ~/.ssh (id_ed25519, id_ecdsa, id_rsa); name one with --key")


def ssh_sign(text: str, key: Path, namespace: str = NAMESPACE) -> str:
    """``text`` signed with the SSH private ``key`` (``ssh-keygen -Y sign``): the armored signature."""
    done = subprocess.run(
        [_ssh_keygen(), "-Y", "sign", "-f", str(key), "-n", namespace, "-q"],
        input=text.encode(),
        capture_output=True,
        timeout=120,
    )
    if done.returncode != 0 or b"BEGIN SSH SIGNATURE" not in done.stdout:
        why = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
        raise SealError(f"ssh-keygen could not sign with {key}: {why}")
    return done.stdout.decode()


def ssh_verify(
    text: str,
    signature: str,
    allowed_signers: Path,
    namespace: str = NAMESPACE,
    identity: Optional[str] = None,
) -> str:
    """Check an SSH seal against an allowed-signers file (as git's ``gpg.ssh.allowedSignersFile``).

    Returns the identity it verified as; raises :class:`SealError` saying why not.
    """
    keygen = _ssh_keygen()
    if not Path(allowed_signers).is_file():
        raise SealError(f"no allowed-signers file at {allowed_signers}")
    with tempfile.TemporaryDirectory() as folder:
        signature_file = Path(folder) / "seal.sig"
        signature_file.write_text(signature)
        if identity is None:
            found = subprocess.run(
                [keygen, "-Y", "find-principals", "-s", str(signature_file), "-f", str(allowed_signers)],
                capture_output=True,
                timeout=60,
            )
            principals = found.stdout.decode().split()
            if found.returncode != 0 or not principals:
                raise SealError(f"the seal was not made by any key in {allowed_signers}")
            identity = principals[0]
        checked = subprocess.run(
            [
                keygen,
                "-Y",
                "verify",
                "-f",
                str(allowed_signers),
                "-I",
                identity,
                "-n",
                namespace,
                "-s",
                str(signature_file),
            ],
            input=text.encode(),
            capture_output=True,
            timeout=60,
        )
    if checked.returncode != 0:
        why = (checked.stderr or checked.stdout).decode(errors="replace").strip()
        raise SealError(f"the SSH seal does not verify for {identity}: {why}")
    return identity
