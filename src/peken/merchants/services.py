"""Merchant onboarding and verification. Services own their transaction and audit every change."""

import secrets
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peken.accounts import permissions
from peken.accounts import rules as identity_rules
from peken.accounts.models import Role, RoleGrant, User
from peken.catalog.models import Product
from peken.catalog.rules import search_text_for
from peken.core.audit import audit_record, changed_fields, snapshot
from peken.core.cache import LISTING, generation_bump
from peken.core.errors import Conflict, InvalidInput, PermissionDenied
from peken.core.images import image_clean
from peken.merchants import rules
from peken.merchants.models import BankAccount, Merchant
from peken.regions.models import Kelurahan

MERCHANT_AUDIT_FIELDS = [
    "name",
    "kind",
    "line",
    "description",
    "phone",
    "address",
    "kelurahan",
    "is_mbr",
    "nib",
    "opening_hours",
    "status",
    "status_reason",
]
BANK_AUDIT_FIELDS = ["bank_code", "account_number", "holder_name"]


class MerchantStatusConflict(Conflict):
    code = "merchant_status_conflict"
    default_message = gettext_lazy("Status toko sudah berubah; muat ulang lalu coba lagi.")


class OwnerIdentityTaken(Conflict):
    code = "identity_taken"
    default_message = gettext_lazy("NIK ini sudah dipakai akun lain.")


class SecondPersonRequired(PermissionDenied):
    code = "second_person_required"
    default_message = gettext_lazy(
        "Toko yang Anda daftarkan atau miliki harus diverifikasi petugas lain atau admin kota."
    )


class OwnerConsentMissing(Conflict):
    code = "owner_consent_missing"
    default_message = gettext_lazy(
        "Pemilik belum mengonfirmasi toko, datanya, dan rekeningnya dari akunnya sendiri."
    )


@dataclass
class MerchantDetails:
    """What a shop tells us about itself, as plain values from a form or the API."""

    name: str
    kind: str
    phone: str
    address: str
    kelurahan_code: str
    bank_code: str
    account_number: str
    holder_name: str
    line: str = ""
    description: str = ""
    is_mbr: bool = False
    nib: str = ""
    opening_hours: dict = field(default_factory=dict)


def _check(field_name: str, function, *args):
    """Runs one pure check; its complaint becomes InvalidInput naming the field."""
    try:
        return function(*args)
    except (rules.MerchantRuleError, identity_rules.IdentityError) as error:
        raise InvalidInput(str(error), field=field_name) from error


def _checked(details: MerchantDetails) -> tuple[dict, dict, Kelurahan]:
    """Validated merchant fields, bank fields and kelurahan."""
    kind, line = _check("kind", rules.check_kind_and_line, details.kind, details.line)
    values = {
        "name": _check("name", rules.check_name, details.name),
        "kind": kind,
        "line": line,
        "phone": _check("phone", identity_rules.normalize_phone, details.phone),
        "address": _check("address", rules.check_address, details.address),
        "nib": _check("nib", rules.check_nib, details.nib),
        "opening_hours": _check("opening_hours", rules.check_opening_hours, details.opening_hours),
        "description": (details.description or "").strip()[:2000],
        "is_mbr": details.is_mbr,
    }
    bank_code, number, holder = _check(
        "bank_account",
        rules.check_bank_account,
        details.bank_code,
        details.account_number,
        details.holder_name,
    )
    kelurahan = (
        Kelurahan.objects.select_related("kecamatan").filter(code=details.kelurahan_code).first()
    )
    if kelurahan is None:
        raise InvalidInput(
            _("Kelurahan dengan kode '%(code)s' tidak dikenal.") % {"code": details.kelurahan_code},
            field="kelurahan_code",
        )
    return (
        values,
        {"bank_code": bank_code, "account_number": number, "holder_name": holder},
        kelurahan,
    )


