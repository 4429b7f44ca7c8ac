from django.urls import path

from peken.web.officer import complaints, views

urlpatterns = [
    path("petugas/", views.officer_queue, name="officer-queue"),
    path("petugas/toko/<int:merchant_id>/", views.officer_merchant, name="officer-merchant"),
    path(
        "petugas/toko/<int:merchant_id>/konfirmasi-rekening/",
        views.officer_bank_confirm,
        name="officer-bank-confirm",
    ),
    path(
        "petugas/toko/<int:merchant_id>/<slug:action>/",
        views.officer_merchant_decide,
        name="officer-merchant-decide",
    ),
    path("petugas/daftarkan/", views.officer_register, name="officer-register"),
    path("petugas/komplain/", complaints.officer_complaints, name="officer-complaints"),
    path(
        "petugas/komplain/<int:complaint_id>/",
        complaints.officer_complaint,
        name="officer-complaint",
    ),
]
