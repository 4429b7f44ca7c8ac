"""The cap as a back-office form field: the same range and words as the API (the model's own
field would show a raw constraint for 0 and take Rp 10^15)."""

from django import forms
from django.core.exceptions import ValidationError

from peken.core.rule_errors import RuleError
from peken.quotas import rules
from peken.quotas.models import MerchantCap


def cap_validator(cap: int) -> None:
    try:
        rules.cap_check(cap)
    except RuleError as error:
        raise ValidationError(str(error), code="cap_out_of_range") from error


class CapField(forms.IntegerField):
    default_validators = [cap_validator]

    def __init__(self, **kwargs):
        kwargs.pop("min_value", None)  # the model's 0 .. 2^63-1, replaced by the cap's range
        kwargs.pop("max_value", None)
        super().__init__(**kwargs)


class MerchantCapForm(forms.ModelForm):
    class Meta:
        model = MerchantCap
        fields = ["merchant", "cap"]
        field_classes = {"cap": CapField}
