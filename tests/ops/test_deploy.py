"""deploy/: what a city runs Peken with, checked as far as a machine without Docker can.

- nginx with deploy/nginx/peken.conf in front of gunicorn with deploy/gunicorn.conf.py, both real
  processes, Peken in production settings on a scratch SQLite database: pages over HTTPS through
  the proxy, static files and photos from nginx alone, kept-alive connections on both sides,
  oversized uploads stopped at nginx. Skipped without nginx (`.ci/run` installs it), and run in
  the SQLite suite only (its gunicorn has a database of its own either way).
- `peken check --deploy` clean with production settings, the example settings file included.
- The compose file, the image definition and the systemd units agree with each other, with the
  Makefile and with the settings Peken reads (`systemd-analyze verify` where it exists).
"""

import gzip
import http.client
import inspect
import json
import os
import re
import runpy
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import time
import zipfile
from fnmatch import fnmatch
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "peken.conf"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
ENV_EXAMPLE = DEPLOY / "peken.env.example"
VENV_BIN = Path(sys.executable).parent
HOST = "peken.test"
TEMPLATE_VALUES = ("PEKEN_HOST", "PEKEN_UPSTREAM", "PEKEN_DATA_DIR", "PEKEN_TLS_DIR")
# Settings read by Peken that are not for a deployment to set.
# Not set by an operator: Django's own, the tests', and what `peken serve` tells gunicorn.
NOT_DEPLOYMENT_SETTINGS = {
    "DJANGO_SETTINGS_MODULE",
    "PEKEN_TEST_POSTGRES_URL",
    "PEKEN_METRICS_DIR_IS_TEMPORARY",
}


# --- helpers ----------------------------------------------------------------------------------