def merchant_details_problems(
    details: MerchantDetails, *, owner_full_name: str | None = None, **owner_values: str
) -> dict[str, str]:
    """Every field a service would refuse, with its message: a form shows them all at once
    (the services stop at the first). Owner fields are checked when given (owner_nik,
    owner_phone, owner_full_name)."""
    checks = {
        "kind": lambda: rules.check_kind_and_line(details.kind, details.line),
        "name": lambda: rules.check_name(details.name),
        "phone": lambda: identity_rules.normalize_phone(details.phone),
        "address": lambda: rules.check_address(details.address),
        "nib": lambda: rules.check_nib(details.nib),
        "opening_hours": lambda: rules.check_opening_hours(details.opening_hours),
        "bank_account": lambda: rules.check_bank_account(
            details.bank_code, details.account_number, details.holder_name
        ),
    }
    if "owner_nik" in owner_values:
        nik = owner_values["owner_nik"]
        checks["owner_nik"] = lambda: identity_rules.check_nik(nik, today=timezone.localdate())
    if "owner_phone" in owner_values:
        checks["owner_phone"] = lambda: identity_rules.normalize_phone(owner_values["owner_phone"])
    problems = {}
    for field_name, check in checks.items():
        try:
            check()
        except (rules.MerchantRuleError, identity_rules.IdentityError) as error:
            problems[field_name] = str(error)
    if owner_full_name is not None and not " ".join(owner_full_name.split()):
        problems["owner_full_name"] = _("Nama pemilik wajib diisi.")
    return problems


def _create(*, owner: User, values: dict, bank: dict, kelurahan: Kelurahan, **extra) -> Merchant:
    merchant = Merchant.objects.create(owner=owner, kelurahan=kelurahan, **values, **extra)
    BankAccount.objects.create(merchant=merchant, **bank)
    RoleGrant.objects.get_or_create(user=owner, role=Role.MERCHANT)
    owner.__dict__.pop("_grants_cache", None)
    return merchant


def _merchant_picture(merchant: Merchant) -> dict:
    picture = snapshot(merchant, MERCHANT_AUDIT_FIELDS)
    account = getattr(merchant, "bank_account", None)
    if account is not None:
        picture.update(snapshot(account, BANK_AUDIT_FIELDS))
    return picture


def merchant_register(*, actor: User, details: MerchantDetails, owner_nik: str = "") -> Merchant:
    """An owner opens their own shop, as a draft they submit when ready.

    The owner needs a NIK on their account; one typed here is checked and kept. An auditor
    reads and changes nothing, so may not open a shop (on the web or the API).
    """
    permissions.require_writer(actor)
    values, bank, kelurahan = _checked(details)
    with transaction.atomic():
        owner = User.objects.select_for_update().get(pk=actor.pk)
        if not owner.nik:
            owner.nik = _checked_nik(owner_nik)
            _save_owner(owner, ["nik"])
        merchant = _create(owner=owner, values=values, bank=bank, kelurahan=kelurahan)
        audit_record(
            actor=actor,
            action="merchant.register",
            target=merchant,
            after=_merchant_picture(merchant),
        )
    return merchant


def merchant_register_for_owner(
    *, actor: User, details: MerchantDetails, owner_full_name: str, owner_nik: str, owner_phone: str
) -> Merchant:
    """An officer registers a toko for an owner who is not online; it goes straight to review.

    The owner's account is found by NIK or made new (no password yet: the officer hands over
    access later); the officer may only do this inside their own area.
    """
    values, bank, kelurahan = _checked(details)
    permissions.require_area(actor, kelurahan)
    nik = _checked_nik(owner_nik)
    phone = _check("owner_phone", identity_rules.normalize_phone, owner_phone)
    full_name = " ".join((owner_full_name or "").split())
    if not full_name:
        raise InvalidInput(_("Nama pemilik wajib diisi."), field="owner_full_name")
    with transaction.atomic():
        owner = User.objects.filter(nik=nik).first()
        if owner is None:
            owner = User(
                username=f"toko-{secrets.token_hex(4)}", full_name=full_name, nik=nik, phone=phone
            )
            owner.set_unusable_password()
            _save_owner(owner)
        merchant = _create(
            owner=owner,
            values=values,
            bank=bank,
            kelurahan=kelurahan,
            status=Merchant.Status.SUBMITTED,
            status_changed_at=timezone.now(),
            status_changed_by=actor,
            registered_by=actor,
        )
        audit_record(
            actor=actor,
            action="merchant.register_for_owner",
            target=merchant,
            after=_merchant_picture(merchant),
        )
    return merchant


