"""The web sign-up page for warga."""

import pytest

import factories
from peken.accounts.models import Role, User

pytestmark = pytest.mark.django_db


def form(**changes):
    return {
        "full_name": "Budi Santoso",
        "nik": factories.valid_nik(),
        "phone": "081234567890",
        "kelurahan_code": "35.78.05.1003",
        "address": "Jl. Kenari 3",
        "password": "rahasia-panjang",
        "password_again": "rahasia-panjang",
        **changes,
    }


def test_the_login_page_links_to_sign_up(client):
    assert 'href="/daftar/"' in client.get("/masuk/").content.decode()


def test_a_warga_signs_up_and_is_signed_in(client):
    factories.kelurahan()
    page = client.post("/daftar/", form())
    assert page.status_code == 302 and page["Location"] == "/"
    user = User.objects.get(full_name="Budi Santoso")
    assert user.has_role(Role.WARGA) and user.phone == "081234567890"
    assert client.get("/api/v1/me").json()["id"] == user.id


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "password123", "password_again": "password123"}, "terlalu umum"),
        ({"password_again": "lain-lagi-panjang"}, "tidak sama"),
        ({"nik": "123"}, "NIK"),
    ],
)
def test_sign_up_explains_what_is_wrong(client, changes, message):
    factories.kelurahan()
    page = client.post("/daftar/", form(**changes))
    assert page.status_code == 200
    assert message in page.content.decode()
    assert not User.objects.filter(full_name="Budi Santoso").exists()
