from django.contrib.admin.apps import AdminConfig


class PekenAdminConfig(AdminConfig):
    """Django's admin with Peken's site (peken.admin_site), which opens by role."""

    default_site = "peken.admin_site.PekenAdminSite"
