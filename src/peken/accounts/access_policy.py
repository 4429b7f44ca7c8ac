"""Who may use each page and API operation, and on whose objects: Peken's access policy, declared
in one table.

The views and services enforce it (through `accounts.permissions` and the selectors' scoping);
this table says what they must enforce, and tests/test_access_policy.py walks every URL and
every OpenAPI operation as each role and as a stranger, against other people's objects, and
fails when behaviour and table disagree or when an endpoint has no entry.

An entry names who (`roles`, or ANYONE / SIGNED_IN) and how far their reach goes:

- PUBLIC: the thing is public (a verified shop, a product, the region list);
- OWN: the person's own things (their orders as buyer or shop, their payments, their account);
- OWN_SHOP: things of a shop the person owns;
- OWN_AREA: things in the officer's kelurahan or kecamatan;
- OWN_OPD: things of the OPD an OPD admin answers for;
- CITY: the whole city (back-office work).

Two reaches hold whatever the entry says: a city admin reaches the whole city, and an auditor
reaches the whole city for reading and writes nothing (`writes=True` entries never admit an
auditor who holds no other role)."""

from dataclasses import dataclass
from enum import StrEnum

from peken.accounts.models import Role


class Reach(StrEnum):
    PUBLIC = "public"
    OWN = "own"
    OWN_SHOP = "own_shop"
    OWN_AREA = "own_area"
    OWN_OPD = "own_opd"
    CITY = "city"


ANYONE = "anyone"  # signed in or not
SIGNED_IN = "signed_in"  # any role, or none

# The role groups the views and services check; named here so a page and its API agree.
BUYERS = frozenset({Role.ASN, Role.WARGA})
SHOP_OWNERS = frozenset({Role.MERCHANT})
CITY_ADMINS = frozenset({Role.CITY_ADMIN})
CITY_READERS = frozenset({Role.CITY_ADMIN, Role.AUDITOR})
AREA_STAFF = frozenset({Role.OFFICER, Role.CITY_ADMIN})
AREA_READERS = AREA_STAFF | {Role.AUDITOR}
OPD_READERS = frozenset({Role.OPD_ADMIN, Role.CITY_ADMIN, Role.AUDITOR})
ORDER_PARTIES = BUYERS | SHOP_OWNERS | CITY_READERS


@dataclass(frozen=True)
class Access:
    roles: frozenset[str] | str
    reach: Reach
    writes: bool = False
    # The gate is the caller's own credentials (a password, a gateway's signature): a wrong one
    # is answered 401 by design.
    checks_credentials: bool = False
    # A write that changes nothing of the city's (ending one's own session): an auditor may.
    auditor_may: bool = False

    def admits(self, roles: set[str], *, signed_in: bool) -> bool:
        """Whether someone holding `roles` passes the gate (before any object is looked at)."""
        if self.roles == ANYONE:
            return True
        if not signed_in:
            return False
        if self.writes and not self.auditor_may and roles == {Role.AUDITOR}:
            return False
        return self.roles == SIGNED_IN or bool(roles & self.roles)

    def reaches_others(self, roles: set[str]) -> bool:
        """Whether someone admitted may act on an object that is not theirs, not their shop's,
        not in their area or OPD."""
        if self.reach in (Reach.PUBLIC, Reach.CITY):
            return True
        if Role.CITY_ADMIN in roles:
            return True
        return Role.AUDITOR in roles and not self.writes


def read(roles, reach: Reach) -> Access:
    return Access(roles, reach)


def write(roles, reach: Reach) -> Access:
    return Access(roles, reach, writes=True)


def session(roles) -> Access:
    """Ending one's own session is no change to the city's data: an auditor may too."""
    return Access(roles, Reach.OWN, writes=True, auditor_may=True)


PUBLIC_PAGE = read(ANYONE, Reach.PUBLIC)
PUBLIC_FORM = write(ANYONE, Reach.PUBLIC)
SIGNING_IN = Access(ANYONE, Reach.PUBLIC, writes=True, checks_credentials=True)
# No role opens it: only the operator's PEKEN_METRICS_TOKEN or network (peken.web.operations).
OPERATOR_ONLY = Access(frozenset(), Reach.CITY)


# --- the JSON API, by OpenAPI operation (the function name after `_api_`) ----------------------

