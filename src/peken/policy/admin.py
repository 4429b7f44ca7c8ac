from django import forms
from django.contrib import admin

from peken.admin_site import PekenModelAdmin
from peken.policy.models import CityPolicy
from peken.policy.services import EDITABLE, policy_update
from peken.quotas.forms import CapField


class CityPolicyForm(forms.ModelForm):
    class Meta:
        model = CityPolicy
        fields = list(EDITABLE)
        field_classes = {"default_cap": CapField}


@admin.register(CityPolicy)
class CityPolicyAdmin(PekenModelAdmin):
    form = CityPolicyForm
    fields = [*EDITABLE, "updated_at", "updated_by"]
    readonly_fields = ["updated_at", "updated_by"]

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not CityPolicy.objects.exists()

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        # Through the service: a new default cap must reach this month's quotas, and be audited.
        policy = policy_update(
            actor=request.user, **{name: form.cleaned_data[name] for name in EDITABLE}
        )
        obj.pk = policy.pk
