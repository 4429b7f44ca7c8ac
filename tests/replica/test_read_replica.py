"""The read replica against a real PostgreSQL streaming pair (scripts/replica-cluster.sh, which
.ci/run starts): the checks in clusters/ run in a pytest of their own, whose database is the
pair's primary itself, since a test copy of it would not be streamed to the replica."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
PAIR = ("PEKEN_REPLICA_TEST_PRIMARY_URL", "PEKEN_REPLICA_TEST_REPLICA_URL")


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="runs on its own PostgreSQL pair; once (in the PostgreSQL run) is enough",
)
def test_reads_go_to_the_streaming_replica_and_fall_back_to_the_primary():
    required = os.environ.get("PEKEN_REQUIRE_REPLICA") == "1"
    if not all(os.environ.get(name) for name in PAIR):
        message = (
            "no primary/replica pair: `bash scripts/replica-cluster.sh start` and "
            '`eval "$(bash scripts/replica-cluster.sh env)"` first'
        )
        if required:
            pytest.fail(f"PEKEN_REQUIRE_REPLICA=1 but {message}")
        pytest.skip(message)
    environment = {
        **os.environ,
        "PEKEN_REPLICA_PAIR_RUN": "1",
        "PYTHONPATH": os.pathsep.join(
            [
                str(HERE / "clusters"),
                str(ROOT / "src"),
                str(ROOT / "tests"),
                os.environ.get("PYTHONPATH", ""),
            ]
        ),
    }
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "--ds=cluster_settings",
            "-p",
            "no:cacheprovider",
            str(HERE / "clusters" / "cluster_checks.py"),
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    # The PgBouncer check is skipped only where pgbouncer is not installed (.ci/run installs it).
    expected = "5 passed" if os.environ.get("PEKEN_REPLICA_TEST_PGBOUNCER_URL") else "4 passed"
    if required:
        expected = "5 passed"
    assert expected in result.stdout, result.stdout[-3000:]
    print(f"replica checks: {time.monotonic() - started:.1f} s")
