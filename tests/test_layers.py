"""The house stays as drawn: the contracts in .importlinter hold for the code as it is, and
lint-imports refuses a copy of it with an import planted up a layer."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(root: Path) -> subprocess.CompletedProcess:
    """lint-imports on the package under root/src, with root's own .importlinter."""
    environment = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_no_import_runs_up_a_layer():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_an_import_up_a_layer_breaks_the_contracts(tmp_path):
    shutil.copy(ROOT / ".importlinter", tmp_path)
    package = tmp_path / "src" / "peken"
    shutil.copytree(
        ROOT / "src" / "peken",
        package,
        ignore=lambda folder, names: [
            name for name in names if not name.endswith(".py") and "." in name
        ],
    )
    # Up a layer between apps: the foundation reaching for the pages.
    (package / "core" / "planted_upward.py").write_text("from peken.web import home  # noqa\n")
    # Up a layer inside an app: a model reaching for its app's services.
    models = package / "ledger" / "models.py"
    models.write_text(models.read_text() + "\nfrom peken.ledger import services  # noqa\n")
    # Django in the pure rules.
    rules = package / "quotas" / "rules.py"
    rules.write_text(rules.read_text() + "\nfrom django.db import models  # noqa\n")
    # The order step reaching for the money it must not know.
    lifecycle = package / "ordering" / "lifecycle.py"
    lifecycle.write_text(lifecycle.read_text() + "\nfrom peken.payments import models  # noqa\n")

    result = lint_imports(tmp_path)

    output = result.stdout
    assert result.returncode == 1, output + result.stderr
    assert "Contracts: 0 kept, 4 broken." in output
    assert "peken.ordering is not allowed to import peken.payments" in output
    assert "peken.core is not allowed to import peken.web" in output
    assert "peken.core.planted_upward -> peken.web.home" in output
    assert "peken.ledger.models is not allowed to import peken.ledger.services" in output
    assert "peken.quotas.rules is not allowed to import django" in output