API = {
    # regions and catalogue reference data: public
    "kecamatan_list": PUBLIC_PAGE,
    "kelurahan_list": PUBLIC_PAGE,
    "category_list": PUBLIC_PAGE,
    "reference_item_list": PUBLIC_PAGE,
    # accounts: signing in, signing up and password codes are for strangers
    "token_create": SIGNING_IN,
    "warga_sign_up": PUBLIC_FORM,
    "password_code_send": PUBLIC_FORM,
    "password_set_with_code": PUBLIC_FORM,
    "token_delete": session(SIGNED_IN),
    "me": read(SIGNED_IN, Reach.OWN),
    # people: officers for their area's warga, OPD admins for their OPD's ASN
    "warga_list": read(AREA_READERS, Reach.OWN_AREA),
    "warga_create": write(AREA_STAFF, Reach.OWN_AREA),
    "warga_detail": read(AREA_READERS, Reach.OWN_AREA),
    "warga_patch": write(AREA_STAFF, Reach.OWN_AREA),
    "asn_list": read(OPD_READERS, Reach.OWN_OPD),
    # The names of the city's agencies are no secret; an app needs them to show a profile.
    "opd_list": read(SIGNED_IN, Reach.CITY),
    "asn_import": write(CITY_ADMINS, Reach.CITY),
    "audit_list": read(CITY_READERS, Reach.CITY),
    # shops
    "merchant_detail": PUBLIC_PAGE,
    "merchant_list": PUBLIC_PAGE,
    "merchant_register": write(SIGNED_IN, Reach.OWN),
    "my_merchants": read(SIGNED_IN, Reach.OWN),
    "my_merchant": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_merchant_update": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_merchant_photo": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_merchant_submit": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_merchant_consent": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "merchant_register_for_owner": write(AREA_STAFF, Reach.OWN_AREA),
    "officer_merchants": read(AREA_READERS, Reach.OWN_AREA),
    "officer_merchant": read(AREA_READERS, Reach.OWN_AREA),
    "merchant_verify": write(AREA_STAFF, Reach.OWN_AREA),
    "merchant_reject": write(AREA_STAFF, Reach.OWN_AREA),
    "merchant_suspend": write(AREA_STAFF, Reach.OWN_AREA),
    "merchant_reinstate": write(AREA_STAFF, Reach.OWN_AREA),
    "merchant_bank_confirm": write(AREA_STAFF, Reach.OWN_AREA),
    "merchant_quota": read(SHOP_OWNERS | CITY_READERS, Reach.OWN_SHOP),
    "admin_merchant_cap": write(CITY_ADMINS, Reach.CITY),
    "admin_policy": read(CITY_READERS, Reach.CITY),
    "admin_policy_update": write(CITY_ADMINS, Reach.CITY),
    # products
    "product_detail": PUBLIC_PAGE,
    "product_list": PUBLIC_PAGE,
    # "My" lists answer anyone signed in with their own rows: empty for who has none.
    "my_product_list": read(SIGNED_IN, Reach.OWN_SHOP),
    "my_product_create": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_product_detail": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_product_change": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_product_deactivate": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_product_photo_add": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "my_product_photo_remove": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "held_product_list": read(AREA_READERS, Reach.OWN_AREA),
    "held_product_approve": write(AREA_STAFF, Reach.OWN_AREA),
    "held_product_reject": write(AREA_STAFF, Reach.OWN_AREA),
    "reference_item_create": write(CITY_ADMINS, Reach.CITY),
    "reference_item_change": write(CITY_ADMINS, Reach.CITY),
    "prohibited_term_list": read(CITY_READERS, Reach.CITY),
    "prohibited_term_add": write(CITY_ADMINS, Reach.CITY),
    "prohibited_term_deactivate": write(CITY_ADMINS, Reach.CITY),
    # orders
    "checkout": write(BUYERS, Reach.OWN),
    "my_orders": read(SIGNED_IN, Reach.OWN),
    "order_detail": read(ORDER_PARTIES, Reach.OWN),
    "order_cancel": write(BUYERS, Reach.OWN),
    "order_confirm": write(BUYERS, Reach.OWN),
    "merchant_orders": read(SIGNED_IN, Reach.OWN_SHOP),
    "merchant_order_accept": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "merchant_order_reject": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "merchant_order_deliver": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "merchant_order_ready": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "merchant_order_complete": write(SHOP_OWNERS, Reach.OWN_SHOP),
    # obligations
    "my_obligation": read(frozenset({Role.ASN}), Reach.OWN),
    "opd_compliance": read(OPD_READERS, Reach.OWN_OPD),
    # payments and complaints
    "payment_start": write(BUYERS, Reach.OWN),
    "payment_detail": read(BUYERS | CITY_READERS, Reach.OWN),
    "payment_simulate": write(BUYERS, Reach.OWN),
    "payment_qris_image": read(BUYERS | CITY_READERS, Reach.OWN),
    # The gateways' notifications: signed by the gateway, not by a person.
    "payment_webhook": SIGNING_IN,
    "complaint_open": write(BUYERS, Reach.OWN),
    "complaint_list": read(SIGNED_IN, Reach.OWN),
    "complaint_answer": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "complaint_decide": write(AREA_STAFF, Reach.OWN_AREA),
    # money and reports
    "merchant_money": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "payout_batch_list": read(CITY_READERS, Reach.CITY),
    "payout_run": write(CITY_ADMINS, Reach.CITY),
    "payout_bank_file": read(CITY_READERS, Reach.CITY),
    "settlement_upload": write(CITY_ADMINS, Reach.CITY),
    "settlement_detail": read(CITY_READERS, Reach.CITY),
    "reports_dashboard": read(CITY_READERS, Reach.CITY),
    "reports_table": read(CITY_READERS, Reach.CITY),
}