def _checked_nik(nik: str) -> str:
    return _check("owner_nik", lambda: identity_rules.check_nik(nik, today=timezone.localdate()))


def _save_owner(owner: User, fields: list[str] | None = None) -> None:
    try:
        with transaction.atomic():
            owner.save(update_fields=fields) if fields else owner.save()
    except IntegrityError as error:
        raise OwnerIdentityTaken() from error


def merchant_update(*, actor: User, merchant: Merchant, details: MerchantDetails) -> Merchant:
    """Replaces the shop's details. A new name is carried into its products' search words."""
    permissions.require_shop_manager(actor, merchant)
    values, bank, kelurahan = _checked(details)
    if kelurahan.pk != merchant.kelurahan_id and actor.pk != merchant.owner_id:
        permissions.require_area(actor, kelurahan)
    with transaction.atomic():
        merchant = (
            Merchant.objects.select_for_update().select_related("kelurahan").get(pk=merchant.pk)
        )
        before = _merchant_picture(merchant)
        renamed = values["name"] != merchant.name
        moved = kelurahan.pk != merchant.kelurahan_id or values["address"] != merchant.address
        bank_changed = _bank_changed(merchant, bank)
        for key, value in values.items():
            setattr(merchant, key, value)
        merchant.kelurahan = kelurahan
        if moved and merchant.status in REVIEWED_STATUSES:
            # A move is reviewed again by the officer of the new area (who has not seen the
            # place); the shop stops selling until then, as a new shop would.
            merchant.status = Merchant.Status.SUBMITTED
            merchant.status_reason = _("Alamat atau kelurahan berubah; menunggu verifikasi ulang.")
            merchant.status_changed_at = timezone.now()
            merchant.status_changed_by = actor
        merchant.save()
        # A new bank account on a reviewed shop: the shop keeps selling (a small shop lives
        # off today's sales) but payouts wait until a second person confirms the account, so
        # a stolen login or a pressed owner cannot redirect the money unseen.
        hold = bank_changed and merchant.status in REVIEWED_STATUSES
        if bank_changed and actor.pk != merchant.owner_id and merchant.registered_by_id:
            # The owner consented to the account they saw, not to one changed for them since.
            merchant.owner_consented_at = None
            merchant.save(update_fields=["owner_consented_at"])
        BankAccount.objects.update_or_create(
            merchant=merchant, defaults={**bank, **({"is_payout_held": True} if hold else {})}
        )
        merchant.refresh_from_db()
        after = _merchant_picture(merchant)
        if renamed:
            _reindex_products(merchant)
        changes = changed_fields(before, after)
        if changes:
            audit_record(
                actor=actor,
                action="merchant.update",
                target=merchant,
                before={key: before.get(key) for key in changes},
                after=changes,
            )
    return merchant


REVIEWED_STATUSES = {Merchant.Status.VERIFIED, Merchant.Status.SUSPENDED}


def _bank_changed(merchant: Merchant, bank: dict) -> bool:
    account = BankAccount.objects.filter(merchant=merchant).first()
    if account is None:
        return False
    return any(getattr(account, key) != value for key, value in bank.items())


def merchant_owner_consent(*, actor: User, merchant: Merchant) -> Merchant:
    """The owner confirms a shop an officer registered for them: its data and bank are theirs."""
    if actor.pk != merchant.owner_id:
        raise PermissionDenied()
    with transaction.atomic():
        locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
        if locked.owner_consented_at is None:
            locked.owner_consented_at = timezone.now()
            locked.save(update_fields=["owner_consented_at", "updated_at"])
            audit_record(
                actor=actor,
                action="merchant.owner_consent",
                target=locked,
                after={
                    **_merchant_picture(locked),
                    "owner_consented_at": str(locked.owner_consented_at),
                },
            )
    return locked


