"""A real PostgreSQL 16 for the local stack and the tests, from the `pgserver` wheel.

The server listens on a Unix socket only (no TCP port to collide with), keeps its data in
`data_dir` between runs, and is shared: starting it again, from this process or another one,
attaches to the server already running on that directory. pgserver counts the processes holding
a handle and stops the server when the last one lets go (stop(), or interpreter exit).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from psycopg2.extensions import make_dsn

DATABASE = "postgres"
USER = "postgres"  # pgserver initialises the cluster with trust authentication for this user


@dataclass
class PostgresHandle:
    dsn: str  # a libpq keyword string: host=<socket dir> port=... user=... dbname=...
    data_dir: Path
    _server: Any

    def stop(self) -> None:
        """Release this process's hold; the server stops when no other process holds it."""
        if self._server is not None:
            server, self._server = self._server, None
            server.cleanup()


def start_postgres(data_dir: Path) -> PostgresHandle:
    """Start (or attach to) the server whose data lives in `data_dir`, creating it on first use."""
    with warnings.catch_warnings():
        # platformdirs warns that XDG_RUNTIME_DIR is unset (containers, CI) and falls back to
        # /tmp/runtime-<uid> for pgserver's lock file, which is fine.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
        import pgserver  # a dev dependency: imported here so the module can be read without it

    data_dir = Path(data_dir).expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(data_dir, cleanup_mode="stop")
    info = server.get_postmaster_info()
    if info.socket_dir is not None:
        dsn = make_dsn(host=str(info.socket_dir), port=info.port, user=USER, dbname=DATABASE)
    else:  # pgserver falls back to TCP on loopback only on Windows
        dsn = make_dsn(host=info.hostname or "127.0.0.1", port=info.port, user=USER, dbname=DATABASE)
    return PostgresHandle(dsn=dsn, data_dir=data_dir, _server=server)