def production_environment(data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a production process: DEBUG off, a real secret, one host name."""
    # Nothing of the test process's own environment but how to find programs and modules:
    # earlier tests set variables of their own (DJANGO_ALLOW_ASYNC_UNSAFE for the browser).
    environment = {
        key: value
        for key, value in os.environ.items()
        if key in {"PATH", "PYTHONPATH", "HOME", "LANG", "TMPDIR"}
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="peken.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS=HOST,
        PEKEN_DATA_DIR=str(data_dir),
        PEKEN_TRUSTED_PROXIES="127.0.0.1",
    )
    environment.update(extra)
    return environment


def env_file_values(path: Path) -> dict[str, str]:
    """KEY=value lines as systemd's EnvironmentFile and compose's env_file read them."""
    values = {}
    for line in path.read_text().splitlines():
        match = re.fullmatch(r"([A-Z][A-Z0-9_]*)=(.*)", line.strip())
        if match:
            key, value = match.groups()
            if len(value) >= 2 and value[0] == value[-1] == '"':
                value = value[1:-1]
            values[key] = value
    return values


def env_file_names(path: Path) -> set[str]:
    """Every setting the file names, set or shown commented with its default."""
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", path.read_text(), re.MULTILINE))


def upstream_keepalive_timeout(site: str) -> int:
    upstream = re.search(r"upstream peken_app \{(.*?)\n\}", site, re.DOTALL).group(1)
    return int(re.search(r"keepalive_timeout (\d+)s;", upstream).group(1))


def size_in_bytes(text: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kKmM]?)", text).groups()
    return int(number) * {"": 1, "k": 1024, "m": 1024 * 1024}[unit.lower()]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(predicate, *, seconds: float, what: str, process=None, log: Path | None = None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        if process is not None and process.poll() is not None:
            break
        time.sleep(0.2)
    detail = log.read_text()[-3000:] if log and log.exists() else ""
    pytest.fail(f"{what} did not come up\n{detail}")


def port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


class Browser(http.client.HTTPSConnection):
    """One HTTPS connection to the local nginx, as a browser at https://peken.test makes it
    (the name in TLS and in Host), counting how often it had to connect."""

    def __init__(self, port: int, server_name: str = HOST):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__("127.0.0.1", port, context=context, timeout=15)
        self.server_name = server_name
        self.connects = 0

    def connect(self):
        raw = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(raw, server_hostname=self.server_name)
        self.connects += 1

    def fetch(self, method: str, path: str, body=None, headers=None) -> tuple:
        self.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
        response = self.getresponse()
        return response, response.read()


# --- the stack: gunicorn and nginx ------------------------------------------------------------


def skip_without(tool: str) -> None:
    message = f"{tool} is not installed (.ci/run installs it: apt-get install nginx openssl)"
    if os.environ.get("PEKEN_REQUIRE_NGINX") == "1":  # CI: a missing tool is a failure
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    nginx = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx",) if Path(path).exists()), None
    )
    if nginx is None:
        skip_without("nginx")
    if shutil.which("openssl") is None:
        skip_without("openssl")
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs in the SQLite suite: its gunicorn uses a scratch SQLite database")

    tmp = tmp_path_factory.mktemp("deploy")
    data = tmp / "data"
    environment = production_environment(data)
    subprocess.run(
        [VENV_BIN / "peken", "migrate", "--noinput", "-v0"],
        env=environment,
        check=True,
        timeout=300,
    )
    # What collectstatic leaves in the data folder, in small: a file, its .gz, a vendored library.
    static = data / "static"
    source_static = ROOT / "src" / "peken" / "web" / "static"
    (static / "web").mkdir(parents=True, exist_ok=True)
    shutil.copy(source_static / "web" / "app.css", static / "web" / "app.css")
    (static / "web" / "app.css.gz").write_bytes(
        gzip.compress((static / "web" / "app.css").read_bytes())
    )
    shutil.copytree(source_static / "vendor", static / "vendor")
    photo = data / "media" / "products" / f"{secrets.token_hex(16)}.webp"
    photo.parent.mkdir(parents=True)
    photo.write_bytes(b"RIFF\x1a\x00\x00\x00WEBPVP8L" + bytes(14))
    tls = tmp / "tls"
    tls.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST}",
            "-keyout",
            tls / "privkey.pem",
            "-out",
            tls / "fullchain.pem",
        ],
        check=True,
        capture_output=True,
    )

    gunicorn_port, http_port, https_port = free_port(), free_port(), free_port()
    access_log = tmp / "gunicorn-access.log"
    gunicorn_log = tmp / "gunicorn.log"
    gunicorn = subprocess.Popen(
        [
            VENV_BIN / "gunicorn",
            "--config",
            GUNICORN_CONF,
            "--bind",
            f"127.0.0.1:{gunicorn_port}",
            "--workers",
            "1",
            "--threads",
            "4",
            "--access-logfile",
            access_log,
            # The connection's port on gunicorn's side: the same port, the same connection.
            "--access-logformat",
            "%(r)s %(s)s port=%({remote_port}e)s",
        ],
        env=environment,
        stdout=gunicorn_log.open("w"),
        stderr=subprocess.STDOUT,
    )
    nginx_process = None
    try:
        probe_environment = {**environment, "PEKEN_BIND": f"127.0.0.1:{gunicorn_port}"}
        wait_until(
            lambda: subprocess.run(
                [sys.executable, DEPLOY / "healthcheck.py"], env=probe_environment
            ).returncode == 0,
            seconds=90, what="gunicorn", process=gunicorn, log=gunicorn_log,
        )  # fmt: skip

        site = render_site(
            values={
                "PEKEN_HOST": HOST,
                "PEKEN_UPSTREAM": f"127.0.0.1:{gunicorn_port}",
                "PEKEN_DATA_DIR": str(data),
                "PEKEN_TLS_DIR": str(tls),
            },
            http_port=http_port,
            https_port=https_port,
            access_log=tmp / "nginx-access.log",
        )
        (tmp / "peken.conf").write_text(site)
        (tmp / "nginx.conf").write_text(nginx_main_config(nginx, tmp))
        command = [nginx, "-p", str(tmp), "-c", str(tmp / "nginx.conf"), "-e", "error.log"]
        checked = subprocess.run([*command, "-t"], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr
        assert "[warn]" not in checked.stderr, checked.stderr
        nginx_process = subprocess.Popen(command, stderr=subprocess.DEVNULL)
        wait_until(
            lambda: port_open(https_port), seconds=30, what="nginx", process=nginx_process,
            log=tmp / "error.log",
        )  # fmt: skip
        yield {
            "https": https_port,
            "http": http_port,
            "gunicorn_log": access_log,
            "data": data,
            "photo": photo,
        }
    finally:
        for process in (nginx_process, gunicorn):
            if process is not None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def render_site(*, values: dict, http_port: int, https_port: int, access_log: Path) -> str:
    """deploy/nginx/peken.conf with its four values filled in (as envsubst does), on local
    ports and logs. Each replaced text must be there: a changed site fails here, not silently."""
    site = SITE.read_text()
    for name, value in values.items():
        assert f"${{{name}}}" in site, name
        site = site.replace(f"${{{name}}}", value)
    assert "${" not in site
    for text, replacement, count in (
        ("listen 80 ", f"listen 127.0.0.1:{http_port} ", 1),
        ("listen 80;", f"listen 127.0.0.1:{http_port};", 1),
        ("listen 443 ", f"listen 127.0.0.1:{https_port} ", 2),
        ("/var/log/nginx/access.log", str(access_log), 1),
    ):
        assert site.count(text) == count, text
        site = site.replace(text, replacement)
    return site


def nginx_main_config(nginx: str, tmp: Path) -> str:
    """What nginx.conf around the site holds on a server (Debian's or the nginx image's): the
    MIME types, and temp folders of this test's own."""
    built_with = subprocess.run([nginx, "-V"], capture_output=True, text=True).stderr
    conf_path = re.search(r"--conf-path=(\S+)", built_with)
    mime_types = Path(conf_path.group(1) if conf_path else "/etc/nginx/nginx.conf").with_name(
        "mime.types"
    )
    for folder in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / "temp" / folder).mkdir(parents=True, exist_ok=True)
    # As root nginx's workers would run as nobody, who may not read the test's folders.
    user = "user root;" if os.geteuid() == 0 else ""
    return f"""
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include {mime_types};
    default_type application/octet-stream;
    client_body_temp_path {tmp}/temp/client_body;
    proxy_temp_path {tmp}/temp/proxy;
    fastcgi_temp_path {tmp}/temp/fastcgi;
    uwsgi_temp_path {tmp}/temp/uwsgi;
    scgi_temp_path {tmp}/temp/scgi;
    include {tmp}/peken.conf;
}}
"""


