import re

from django.conf import settings
from django.contrib.auth.backends import ModelBackend

from peken.accounts import rules
from peken.accounts.models import User
from peken.accounts.signed_in import signed_in_user


def find_user(identifier: str) -> User | None:
    """The account an identifier names: username, NIP (ASN), NIK or mobile number."""
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    users = User.objects.prefetch_related("role_grants")
    user = users.filter(username__iexact=identifier).first()
    if user is not None:
        return user
    if re.fullmatch(r"\d{18}", identifier):
        return users.filter(asn_profile__nip=identifier).first()
    if re.fullmatch(r"\d{16}", identifier):
        return users.filter(nik=identifier).first()
    if re.fullmatch(r"(\+?62|0)8\d{7,12}", identifier):
        phone = "0" + identifier.lstrip("+").removeprefix("62").removeprefix("0")
        matches = list(users.filter(phone=phone)[:2])
        return matches[0] if len(matches) == 1 else None
    return None


def client_address(request) -> str:
    """The client's address: X-Forwarded-For only as far as PEKEN_TRUSTED_PROXIES vouch for it."""
    if request is None:
        return ""
    return rules.client_address(
        remote_addr=request.META.get("REMOTE_ADDR", ""),
        forwarded_for=request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies=settings.PEKEN_TRUSTED_PROXIES,
    )


class PekenAuthBackend(ModelBackend):
    """Logs in by username, NIP, NIK or phone. Throttling is the login service's job."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username)
        if user is None:
            # Hash anyway so a missing account takes as long as a wrong password.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        user = signed_in_user(user_id)
        return user if user and self.user_can_authenticate(user) else None
