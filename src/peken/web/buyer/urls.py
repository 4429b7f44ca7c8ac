from django.urls import path

from peken.web.buyer import checkout_views, order_views, payment_views, views

urlpatterns = [
    path("cari/", views.search_page, name="search"),
    path("kategori/<slug:slug>/", views.category_page, name="category"),
    path("toko/<int:merchant_id>/", views.shop_page, name="shop"),
    path("barang/<int:product_id>/", views.product_page, name="product"),
    path("keranjang/", checkout_views.cart_page, name="cart"),
    path("keranjang/tambah/", checkout_views.cart_add_view, name="cart-add"),
    path("keranjang/ubah/", checkout_views.cart_update, name="cart-update"),
    path("keranjang/checkout/", checkout_views.checkout, name="checkout"),
    path(
        "checkout/<int:checkout_id>/bayar/",
        payment_views.payment_start_view,
        name="payment-start",
    ),
    path("bayar/<str:reference>/", payment_views.payment_page, name="payment"),
    path("bayar/<str:reference>/status/", payment_views.payment_status, name="payment-status"),
    path(
        "bayar/<str:reference>/simulasi/",
        payment_views.payment_simulate_view,
        name="payment-simulate",
    ),
    path("pesanan/", order_views.orders_page, name="orders"),
    path("pesanan/<int:order_id>/", order_views.order_page, name="order"),
    path("pesanan/<int:order_id>/batal/", order_views.order_cancel, name="order-cancel"),
    path("pesanan/<int:order_id>/terima/", order_views.order_confirm, name="order-confirm"),
    path("pesanan/<int:order_id>/komplain/", order_views.order_complaint, name="order-complaint"),
    path("pesanan/<int:order_id>/ulasan/", order_views.order_review, name="order-review"),
]
