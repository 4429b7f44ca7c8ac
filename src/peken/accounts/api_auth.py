"""How API requests authenticate: a bearer token (mobile) or the web session."""

from ninja.security import HttpBearer, django_auth

from peken.accounts.services import token_authenticate


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is None:
            return None
        request.user, request.api_token = found
        return request.user


def anyone(request):
    """Lets a visitor through; for pages that everyone sees but an ASN sees their own way."""
    return True


SIGNED_IN = [BearerToken(), django_auth]
OPTIONAL = [BearerToken(), django_auth, anyone]