def gunicorn_saw(stack, path: str) -> list[str]:
    time.sleep(0.2)  # gunicorn writes its access line after the response
    return [line for line in stack["gunicorn_log"].read_text().splitlines() if f" {path} " in line]


# --- through the proxy ------------------------------------------------------------------------


def test_a_page_answers_through_nginx_over_https_as_production(stack):
    browser = Browser(stack["https"])
    response, body = browser.fetch("GET", "/masuk/")
    assert response.status == 200, body[:500]
    assert b"<form" in body
    # Django saw HTTPS (X-Forwarded-Proto): HSTS and a Secure CSRF cookie, no redirect loop.
    assert "preload" in response.getheader("Strict-Transport-Security", "")
    cookie = response.getheader("Set-Cookie", "")
    assert "csrftoken=" in cookie and "Secure" in cookie
    assert gunicorn_saw(stack, "/masuk/")


def test_a_form_posted_through_nginx_passes_the_csrf_check(stack):
    """Django checks a POST's Origin against the host and scheme it sees: both come from nginx."""
    browser = Browser(stack["https"])
    response, body = browser.fetch("GET", "/masuk/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cookie = response.getheader("Set-Cookie").split(";")[0]
    form = f"csrfmiddlewaretoken={token}&username=nobody&password=wrong-password"
    response, body = browser.fetch(
        "POST",
        "/masuk/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": f"https://{HOST}",
            "Referer": f"https://{HOST}/masuk/",
        },
    )
    assert response.status == 200, (response.status, body[:300])  # the form again, not a 403
    assert b"<form" in body


