"""The benchmarks moved to the package benchmarks/ (`python -m benchmarks`); this runs it."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.cli import main  # noqa: E402

sys.exit(main())
