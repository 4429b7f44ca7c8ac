"""How a pure rule (rules.py: no Django) refuses a value in words that can still be translated.

A rule marks its Indonesian message with `gettext_noop` (a name `makemessages` looks for, so the
text lands in the .po files) and keeps the values apart, as `%(name)s` places and keywords:
`raise CatalogRuleError(gettext_noop("Stok paling banyak %(maximum)s."), "stock", maximum=…)`.
A value from the rule's own vocabulary (a status, a field's name) is passed as a `Label` and is
translated with the sentence. str(error) is the sentence in the language of the request once the
core app has installed Django's gettext (CoreConfig.ready); until then, and in pure tests, it is
the Indonesian text. Services keep turning a refusal into a DomainError with `str(error)`.
"""

from collections.abc import Callable


def gettext_noop(message: str) -> str:
    """Marks a message for translation without translating it (as Django's gettext_noop)."""
    return message


_translate: Callable[[str], str] = gettext_noop


def translate_with(translate: Callable[[str], str]) -> None:
    """Installs the translation function (Django's gettext) that str() of a RuleError uses."""
    global _translate
    _translate = translate


class Label(str):
    """A word of a rule's own vocabulary that fills a message, translated along with it."""


class RuleError(ValueError):
    """A value a pure rule refuses: `template` with `%(name)s` places, `params` to fill them."""

    def __init__(self, template: str, **params: object) -> None:
        self.template = template
        self.params = params
        super().__init__(template % params if params else template)

    def __str__(self) -> str:
        return translated(self.template, **self.params)


def translated(template: str, **params: object) -> str:
    """The message in the language of the request (for a rule that returns a refusal)."""
    message = _translate(template)
    if not params:
        return message
    return message % {
        name: _translate(value) if isinstance(value, Label) else value
        for name, value in params.items()
    }
