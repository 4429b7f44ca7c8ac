"""The catalog in the back office. City admins keep the categories, reference prices and
prohibited words; they oversee products (search, switch off, approve held ones) but do not edit a
shop's goods here, where the price and prohibited-goods rules of catalog.services would be
bypassed. Every change is audited by PekenModelAdmin."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Count
from django.utils.html import format_html

from peken.accounts.permissions import is_city_admin
from peken.admin_site import PekenModelAdmin
from peken.catalog import rules, services
from peken.catalog.models import Category, Product, ProductPhoto, ProhibitedTerm, ReferenceItem
from peken.core.errors import DomainError


@admin.register(Category)
class CategoryAdmin(PekenModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


class ReferenceItemForm(forms.ModelForm):
    class Meta:
        model = ReferenceItem
        fields = ["name", "brand", "variant", "unit", "price", "is_active"]

    def clean_price(self):
        try:
            return rules.check_price(self.cleaned_data["price"])
        except rules.CatalogRuleError as error:
            raise forms.ValidationError(str(error)) from error


@admin.register(ReferenceItem)
class ReferenceItemAdmin(PekenModelAdmin):
    form = ReferenceItemForm
    list_display = ["name", "brand", "variant", "unit", "price", "linked_products", "is_active"]
    list_filter = ["is_active", "unit"]
    search_fields = ["name", "brand", "variant"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(linked=Count("products"))

    @admin.display(description="produk tertaut", ordering="linked")
    def linked_products(self, item):
        return item.linked

    def get_readonly_fields(self, request, obj=None):
        # A different unit is a different item: its linked products were priced per the old one.
        return ["unit"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if not change or "price" not in form.changed_data:
            return super().save_model(request, obj, form, change)
        # A new reference price goes to every linked product, as through the API.
        with transaction.atomic():
            repriced = services.reference_item_set_price(
                actor=request.user, item=obj, price=obj.price
            )
            super().save_model(request, obj, form, change)
        self.message_user(request, f"Harga {repriced} produk tertaut ikut diubah.")


class ProhibitedTermForm(forms.ModelForm):
    class Meta:
        model = ProhibitedTerm
        fields = ["term", "reason", "is_active"]

    def clean_term(self):
        # Stored as the API stores it, so "Rokok " cannot sit beside "rokok" as a second entry.
        try:
            return rules.normalize_term(self.cleaned_data["term"])
        except rules.CatalogRuleError as error:
            raise forms.ValidationError(str(error)) from error


@admin.register(ProhibitedTerm)
class ProhibitedTermAdmin(PekenModelAdmin):
    form = ProhibitedTermForm
    list_display = ["term", "reason", "is_active"]
    list_filter = ["is_active", "reason"]
    search_fields = ["term", "reason"]


class ProductPhotoInline(admin.TabularInline):
    model = ProductPhoto
    extra = 0
    fields = ["preview", "width", "height", "position"]
    readonly_fields = fields

    # Inlines ask Django's model permissions by default; Peken opens the back office by role.
    def has_add_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return True  # the product page around it is already limited to city admins and auditors

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser or is_city_admin(request.user)

    has_delete_permission = has_change_permission

    @admin.display(description="foto")
    def preview(self, photo):
        return format_html('<img src="{}" alt="" style="max-height:80px">', photo.image.url)


@admin.register(Product)
class ProductAdmin(PekenModelAdmin):
    list_display = ["name", "merchant", "category", "price", "unit", "stock", "review", "is_active"]
    list_filter = [
        "review",
        "is_active",
        "category",
        "merchant__status",
        "merchant__kelurahan__kecamatan",
    ]
    list_select_related = ["merchant", "category"]
    search_fields = ["name", "merchant__name"]
    fields = [
        "merchant",
        "name",
        "description",
        "category",
        "price",
        "unit",
        "stock",
        "is_made_to_order",
        "reference_item",
        "review",
        "review_reason",
        "is_active",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [field for field in fields if field != "is_active"]
    inlines = [ProductPhotoInline]
    actions = ["approve_selected"]

    def has_add_permission(self, request):
        return False

    @admin.action(description="Setujui produk yang ditahan atau ditolak")
    def approve_selected(self, request, queryset):
        approved = 0
        for product in queryset.select_related("merchant__kelurahan__kecamatan"):
            if product.review == Product.Review.APPROVED:
                continue
            try:
                services.product_approve(actor=request.user, product=product)
            except DomainError as error:
                self.message_user(request, f"{product}: {error.message}", messages.ERROR)
            else:
                approved += 1
        self.message_user(request, f"{approved} produk disetujui.")

    def save_formset(self, request, form, formset, change):
        super().save_formset(request, form, formset, change)
        # A photo removed here leaves the disk too, once the removal is committed.
        for photo in formset.deleted_objects:
            transaction.on_commit(partial(photo.image.storage.delete, photo.image.name))
