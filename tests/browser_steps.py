"""Shared steps of the browser journeys: where Chromium is, a phone's size, logging in."""

import os
import shutil

CHROMIUM_PATHS = ("/usr/bin/chromium", "/usr/bin/chromium-browser")
PHONE = {"width": 360, "height": 800}
SCREENSHOTS = os.environ.get("PEKEN_SCREENSHOTS_DIR", "")
DEMO_PASSWORD = "peken-demo"


def chromium_path() -> str | None:
    configured = os.environ.get("PEKEN_CHROMIUM")
    candidates = [configured] if configured else list(CHROMIUM_PATHS)
    candidates.append(shutil.which("chromium") or "")
    return next((path for path in candidates if path and os.path.exists(path)), None)


def log_in(page, username: str, password: str) -> None:
    page.goto("/masuk/")
    page.get_by_label("Nama pengguna, NIP, NIK atau nomor HP").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_load_state()


def screenshot(page, name: str) -> None:
    """Kept for the README when PEKEN_SCREENSHOTS_DIR is set (`make screenshots`)."""
    if SCREENSHOTS:
        os.makedirs(SCREENSHOTS, exist_ok=True)
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=False)
