"""The Content-Security-Policy header, and that the templates stay within it."""

import re
from pathlib import Path

import pytest

import factories
from peken.accounts.models import Role
from peken.core import csp

SOURCE = Path(__file__).resolve().parent.parent / "src" / "peken"
HANDLER = re.compile(r"""\son[a-z]+=(["'])(.*?)\1""", re.DOTALL)


def test_pages_carry_a_policy_without_inline_scripts(client):
    page = client.get("/masuk/")
    policy = page["Content-Security-Policy"]
    script = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy


@pytest.mark.django_db
def test_signed_in_pages_carry_it_too(client):
    client.force_login(factories.user("siti", Role.WARGA))
    assert "script-src 'self'" in client.get("/")["Content-Security-Policy"]


def test_every_template_script_is_a_file_and_every_handler_is_allowed():
    for template in SOURCE.rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or "application/json" in tag, f"inline script in {template}"
        for _, handler in HANDLER.findall(text):
            assert handler in csp.INLINE_HANDLERS, f"{template}: handler {handler!r} not allowed"
