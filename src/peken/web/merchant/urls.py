from django.urls import path

from peken.web.merchant import orders, products, registration, views

urlpatterns = [
    path("penjual/", views.merchant_home, name="merchant-home"),
    path("penjual/ajukan/", views.merchant_submit, name="merchant-submit"),
    path("penjual/konfirmasi/", views.merchant_consent, name="merchant-consent"),
    path("penjual/foto/", views.merchant_photo, name="merchant-photo"),
    path("penjual/toko/", views.merchant_edit, name="merchant-edit"),
    path("penjual/keuangan/", views.merchant_money_page, name="merchant-money"),
    path("penjual/daftar/", registration.register, name="merchant-register"),
    path(
        "penjual/daftar/<slug:step>/",
        registration.register_step,
        name="merchant-register-step",
    ),
    path("penjual/barang/", products.product_list, name="merchant-products"),
    path("penjual/barang/baru/", products.product_new, name="merchant-product-new"),
    path("penjual/barang/<int:product_id>/", products.product_edit, name="merchant-product"),
    path(
        "penjual/barang/<int:product_id>/stok/",
        products.product_stock,
        name="merchant-product-stock",
    ),
    path(
        "penjual/barang/<int:product_id>/jual/",
        products.product_sale,
        name="merchant-product-sale",
    ),
    path(
        "penjual/barang/<int:product_id>/foto/",
        products.product_photo_add,
        name="merchant-product-photo-add",
    ),
    path(
        "penjual/barang/<int:product_id>/foto/<int:photo_id>/hapus/",
        products.product_photo_remove,
        name="merchant-product-photo-remove",
    ),
    path("penjual/pesanan/", orders.order_inbox, name="merchant-orders"),
    path("penjual/pesanan/daftar/", orders.order_inbox_list, name="merchant-orders-list"),
    path("penjual/pesanan/<int:order_id>/", orders.order_detail, name="merchant-order"),
    path("penjual/pesanan/<int:order_id>/langkah/", orders.order_step, name="merchant-order-step"),
    path(
        "penjual/komplain/<int:complaint_id>/jawab/",
        orders.complaint_reply,
        name="merchant-complaint-answer",
    ),
]
