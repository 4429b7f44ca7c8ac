"""The container's health probe: exit 0 when gunicorn (on PEKEN_BIND) answers /healthz with 200.

It asks as nginx would: for a name in ALLOWED_HOSTS, over HTTPS as far as Django can tell
(X-Forwarded-Proto), so the host check and the HTTPS redirect of production let it through.
Standard library only: it runs with the image's Python, outside Django.
"""

import http.client
import os
import sys


def probe() -> bool:
    hosts = [name.strip().lstrip(".") for name in os.environ.get("ALLOWED_HOSTS", "").split(",")]
    host = next((name for name in hosts if name and name != "*"), "localhost")
    address, _, port = os.environ.get("PEKEN_BIND", "127.0.0.1:8000").rpartition(":")
    if address in {"", "0.0.0.0", "[::]"}:
        address = "127.0.0.1"
    connection = http.client.HTTPConnection(address, int(port), timeout=5)
    try:
        connection.request("GET", "/healthz", headers={"Host": host, "X-Forwarded-Proto": "https"})
        return connection.getresponse().status == 200
    except OSError:
        return False
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(0 if probe() else 1)
