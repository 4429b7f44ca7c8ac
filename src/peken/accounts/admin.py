from django import forms
from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext as _

from peken.accounts import rules
from peken.accounts.models import OPD, ApiToken, AsnProfile, RoleGrant, User, WargaProfile
from peken.accounts.permissions import is_city_admin
from peken.admin_site import PekenModelAdmin


class NikChangeForm(forms.ModelForm):
    """NIK is never shown in clear in the back office; an admin may type a corrected one."""

    new_nik = forms.CharField(
        label="NIK baru", required=False, max_length=16, help_text="Kosongkan bila tidak diubah."
    )

    class Meta:
        model = User
        fields = ["username", "full_name", "email", "phone", "is_active"]

    def clean_new_nik(self):
        nik = self.cleaned_data["new_nik"].strip()
        if not nik:
            return ""
        try:
            rules.check_nik(nik, today=timezone.localdate())
        except rules.IdentityError as error:
            raise forms.ValidationError(str(error)) from error
        if User.objects.filter(nik=nik).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("NIK ini sudah dipakai akun lain."))
        return nik

    def save(self, commit=True):
        if self.cleaned_data.get("new_nik"):
            self.instance.nik = self.cleaned_data["new_nik"]
        return super().save(commit)


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0
    autocomplete_fields = ["kelurahan", "kecamatan", "opd"]
    readonly_fields = ["granted_at"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser or is_city_admin(request.user)

    has_change_permission = has_add_permission

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_view_permission(self, request, obj=None):
        return True


@admin.register(User)
class UserAdmin(PekenModelAdmin):
    form = NikChangeForm
    list_display = ["username", "full_name", "masked_nik", "is_active", "last_login"]
    list_filter = ["is_active", "role_grants__role"]
    search_fields = ["username", "full_name", "=nik", "=phone", "=asn_profile__nip"]
    readonly_fields = ["masked_nik", "last_login", "date_joined"]
    fields = [
        "username",
        "full_name",
        "masked_nik",
        "new_nik",
        "email",
        "phone",
        "is_active",
        "last_login",
        "date_joined",
    ]
    inlines = [RoleGrantInline]

    @admin.display(description="NIK")
    def masked_nik(self, user):
        return user.masked_nik

    def get_queryset(self, request):
        return super().get_queryset(request).distinct()


@admin.register(OPD)
class OpdAdmin(PekenModelAdmin):
    list_display = ["code", "name", "kind", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]


@admin.register(AsnProfile)
class AsnProfileAdmin(PekenModelAdmin):
    list_display = ["nip", "name", "masked_nik", "golongan", "eselon", "opd", "is_active"]
    list_filter = ["is_active", "golongan", "eselon", "opd__kind", "opd"]
    list_select_related = ["user", "opd"]
    search_fields = ["=nip", "user__full_name", "=user__nik", "jabatan"]
    autocomplete_fields = ["user", "opd", "domicile_kelurahan", "workplace_kecamatan"]

    @admin.display(description="nama", ordering="user__full_name")
    def name(self, profile):
        return profile.user.full_name

    @admin.display(description="NIK")
    def masked_nik(self, profile):
        return profile.user.masked_nik


@admin.register(WargaProfile)
class WargaProfileAdmin(PekenModelAdmin):
    list_display = ["user", "masked_nik", "kelurahan"]
    list_select_related = ["user", "kelurahan"]
    list_filter = ["kelurahan__kecamatan"]
    search_fields = ["user__full_name", "=user__nik", "=user__phone"]
    autocomplete_fields = ["user", "kelurahan"]

    @admin.display(description="NIK")
    def masked_nik(self, profile):
        return profile.user.masked_nik


@admin.register(ApiToken)
class ApiTokenAdmin(PekenModelAdmin):
    list_display = ["prefix", "user", "name", "created_at", "last_used_at", "revoked_at"]
    list_select_related = ["user"]
    search_fields = ["prefix", "user__username"]
    readonly_fields = ["prefix", "user", "name", "created_at", "last_used_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request):
        return False