def bank_account_confirm(*, actor: User, merchant: Merchant) -> BankAccount:
    """An officer of the area (not the owner) confirms a changed account; payouts resume."""
    permissions.require_area(actor, merchant.kelurahan)
    if actor.pk == merchant.owner_id:
        raise SecondPersonRequired()
    with transaction.atomic():
        account = BankAccount.objects.select_for_update().get(merchant=merchant)
        if account.is_payout_held:
            account.is_payout_held = False
            account.save(update_fields=["is_payout_held", "updated_at"])
            audit_record(
                actor=actor,
                action="merchant.bank_confirm",
                target=merchant,
                before={"is_payout_held": True},
                after={**snapshot(account, BANK_AUDIT_FIELDS), "is_payout_held": False},
            )
    return account


def _require_second_person(actor: User, merchant: Merchant) -> None:
    """Four eyes: who registered or owns a shop does not verify it; an officer-registered shop
    needs its owner's own confirmation first."""
    if actor.pk in (merchant.owner_id, merchant.registered_by_id):
        raise SecondPersonRequired()
    if merchant.registered_by_id is not None and merchant.owner_consented_at is None:
        raise OwnerConsentMissing()


def _reindex_products(merchant: Merchant) -> None:
    products = list(Product.objects.filter(merchant=merchant).only("id", "name", "description"))
    for product in products:
        product.search_text = search_text_for(
            name=product.name, description=product.description, merchant_name=merchant.name
        )
    Product.objects.bulk_update(products, ["search_text"], batch_size=500)


def merchant_photo_set(*, actor: User, merchant: Merchant, upload) -> Merchant:
    permissions.require_shop_manager(actor, merchant)
    picture = image_clean(upload)
    with transaction.atomic():
        old = merchant.photo.name if merchant.photo else ""
        merchant.photo.save(picture.file.name, picture.file, save=False)
        Merchant.objects.filter(pk=merchant.pk).update(photo=merchant.photo.name)
        audit_record(
            actor=actor,
            action="merchant.photo",
            target=merchant,
            before={"photo": old},
            after={"photo": merchant.photo.name},
        )
    return merchant


def merchant_transition(
    *, actor: User, merchant: Merchant, action: str, reason: str = ""
) -> Merchant:
    """Moves a shop through draft → submitted → verified | rejected, verified ⇄ suspended.

    The owner may submit; only an officer of the shop's area or a city admin decides. The row
    is locked and the status re-read under the lock, so two officers deciding at once cannot both
    win.
    """
    reason = _check("reason", rules.check_reason, action, reason)
    if action == "submit":
        permissions.require_shop_manager(actor, merchant)
    else:
        permissions.require_area(actor, merchant.kelurahan)
    with transaction.atomic():
        locked = Merchant.objects.select_for_update().get(pk=merchant.pk)
        try:
            new_status = rules.next_status(locked.status, action)
        except rules.MerchantRuleError as error:
            raise MerchantStatusConflict(str(error), status=locked.status) from error
        if action == "submit" and not BankAccount.objects.filter(merchant=locked).exists():
            raise InvalidInput(
                _("Lengkapi rekening bank sebelum mengajukan verifikasi."), field="bank_account"
            )
        if action == "verify":
            _require_second_person(actor, locked)
            # The verifier checks the bank account with the rest.
            BankAccount.objects.filter(merchant=locked).update(is_payout_held=False)
        before = {"status": locked.status, "status_reason": locked.status_reason}
        locked.status = new_status
        locked.status_reason = reason if action in rules.ACTIONS_NEEDING_REASON else ""
        locked.status_changed_at = timezone.now()
        locked.status_changed_by = actor
        locked.save(
            update_fields=[
                "status",
                "status_reason",
                "status_changed_at",
                "status_changed_by",
                "updated_at",
            ]
        )
        audit_record(
            actor=actor,
            action=f"merchant.{action}",
            target=locked,
            before=before,
            after={"status": new_status, "status_reason": locked.status_reason},
        )
        # A shop suspended (or newly verified) leaves (or joins) every cached listing at once.
        generation_bump(LISTING)
    return locked
