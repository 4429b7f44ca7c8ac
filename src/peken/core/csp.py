"""Content-Security-Policy for every page (Django 5.2 has none built in; 6.0 will).

Scripts come only from our own static files. The few inline event handlers the templates use
(a select that submits its form, a confirm before cancelling) are allowed by the hash of their
exact text ('unsafe-hashes'), so an injected handler or <script> does not run. Style
attributes stay allowed: progress bars set their width inline, and a style cannot run code.
"""

import base64
import hashlib

# The exact text of each inline handler in the templates; tests/test_csp.py fails when a template
# gains one that is not listed here.
INLINE_HANDLERS = (
    "this.form.submit()",
    "return confirm(this.dataset.ask)",
    "this.querySelector('[type=submit]').disabled = true",
)


def _hash_source(text: str) -> str:
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def policy() -> str:
    handlers = " ".join(_hash_source(text) for text in INLINE_HANDLERS)
    directives = [
        "default-src 'self'",
        f"script-src 'self' 'unsafe-hashes' {handlers}",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    ]
    return "; ".join(directives)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to HTML responses that do not set their own."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy()

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response
