"""A small city catalog for search tests: shops in three kecamatan, a few staples each."""

from dataclasses import dataclass

import pytest

import factories
from factories import GENTENG, KEDUNGDORO, PAKAL


@dataclass
class Catalog:
    bu_sri: object
    pak_darmo: object
    mbak_rini: object
    beras_sri: object
    beras_darmo: object
    beras_rini: object
    gula: object
    telur: object
    batik: object


@pytest.fixture
def catalog(db) -> Catalog:
    bu_sri = factories.merchant(KEDUNGDORO, name="Toko Bu Sri", description="Sembako lengkap")
    pak_darmo = factories.merchant(PAKAL, name="Warung Pak Darmo")
    mbak_rini = factories.merchant(
        GENTENG, kind="umkm", line="kerajinan", name="Batik Mbak Rini", is_mbr=True
    )
    return Catalog(
        bu_sri=bu_sri,
        pak_darmo=pak_darmo,
        mbak_rini=mbak_rini,
        beras_sri=factories.product(bu_sri, name="Beras Pandan Wangi 5 kg", price=72_000),
        beras_darmo=factories.product(pak_darmo, name="Beras Premium 5 kg", price=75_000),
        beras_rini=factories.product(
            mbak_rini, name="Beras Merah Organik 1 kg", price=30_000, stock=0
        ),
        gula=factories.product(pak_darmo, name="Gula Pasir 1 kg", price=16_000),
        telur=factories.product(bu_sri, name="Telur Ayam Negeri 1 kg", price=28_000),
        batik=factories.product(
            mbak_rini,
            name="Kain Batik Tulis Motif Suroboyo",
            price=450_000,
            stock=0,
            is_made_to_order=True,
            category_slug="fashion",
            unit="lembar",
        ),
    )
