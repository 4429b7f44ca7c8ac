from django.urls import path

from peken.web.opd import views

urlpatterns = [
    path("opd/", views.opd_compliance, name="opd-compliance"),
    path("opd/kepatuhan.xlsx", views.opd_compliance_export, name="opd-compliance-export"),
]
