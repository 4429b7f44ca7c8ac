import datetime as dt

from django.http import HttpResponse
from ninja import File, Router, Schema, UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status

from peken.core.masking import mask_account_number
from peken.core.pagination import PageNumberPagination
from peken.core.tabular import read_upload
from peken.merchants.selectors import merchants_of_owner
from peken.payouts import selectors, services

router = Router(tags=["pencairan"])
ERRORS_AUTH = ["not_authenticated", "permission_denied"]


class PayoutOut(Schema):
    batch_id: int
    reference: str
    amount: int
    bank_code: str
    account_number: str
    created_at: dt.datetime = None

    @staticmethod
    def resolve_created_at(payout) -> dt.datetime:
        return payout.batch.created_at

    @staticmethod
    def resolve_account_number(payout, context) -> str:
        """In full only to the shop's owner; a city admin takes it from the bank file."""
        if context["request"].user.pk == payout.merchant.owner_id:
            return payout.account_number
        return mask_account_number(payout.account_number)


class StatementLineOut(Schema):
    at: dt.datetime
    kind: str
    reference: str
    order_id: int | None
    amount: int  # what it did to the shop's balance: + owed to the shop, − paid out or refunded

    @staticmethod
    def resolve_at(line) -> dt.datetime:
        return line.entry.at

    @staticmethod
    def resolve_kind(line) -> str:
        return line.entry.kind

    @staticmethod
    def resolve_reference(line) -> str:
        return line.entry.reference

    @staticmethod
    def resolve_amount(line) -> int:
        return -line.amount


class MerchantMoneyOut(Schema):
    merchant_id: int
    balance: int
    payouts: list[PayoutOut]
    statement: list[StatementLineOut]

    @staticmethod
    def resolve_merchant_id(money) -> int:
        return money.merchant.pk


@router.get(
    "/merchant/money",
    response=MerchantMoneyOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "not_found"]},
)
def merchant_money(request, merchant_id: int | None = None):
    """The owner's balance (completed orders not yet paid out), payouts and statement."""
    if merchant_id is None:
        own = merchants_of_owner(owner=request.user).values_list("pk", flat=True).first()
        merchant_id = own or 0
    return selectors.merchant_money(viewer=request.user, merchant_id=merchant_id)


class BatchOut(Schema):
    id: int
    created_at: dt.datetime
    trigger: str
    business_date: dt.date | None
    payout_count: int
    total: int


@router.get("/admin/payouts", response=list[BatchOut], openapi_extra={"x-error-codes": ERRORS_AUTH})
@paginate(PageNumberPagination, page_size=20)
def payout_batch_list(request):
    return selectors.payout_batches(viewer=request.user)


@router.post(
    "/admin/payouts",
    response={201: BatchOut, 204: None},
    openapi_extra={"x-error-codes": ERRORS_AUTH},
)
def payout_run(request):
    """Pays every shop what it is owed now (a city admin, on demand); 204 when nobody is owed."""
    batch = services.payouts_run(actor=request.user)
    return Status(201, batch) if batch else Status(204, None)


@router.get(
    "/admin/payouts/{batch_id}/bank-file",
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "not_found"]},
)
def payout_bank_file(request, batch_id: int):
    """The bulk-transfer CSV for the bank: bank, account number, holder, amount, reference."""
    batch = selectors.payout_batch(viewer=request.user, batch_id=batch_id)
    response = HttpResponse(batch.bank_file, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="pencairan-{batch.pk}.csv"'
    return response


class DifferenceOut(Schema):
    kind: str
    reference: str
    ledger_amount: int | None
    report_amount: int | None


class SettlementOut(Schema):
    id: int
    imported_at: dt.datetime
    filename: str
    line_count: int
    matched_count: int
    gross_total: int
    fee_total: int
    differences: list[DifferenceOut]


@router.post(
    "/admin/settlements",
    response={201: SettlementOut},
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "file_invalid", "import_invalid"]},
)
def settlement_upload(request, file: File[UploadedFile]):
    """A gateway settlement report (CSV or XLSX: reference, gross, fee), reconciled against the
    ledger; every difference is listed."""
    data = read_upload(file, max_bytes=services.MAX_SETTLEMENT_BYTES)
    report = services.settlement_import(actor=request.user, data=data, filename=file.name or "")
    return Status(201, selectors.settlement_import(viewer=request.user, import_id=report.pk))


@router.get(
    "/admin/settlements/{import_id}",
    response=SettlementOut,
    openapi_extra={"x-error-codes": [*ERRORS_AUTH, "not_found"]},
)
def settlement_detail(request, import_id: int):
    return selectors.settlement_import(viewer=request.user, import_id=import_id)
