from django.urls import path

from peken.web.officer import views

urlpatterns = [
    path("petugas/", views.officer_queue, name="officer-queue"),
]
