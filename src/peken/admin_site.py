"""The back office: Django's admin, opened by role (city admin edits, auditor reads) instead of
by is_staff flags, with every change written to the audit log."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from peken.accounts.permissions import is_city_admin, sees_whole_city
from peken.core.audit import audit_record, snapshot


class PekenAdminSite(admin.AdminSite):
    site_header = _("Peken — kantor belakang")
    site_title = "Peken"
    index_title = _("Pengelolaan")

    def has_permission(self, request) -> bool:
        user = request.user
        return user.is_active and (user.is_superuser or sees_whole_city(user))

    def get_urls(self):
        from peken.accounts.forms import PekenAuthenticationForm

        self.login_form = PekenAuthenticationForm
        return super().get_urls()


def _can_edit(request) -> bool:
    return request.user.is_superuser or is_city_admin(request.user)


def _can_view(request) -> bool:
    return request.user.is_superuser or sees_whole_city(request.user)


class PekenModelAdmin(admin.ModelAdmin):
    """City admins change, auditors read; every change through here lands in the audit log."""

    list_per_page = 50
    show_full_result_count = False  # a COUNT over the whole roster on every page is wasted work

    def has_module_permission(self, request) -> bool:
        return _can_view(request)

    def has_view_permission(self, request, obj=None) -> bool:
        return _can_view(request)

    def has_add_permission(self, request) -> bool:
        return _can_edit(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return _can_edit(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _can_edit(request)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            self._audited_save(
                request,
                obj,
                lambda: super(PekenModelAdmin, self).save_model(request, obj, form, change),
            )

    def save_formset(self, request, form, formset, change):
        """Inline rows (a user's roles) are audited one by one, like the main object."""
        with transaction.atomic():
            instances = formset.save(commit=False)
            for obj in formset.deleted_objects:
                self._audit(request, "admin.delete", obj, before=snapshot(obj))
                obj.delete()
            for obj in instances:
                self._audited_save(request, obj, obj.save)
            formset.save_m2m()

    def _audited_save(self, request, obj, save) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if obj.pk else None
        save()
        action = "admin.change" if before is not None else "admin.add"
        self._audit(request, action, obj, before=before, after=snapshot(obj))

    def _audit(self, request, action, obj, before=None, after=None) -> None:
        audit_record(
            actor=request.user,
            action=action,
            target=obj,
            before=before,
            after=after,
            ip_address=request.META.get("REMOTE_ADDR"),
        )

    def delete_model(self, request, obj):
        with transaction.atomic():
            self._audit(request, "admin.delete", obj, before=snapshot(obj))
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for obj in queryset:
                self.delete_model(request, obj)


class ReadOnlyModelAdmin(PekenModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown inside their parent (an order's lines, a batch's payouts), never edited here;
    seen by whoever may see the parent."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        return _can_view(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