def test_plain_http_is_sent_to_https_by_nginx(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=10)
    connection.request("GET", "/masuk/?next=/", headers={"Host": HOST})
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/masuk/?next=/"
    assert not gunicorn_saw(stack, "/masuk/?next=/")


def test_requests_for_other_names_never_reach_peken(stack):
    connection = http.client.HTTPConnection("127.0.0.1", stack["http"], timeout=10)
    connection.request("GET", "/probe-other-name/", headers={"Host": "203.0.113.9"})
    with pytest.raises(http.client.RemoteDisconnected):
        connection.getresponse()
    with pytest.raises(ssl.SSLError):
        Browser(stack["https"], server_name="other.example").fetch("GET", "/probe-other-name/")
    assert not gunicorn_saw(stack, "/probe-other-name/")


def test_static_files_come_from_nginx_with_caching_headers(stack):
    browser = Browser(stack["https"])
    source = stack["data"] / "static" / "web" / "app.css"
    response, body = browser.fetch("GET", "/static/web/app.css")
    assert response.status == 200 and body == source.read_bytes()
    assert response.getheader("Cache-Control") == "public, max-age=3600"
    assert response.getheader("Content-Type").startswith("text/css")
    response, body = browser.fetch(
        "GET", "/static/web/app.css", headers={"Accept-Encoding": "gzip"}
    )
    assert response.getheader("Content-Encoding") == "gzip"
    assert gzip.decompress(body) == source.read_bytes()
    response, body = browser.fetch("GET", "/static/vendor/htmx-2.0.11/htmx.min.js")
    assert response.status == 200 and b"htmx" in body
    assert "immutable" in response.getheader("Cache-Control")
    response, _ = browser.fetch("GET", "/static/web/no-such-file.css")
    assert response.status == 404
    assert not gunicorn_saw(stack, "/static/web/app.css")
    assert not gunicorn_saw(stack, "/static/web/no-such-file.css")


def test_uploaded_photos_come_from_nginx(stack):
    photo = stack["photo"]
    path = f"/media/products/{photo.name}"
    response, body = Browser(stack["https"]).fetch("GET", path)
    assert response.status == 200 and body == photo.read_bytes()
    assert response.getheader("Content-Type") == "image/webp"
    assert response.getheader("Cache-Control") == "public, max-age=31536000, immutable"
    assert response.getheader("Content-Security-Policy") == "default-src 'none'"
    assert not gunicorn_saw(stack, path)


def test_connections_are_kept_alive_from_browser_to_gunicorn(stack):
    browser = Browser(stack["https"])
    for _ in range(6):
        response, body = browser.fetch("GET", "/sehat/")
        assert response.status == 200, body
    assert browser.connects == 1  # browser to nginx: one connection for all six
    # nginx to gunicorn: the six came on one connection (gunicorn saw one client port).
    ports = {line.rsplit("port=", 1)[1] for line in gunicorn_saw(stack, "/sehat/")[-6:]}
    assert len(ports) == 1, ports


def test_an_upload_over_the_limit_is_refused_by_nginx(stack):
    browser = Browser(stack["https"])
    browser.putrequest("POST", "/api/v1/people/asn/import", skip_host=True)
    browser.putheader("Host", HOST)
    browser.putheader("Content-Type", "multipart/form-data; boundary=x")
    browser.putheader("Content-Length", str(22 * 1024 * 1024))
    browser.endheaders()
    response = browser.getresponse()
    assert response.status == 413
    assert b"Request Entity Too Large" in response.read()  # nginx's page, not Peken's JSON
    assert not gunicorn_saw(stack, "/api/v1/people/asn/import")


