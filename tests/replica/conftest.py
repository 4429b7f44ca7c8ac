import os

# clusters/ runs in a pytest of its own, on the primary/replica pair (test_read_replica.py).
collect_ignore = [] if os.environ.get("PEKEN_REPLICA_PAIR_RUN") else ["clusters"]