# --- the web pages, by URL name ------------------------------------------------------------------

PAGES = {
    "home": PUBLIC_PAGE,
    # The probes say only whether the process can serve; the metrics are the operator's.
    "health": PUBLIC_PAGE,
    "healthz": PUBLIC_PAGE,
    "readyz": PUBLIC_PAGE,
    "metrics": OPERATOR_ONLY,
    "login": SIGNING_IN,
    "logout": session(ANYONE),
    "sign-up": PUBLIC_FORM,
    "password-code-request": PUBLIC_FORM,
    "password-code-redeem": PUBLIC_FORM,
    "set_language": PUBLIC_FORM,
    "roster-upload": write(CITY_ADMINS, Reach.CITY),
    "api:openapi-json": PUBLIC_PAGE,
    "api:openapi-view": PUBLIC_PAGE,
    "api:api-root": PUBLIC_PAGE,
    # the city office
    "reports:dashboard": read(CITY_READERS, Reach.CITY),
    "reports:report": read(CITY_READERS, Reach.CITY),
    "reports:export": read(CITY_READERS, Reach.CITY),
    # the app shell
    "web:manifest": PUBLIC_PAGE,
    "web:service-worker": PUBLIC_PAGE,
    "web:offline": PUBLIC_PAGE,
    "web:notifications": read(SIGNED_IN, Reach.OWN),
    # buying
    "web:search": PUBLIC_PAGE,
    "web:category": PUBLIC_PAGE,
    "web:shop": PUBLIC_PAGE,
    "web:product": PUBLIC_PAGE,
    "web:cart": read(BUYERS, Reach.OWN),
    "web:cart-add": write(BUYERS, Reach.OWN),
    "web:cart-update": write(BUYERS, Reach.OWN),
    "web:checkout": write(BUYERS, Reach.OWN),
    "web:payment-start": write(BUYERS, Reach.OWN),
    "web:payment": read(BUYERS | CITY_READERS, Reach.OWN),
    "web:payment-status": read(BUYERS | CITY_READERS, Reach.OWN),
    "web:payment-simulate": write(BUYERS, Reach.OWN),
    "web:orders": read(BUYERS, Reach.OWN),
    "web:order": read(BUYERS, Reach.OWN),
    "web:order-cancel": write(BUYERS, Reach.OWN),
    "web:order-confirm": write(BUYERS, Reach.OWN),
    "web:order-complaint": write(BUYERS, Reach.OWN),
    "web:order-review": write(BUYERS, Reach.OWN),
    # the shop
    "web:merchant-home": read(SIGNED_IN, Reach.OWN_SHOP),
    "web:merchant-submit": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-consent": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-photo": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-edit": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-money": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-register": write(SIGNED_IN, Reach.OWN),
    "web:merchant-register-step": write(SIGNED_IN, Reach.OWN),
    "web:merchant-products": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-product-new": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-product": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-product-stock": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-product-sale": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-product-photo-add": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-product-photo-remove": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-orders": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-orders-list": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-order": read(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-order-step": write(SHOP_OWNERS, Reach.OWN_SHOP),
    "web:merchant-complaint-answer": write(SHOP_OWNERS, Reach.OWN_SHOP),
    # the kelurahan officer
    "web:officer-queue": read(AREA_STAFF, Reach.OWN_AREA),
    "web:officer-merchant": read(AREA_STAFF, Reach.OWN_AREA),
    "web:officer-bank-confirm": write(AREA_STAFF, Reach.OWN_AREA),
    "web:officer-merchant-decide": write(AREA_STAFF, Reach.OWN_AREA),
    "web:officer-register": write(AREA_STAFF, Reach.OWN_AREA),
    "web:officer-complaints": read(AREA_STAFF, Reach.OWN_AREA),
    "web:officer-complaint": write(AREA_STAFF, Reach.OWN_AREA),
    # the OPD head
    "web:opd-compliance": read(OPD_READERS, Reach.OWN_OPD),
    "web:opd-compliance-export": read(OPD_READERS, Reach.OWN_OPD),
}

# The back office (/kelola/, Django's admin): city admins change, auditors read. Its URLs are
# Django's own per model, so one entry covers the namespace. Django's own groups and
# permissions are for the superuser (the operator on the command line), no role.
BACK_OFFICE = Access(CITY_READERS, Reach.CITY)
SUPERUSER_ONLY = Access(frozenset(), Reach.CITY)


def api_access(operation: str) -> Access | None:
    return API.get(operation)


def page_access(url_name: str) -> Access | None:
    if url_name.startswith("admin:auth_"):
        return SUPERUSER_ONLY
    if url_name.startswith("admin:"):
        return BACK_OFFICE
    return PAGES.get(url_name)
