"""The city office's pages under /kota/ (namespace `reports`)."""

from django.urls import path

from peken.web.city import views

app_name = "reports"

urlpatterns = [
    path("", views.city_dashboard, name="dashboard"),
    path("laporan/", views.monthly_report, name="report"),
    path("ekspor/<slug:table>.<str:file_type>", views.table_export, name="export"),
]