def test_a_body_nginx_lets_through_meets_peken_own_limit(stack):
    body = b'{"username": "' + b"x" * (6 * 1024 * 1024) + b'"}'
    response, answer = Browser(stack["https"]).fetch(
        "POST", "/api/v1/auth/token", body=body, headers={"Content-Type": "application/json"}
    )
    assert response.status == 413
    assert b"request_too_large" in answer
    assert gunicorn_saw(stack, "/api/v1/auth/token")


# --- the files agree with each other ----------------------------------------------------------


def test_gunicorn_holds_idle_connections_longer_than_nginx():
    config = runpy.run_path(str(GUNICORN_CONF))
    assert config["keepalive"] > upstream_keepalive_timeout(SITE.read_text())
    assert config["worker_class"] == "gthread"  # the sync worker closes every connection


def test_gunicorn_conf_names_only_settings_gunicorn_knows(monkeypatch):
    """gunicorn silently ignores a misspelt name in its config file."""
    from gunicorn.config import KNOWN_SETTINGS

    known = {setting.name for setting in KNOWN_SETTINGS}
    monkeypatch.setenv("PEKEN_WORKERS", "3")
    monkeypatch.setenv("PEKEN_THREADS", "5")
    monkeypatch.setenv("PEKEN_BIND", "0.0.0.0:8000")
    config = runpy.run_path(str(GUNICORN_CONF))
    names = {
        name
        for name, value in config.items()
        if not name.startswith("_") and not inspect.ismodule(value) and not inspect.isclass(value)
    }
    assert names <= known, names - known  # functions included: gunicorn's hooks
    assert (config["workers"], config["threads"], config["bind"]) == (3, 5, ["0.0.0.0:8000"])
    monkeypatch.delenv("PEKEN_WORKERS")
    assert runpy.run_path(str(GUNICORN_CONF))["workers"] == 2 * len(os.sched_getaffinity(0))


def test_nginx_takes_the_largest_upload_peken_takes_and_not_much_more():
    from peken.core.images import MAX_UPLOAD_BYTES
    from peken.payouts.services import MAX_SETTLEMENT_BYTES
    from peken.regions.services import MAX_REGION_FILE_BYTES

    limit = size_in_bytes(re.search(r"client_max_body_size (\w+);", SITE.read_text()).group(1))
    largest = max(
        settings.PEKEN_ROSTER_MAX_BYTES,
        MAX_REGION_FILE_BYTES,
        MAX_SETTLEMENT_BYTES,
        MAX_UPLOAD_BYTES,
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE,
    )
    assert largest < limit <= largest + 2 * 1024 * 1024


def test_nginx_serves_static_and_media_from_where_peken_puts_them(tmp_path):
    """The site serves PEKEN_DATA_DIR/static and /media: Peken's defaults for those folders."""
    script = "from django.conf import settings as s; print(s.STATIC_ROOT, s.MEDIA_ROOT)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=production_environment(tmp_path),
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == [str(tmp_path / "static"), str(tmp_path / "media")]
    site = SITE.read_text()
    assert "alias ${PEKEN_DATA_DIR}/static/;" in site
    assert "alias ${PEKEN_DATA_DIR}/media/;" in site


