from django.urls import path

from peken.web.merchant import views

urlpatterns = [
    path("penjual/", views.merchant_home, name="merchant-home"),
]
