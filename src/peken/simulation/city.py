"""A synthetic city on the real regions: Surabaya's agencies, a roster of ASN, verified shops
with their catalogs, the city's obligation table, and the policy under test."""

import random

from django.db import transaction

from peken.accounts.models import AsnProfile, Role, RoleGrant, User
from peken.accounts.roster import roster_import
from peken.catalog.models import Product
from peken.core.months import Month
from peken.demo.people import roster_csv
from peken.demo.services import city_roster_rows, opd_load_surabaya
from peken.demo.shops import catalog_generate
from peken.obligations import rules as obligation_rules
from peken.obligations.selectors import rule_table
from peken.policy.services import policy_update
from peken.regions.models import Kelurahan
from peken.regions.services import regions_import_bundled
from peken.simulation.behaviour import BuyerPlan, plan_buyer
from peken.simulation.policy import Policy

# Shops restock during a month; the simulation is about where money goes, not about stock-outs.
STOCK_PER_PRODUCT = 2_000


def city_build(*, asn: int, merchants: int, products: int, seed: int, policy: Policy) -> User:
    """Everything a month needs, on an empty database. Returns the city admin."""
    if not Kelurahan.objects.exists():
        regions_import_bundled(actor="simulation")
    opd_load_surabaya(actor="simulation")
    roster_import(data=roster_csv(city_roster_rows(asn, seed=seed)), actor="simulation")
    catalog_generate(merchant_count=merchants, product_count=products, seed=seed)
    Product.objects.filter(is_made_to_order=False).update(stock=STOCK_PER_PRODUCT)
    with transaction.atomic():
        admin = User.objects.create(username="simulasi-admin", full_name="Admin simulasi")
        RoleGrant.objects.create(user=admin, role=Role.CITY_ADMIN)
        policy_update(actor=admin, default_cap=policy.cap_amount, fair_ranking=policy.fair_ranking)
    return admin


def buyer_plans(*, month: Month, seed: int) -> list[BuyerPlan]:
    """Each active ASN's intentions for the month: what they owe, what they will spend, when."""
    chooser = random.Random(seed)
    table = rule_table()
    days = (month.next().start() - month.start()).days
    profiles = AsnProfile.objects.filter(is_active=True).select_related("domicile_kelurahan")
    plans = []
    for profile in profiles.order_by("pk"):
        kelurahan = profile.domicile_kelurahan
        plans.append(
            plan_buyer(
                chooser,
                user_id=profile.user_id,
                kelurahan_id=kelurahan.pk if kelurahan else None,
                kecamatan_id=kelurahan.kecamatan_id
                if kelurahan
                else profile.workplace_kecamatan_id,
                required=obligation_rules.required_amount(
                    golongan=profile.golongan, eselon=profile.eselon, table=table
                ),
                days_in_month=days,
            )
        )
    return plans