def test_compose_runs_every_part_from_one_image_and_one_settings_file():
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    services = compose["services"]
    assert set(services) == {"postgres", "redis", "migrate", "app", "worker", "nginx"}
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"
    for name in ("migrate", "app", "worker"):
        service = services[name]
        assert service["build"]["target"] == "app" and service["image"] == "peken-app", name
        assert service["env_file"] == ".env", name
        assert service["environment"]["DATABASE_URL"].endswith("@postgres:5432/peken")
        assert service["environment"]["REDIS_URL"] == "redis://redis:6379/0"
        assert "media:/srv/peken/media" in service["volumes"]
        assert "backups:/srv/peken/backups" in service["volumes"]
    assert services["worker"]["command"] == ["peken", "worker"]
    assert services["migrate"]["command"] == ["peken", "migrate", "--noinput"]
    assert services["app"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    nginx = services["nginx"]
    assert nginx["build"]["target"] == "nginx"
    assert {name for name in nginx["environment"] if name.startswith("PEKEN_")} == set(
        TEMPLATE_VALUES
    )
    assert nginx["environment"]["PEKEN_UPSTREAM"] == "app:8000"
    assert "media:/srv/peken/media:ro" in nginx["volumes"]
    for service in services.values():
        if "build" in service:
            assert (DEPLOY / service["build"]["context"]).resolve() == ROOT
            assert (ROOT / service["build"]["dockerfile"]).is_file()
    # Every value compose fills in is explained in the example settings file.
    variables = set(re.findall(r"\$\{(\w+)", (DEPLOY / "compose.yaml").read_text()))
    assert variables <= env_file_names(ENV_EXAMPLE), variables - env_file_names(ENV_EXAMPLE)


def test_the_image_copies_only_what_exists_and_the_build_may_see():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^FROM python:3\.11-slim(-bookworm)? AS app$", dockerfile, re.MULTILINE)
    assert re.search(r"^FROM nginx:\S+ AS nginx$", dockerfile, re.MULTILINE)
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    sources = [
        source
        for line in re.findall(r"^COPY (?!--from)(.+)$", dockerfile, re.MULTILINE)
        for source in line.split()[:-1]
    ]
    assert "src" in sources and "pyproject.toml" in sources
    for source in sources:
        assert (ROOT / source).exists(), source
        assert not any(fnmatch(source, pattern) for pattern in ignored), source
    assert "deploy/.env" in ignored  # the secrets never go into an image
    # What the image runs is what it copied.
    assert '"/app/deploy/gunicorn.conf.py"' in dockerfile
    assert "/app/deploy/healthcheck.py" in dockerfile
    assert re.search(r"^USER peken$", dockerfile, re.MULTILINE)
    assert "collectstatic" in dockerfile


def test_the_image_installs_every_file_of_the_sources(tmp_path):
    """The image installs Peken as a wheel (`pip install .`), not from a checkout: a file the
    packaging leaves out (a vendored library in a folder like htmx-2.0.11, an icon) would be
    missing in production only. Built here from what the Dockerfile copies before installing."""
    if os.environ.get("DATABASE_URL"):
        pytest.skip("runs once, in the SQLite suite")
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    before_install = dockerfile[: dockerfile.index("RUN pip install .")]
    context = tmp_path / "context"
    context.mkdir()
    for line in re.findall(r"^COPY (?!--from)(.+)$", before_install, re.MULTILINE):
        for source in line.split()[:-1]:
            if (ROOT / source).is_dir():
                shutil.copytree(
                    ROOT / source,
                    context / source,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"),
                )
            else:
                shutil.copy(ROOT / source, context / source)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet",
         "--disable-pip-version-check", "--wheel-dir", tmp_path / "wheel", context],
        check=True,
        timeout=600,
    )  # fmt: skip
    (wheel,) = (tmp_path / "wheel").glob("peken-*.whl")
    installed = set(zipfile.ZipFile(wheel).namelist())
    sources = {
        path.relative_to(context / "src").as_posix()
        for path in (context / "src" / "peken").rglob("*")
        if path.is_file()
    }
    assert len(sources) > 300
    assert not sources - installed, sorted(sources - installed)


def test_the_example_settings_name_every_setting_peken_reads():
    read = set()
    sources = [*(ROOT / "src" / "peken").rglob("*.py"), GUNICORN_CONF, DEPLOY / "healthcheck.py"]
    for source in sources:
        read |= set(
            re.findall(
                r"(?:os\.environ\.get|os\.environ\[|os\.getenv|env_bool|env_list)\(?\s*\"(\w+)\"",
                source.read_text(),
            )
        )
    assert {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "PEKEN_WORKERS"} <= read
    missing = read - NOT_DEPLOYMENT_SETTINGS - env_file_names(ENV_EXAMPLE)
    assert not missing, f"add to deploy/peken.env.example: {sorted(missing)}"


