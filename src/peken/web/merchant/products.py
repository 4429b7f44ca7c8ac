"""The shop's goods: the list with a quick stock edit, a form to add or change one, its photos.

Every write goes through peken.catalog.services as the API's /my/products does; a product of
another shop is not found (product_of_owner)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peken.catalog import selectors, services
from peken.catalog.rules import MAX_PHOTOS
from peken.core.errors import InvalidInput
from peken.web.merchant.forms import PhotoForm, ProductForm, StockForm, product_initial
from peken.web.merchant.shop import attempt, owner_page, shop_context, shop_page

PAGE_SIZE = 20
CREATE_FIELDS = (
    "name",
    "description",
    "category_slug",
    "price",
    "unit",
    "stock",
    "is_made_to_order",
    "reference_item_id",
)


def _product_url(product) -> str:
    return reverse("web:merchant-product", args=[product.pk])


def _list_url(shop) -> str:
    return f"{reverse('web:merchant-products')}?toko={shop.pk}"


@shop_page
def product_list(request, shop):
    products = selectors.products_of_owner(owner=request.user, merchant_id=shop.pk)
    page = Paginator(products, PAGE_SIZE).get_page(request.GET.get("halaman"))
    context = shop_context(request, shop, tab="products", page=page)
    return render(request, "web/merchant/products.html", context)


@shop_page
def product_new(request, shop):
    form = ProductForm(request.POST or None, initial={"is_active": True, "stock": 0})
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(
                actor=request.user, merchant=shop, **form.values(CREATE_FIELDS)
            )
        except InvalidInput as error:
            _show_on_field(form, error)
        else:
            if not form.cleaned_data["is_active"]:
                services.product_deactivate(actor=request.user, product=product)
            _tell_saved(request, product)
            return redirect(_product_url(product))
    context = shop_context(request, shop, tab="products", form=form, product=None)
    return render(request, "web/merchant/product_form.html", context)


@owner_page
def product_edit(request, product_id: int):
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    form = ProductForm(request.POST or None, initial=product_initial(product))
    if request.method == "POST" and form.is_valid():
        # Only what the owner changed is sent, as the API's PATCH does.
        changes = form.values(form.changed_data)
        try:
            product = services.product_update(actor=request.user, product=product, **changes)
        except InvalidInput as error:
            _show_on_field(form, error)
        else:
            _tell_saved(request, product)
            return redirect(_product_url(product))
    context = shop_context(
        request,
        product.merchant,
        tab="products",
        form=form,
        product=product,
        photos=list(product.photos.all()),
        photo_form=PhotoForm(),
        max_photos=MAX_PHOTOS,
    )
    return render(request, "web/merchant/product_form.html", context)


def _show_on_field(form, error: InvalidInput) -> None:
    field = error.details.get("field")
    form.add_error(field if field in form.fields else None, error.message)


def _tell_saved(request, product) -> None:
    if product.review == product.Review.ON_HOLD:
        messages.warning(
            request,
            _("Barang tersimpan, tetapi ditahan untuk diperiksa petugas: %s")
            % product.review_reason,
        )
    else:
        messages.success(request, _("Barang tersimpan."))


@require_POST
@owner_page
def product_stock(request, product_id: int):
    """The quick stock edit of the list: the owner counted the shelf. A refused count is told
    beside its box, with what was typed left in it."""
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    form = StockForm(request.POST)
    try:
        if not form.is_valid():
            raise InvalidInput(_("Stok harus bilangan bulat, 0 atau lebih."), field="stock")
        services.product_update(
            actor=request.user, product=product, stock=form.cleaned_data["stock"]
        )
    except InvalidInput as error:
        return _stock_refused(request, product, error.message)
    if request.headers.get("HX-Request"):
        product = selectors.product_of_owner(owner=request.user, product_id=product_id)
        return render(
            request, "web/merchant/_product_row.html", {"product": product, "saved": True}
        )
    messages.success(request, _("Stok %s disimpan.") % product.name)
    return redirect(_list_url(product.merchant))


def _stock_refused(request, product, message: str):
    """htmx swaps the row (it swaps only 2xx answers, so 200); a full page answers 422 with the
    list, the refused row showing its complaint."""
    refused = {"product_id": product.pk, "message": message, "typed": request.POST.get("stock")}
    if request.headers.get("HX-Request"):
        return render(
            request, "web/merchant/_product_row.html", {"product": product, "refused": refused}
        )
    products = selectors.products_of_owner(owner=request.user, merchant_id=product.merchant_id)
    position = list(products.values_list("pk", flat=True)).index(product.pk)
    page = Paginator(products, PAGE_SIZE).get_page(position // PAGE_SIZE + 1)
    context = shop_context(request, product.merchant, tab="products", page=page, refused=refused)
    return render(request, "web/merchant/products.html", context, status=422)


@require_POST
@owner_page
def product_sale(request, product_id: int):
    """Takes the product off sale, or puts it back on."""
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    if request.POST.get("jual") == "1":
        attempt(
            request,
            lambda: services.product_update(actor=request.user, product=product, is_active=True),
        )
    else:
        attempt(request, lambda: services.product_deactivate(actor=request.user, product=product))
    from_list = request.POST.get("kembali") == "daftar"
    return redirect(_list_url(product.merchant) if from_list else _product_url(product))


@require_POST
@owner_page
def product_photo_add(request, product_id: int):
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    form = PhotoForm(request.POST, request.FILES)
    upload = form.files.get("photo")
    if not upload:
        messages.error(request, _("Pilih foto dulu."))
    elif attempt(
        request,
        lambda: services.product_photo_add(actor=request.user, product=product, upload=upload),
    ):
        messages.success(request, _("Foto ditambahkan."))
    return redirect(_product_url(product))


@require_POST
@owner_page
def product_photo_remove(request, product_id: int, photo_id: int):
    product = selectors.product_of_owner(owner=request.user, product_id=product_id)
    services.product_photo_remove(actor=request.user, product=product, photo_id=photo_id)
    messages.success(request, _("Foto dihapus."))
    return redirect(_product_url(product))
