"""Pages work under the Content-Security-Policy, and it does stop an injected script."""


def _violations(page) -> list[str]:
    found: list[str] = []
    page.on(
        "console",
        lambda message: (
            found.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return found


def test_pages_run_their_scripts_and_handlers_without_violations(phone):
    violations = _violations(phone)
    for path in ["/", "/masuk/", "/cari/?q=beras"]:
        phone.goto(path)
        phone.wait_for_load_state("networkidle")
    # The language list submits itself through its inline handler (allowed by its hash).
    phone.goto("/masuk/")
    with phone.expect_navigation():
        phone.select_option("#bahasa", "en")
    assert phone.locator("html").get_attribute("lang") == "en"
    assert violations == []


def test_an_injected_inline_script_does_not_run(phone):
    violations = _violations(phone)
    phone.goto("/masuk/")
    phone.evaluate(
        """() => {
            const button = document.createElement('button');
            button.id = 'jebakan';
            button.setAttribute('onclick', 'window.pwned = true');
            document.body.appendChild(button);
        }"""
    )
    phone.click("#jebakan")
    assert phone.evaluate("window.pwned === undefined")
    assert violations
