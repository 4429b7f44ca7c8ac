from ninja import Router, Schema

from peken.regions import selectors

router = Router(tags=["wilayah"])


class KecamatanOut(Schema):
    code: str
    name: str
    lat: float
    lon: float
    kelurahan_count: int


class KelurahanOut(Schema):
    code: str
    name: str
    kecamatan_code: str
    kecamatan_name: str
    postal_code: str
    lat: float
    lon: float

    @staticmethod
    def resolve_kecamatan_code(kelurahan) -> str:
        return kelurahan.kecamatan.code

    @staticmethod
    def resolve_kecamatan_name(kelurahan) -> str:
        return kelurahan.kecamatan.name


@router.get("/kecamatan", response=list[KecamatanOut], auth=None)
def kecamatan_list(request):
    """Every kecamatan of the city, with its centroid."""
    return list(selectors.kecamatan_list())


@router.get(
    "/kelurahan",
    response={200: list[KelurahanOut], 404: dict},
    auth=None,
    openapi_extra={"x-error-codes": ["unknown_kecamatan"]},
)
def kelurahan_list(request, kecamatan: str | None = None):
    """Every kelurahan, or those of one kecamatan (`?kecamatan=35.78.01`)."""
    return list(selectors.kelurahan_list(kecamatan_code=kecamatan))