def test_the_example_settings_read_the_same_in_a_shell(tmp_path):
    """A VM's operator runs peken by hand with `set -a; . /etc/peken/peken.env` (README): the
    shell must read the file as systemd and compose do."""
    script = f"set -a; . {ENV_EXAMPLE}; exec {sys.executable} -c 'import json, os; "
    script += "print(json.dumps(dict(os.environ)))'"
    result = subprocess.run(["sh", "-c", script], env={}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    shell = json.loads(result.stdout)
    values = env_file_values(ENV_EXAMPLE)
    assert {key: shell.get(key) for key in values} == values


def production_check(environment: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [VENV_BIN / "peken", "check", "--deploy", "--fail-level", "WARNING"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_with_production_settings(tmp_path):
    result = production_check(production_environment(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_is_clean_with_the_example_settings_filled_in(tmp_path):
    values = env_file_values(ENV_EXAMPLE)
    assert values["DEBUG"] == "0" and values["PEKEN_PAYMENT_SIMULATOR"] == "0"
    filled = {
        key: secrets.token_urlsafe(50) if value.startswith("REQUIRED") else value
        for key, value in values.items()
    }
    filled["PEKEN_DATA_DIR"] = str(tmp_path)  # not /srv/peken on the test machine
    environment = {**production_environment(tmp_path), **filled}
    result = production_check(environment)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_demo_still_serves_plain_http(tmp_path):
    script = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    environment = production_environment(tmp_path, DEBUG="1")
    del environment["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.split() == ["False", "False", "0"]


# --- systemd units ----------------------------------------------------------------------------


def unit(name: str) -> dict[str, list[str]]:
    entries: dict[str, list[str]] = {}
    for line in (DEPLOY / "systemd" / name).read_text().splitlines():
        if "=" in line and not line.startswith(("#", "[")):
            key, value = line.split("=", 1)
            entries.setdefault(key.strip(), []).append(value.strip())
    return entries


def test_systemd_units_run_what_the_makefile_installs():
    venv = re.search(r"^VENV := (\S+)$", (ROOT / "Makefile").read_text(), re.MULTILINE).group(1)
    bin_dir = f"/opt/peken/{venv}/bin"
    web, worker = unit("peken-web.service"), unit("peken-worker.service")
    web_command = web["ExecStart"][0].split()
    assert web_command[0] == f"{bin_dir}/gunicorn"
    config = web_command[web_command.index("--config") + 1]
    assert config.startswith("/opt/peken/")
    assert (ROOT / config.removeprefix("/opt/peken/")).is_file()
    assert web["Type"] == ["notify"]  # gunicorn tells systemd when it serves
    assert worker["ExecStart"][0].split() == [f"{bin_dir}/peken", "worker"]
    assert (ROOT / "src/peken/core/management/commands/worker.py").is_file()
    for entries in (web, worker):
        assert entries["User"] == ["peken"]
        assert entries["EnvironmentFile"] == ["/etc/peken/peken.env"]
        assert "PEKEN_DATA_DIR=/srv/peken" in entries["Environment"]
        assert entries["ReadWritePaths"] == ["/srv/peken"]
        assert entries["Restart"] == ["always"]


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_systemd_units_verify(tmp_path):
    """systemd's own check, on copies whose paths point at this checkout and its virtualenv."""
    for name in ("peken-web.service", "peken-worker.service"):
        text = (DEPLOY / "systemd" / name).read_text()
        text = text.replace("/opt/peken/.venv/bin", str(VENV_BIN)).replace("/opt/peken", str(ROOT))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *sorted(tmp_path.glob("*.service"))],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert not result.stderr.strip(), result.stderr
