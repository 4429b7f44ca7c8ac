"""Catalog fixtures: a verified shop in Kedungdoro (Tegalsari) with its owner, officers inside and
outside that area, real pictures made with Pillow, and photos stored in a temporary MEDIA_ROOT."""

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

import factories
from factories import KEDUNGDORO
from peken.catalog import services

ELSEWHERE = "35.78.01.1001"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Uploaded photos land in a temporary folder, never in var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def shop(db):
    return factories.merchant(KEDUNGDORO, name="Toko Bu Sri")


@pytest.fixture
def owner(shop):
    return shop.owner


@pytest.fixture
def officer(db):
    return factories.officer(kelurahan_code=KEDUNGDORO)


@pytest.fixture
def far_officer(db):
    return factories.officer(kelurahan_code=ELSEWHERE)


@pytest.fixture
def make_product(shop):
    """`make_product(name=..., price=...)`: a product created through the service, as its owner."""

    def make(merchant=None, actor=None, **values):
        merchant = merchant or shop
        fields = {
            "name": "Beras Premium 5 kg",
            "description": "Beras pulen dari Lamongan.",
            "category_slug": "sembako",
            "price": 75_000,
            "unit": "pcs",
            "stock": 10,
            "is_made_to_order": False,
            **values,
        }
        return services.product_create(actor=actor or merchant.owner, merchant=merchant, **fields)

    return make


PDF_BYTES = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n%%EOF\n"
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class Pictures:
    """Uploaded files as a phone sends them: real pictures made with Pillow, and impostors."""

    def __call__(self, fmt: str = "JPEG", size=(64, 48)) -> SimpleUploadedFile:
        picture = Image.new("RGB", size, (200, 40, 40))
        output = io.BytesIO()
        picture.save(output, format=fmt)
        extension = EXTENSIONS[fmt]
        return SimpleUploadedFile(
            f"foto.{extension}", output.getvalue(), content_type=f"image/{fmt.lower()}"
        )

    def huge(self, megabytes: int = 20) -> SimpleUploadedFile:
        """A real, uncompressed PNG of random noise, about that many megabytes."""
        side = int((megabytes * 1024 * 1024 / 3) ** 0.5) + 1
        picture = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
        output = io.BytesIO()
        picture.save(output, format="PNG", compress_level=0)
        return SimpleUploadedFile("besar.png", output.getvalue(), content_type="image/png")

    def pdf_named_jpg(self) -> SimpleUploadedFile:
        return SimpleUploadedFile("foto.jpg", PDF_BYTES, content_type="image/jpeg")


@pytest.fixture
def picture():
    return Pictures()
