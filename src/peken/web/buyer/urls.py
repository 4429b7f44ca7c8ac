from django.urls import path

from peken.web.buyer import views

urlpatterns = [
    path("cari/", views.search, name="search"),
    path("keranjang/", views.cart, name="cart"),
    path("pesanan/", views.orders, name="orders"),
]
