"""The test settings, on the throwaway primary/replica pair of scripts/replica-cluster.sh: the
primary's own database (no test copy: the replica could not follow one) and its replica."""

import os

os.environ["DATABASE_URL"] = os.environ["PEKEN_REPLICA_TEST_PRIMARY_URL"]
os.environ["DATABASE_REPLICA_URL"] = os.environ["PEKEN_REPLICA_TEST_REPLICA_URL"]

from peken_test_settings import *  # noqa: E402,F403

DATABASES = databases_settings()  # noqa: F405  (the test settings drop the replica)
# The checks ask for a fresh look at the replica themselves (replica_forget).
PEKEN_REPLICA_CHECK_SECONDS = 60
