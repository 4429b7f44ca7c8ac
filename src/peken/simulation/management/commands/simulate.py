import json
import os
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from peken.core.months import Month
from peken.simulation.databases import scratch_database
from peken.simulation.policy import COMPARED, policy_parse
from peken.simulation.report import summary_table
from peken.simulation.run import simulation_run

MARKER = "PEKEN-SIMULATION-RESULT "
PROGRESS_POSITION = "PEKEN_SIMULATION_PROGRESS_LINE"  # each policy's bar on its own line


class Command(BaseCommand):
    help = (
        "Simulasikan satu bulan kota sintetis melalui layanan Peken yang sebenarnya, pada basis "
        "data baru yang kosong (tidak menyentuh data Anda). JSON: satu objek per kebijakan dengan "
        "policy, orders, turnover, cap_refusals, merchants_at_cap, gini, "
        "merchants_with_orders_share, home_kecamatan_share, compliance_rate, elapsed_s, "
        "orders_per_s, invariants."
    )

    def add_arguments(self, parser):
        parser.add_argument("--asn", type=int, default=13_000)
        parser.add_argument("--merchants", type=int, default=2_300)
        parser.add_argument("--products", type=int, default=50_000)
        parser.add_argument("--month", default=None, help="YYYY-MM (bawaan: bulan ini)")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--policy", default="cap=30000000,fair=on", help="cap=<rupiah>|none,fair=on|off"
        )
        parser.add_argument("--compare", action="store_true", help="tanpa batas vs batas vs adil")
        parser.add_argument(
            "--database",
            default="postgresql",
            help="sqlite, postgresql, atau URL server PostgreSQL",
        )
        parser.add_argument("--json", dest="json_path", default=None)
        parser.add_argument(
            "--jobs",
            type=int,
            default=None,
            help="kebijakan yang dijalankan bersamaan (bawaan: semuanya)",
        )
        parser.add_argument("--keep", action="store_true", help="simpan basis data simulasi")
        parser.add_argument("--in-this-database", action="store_true", help=_INTERNAL)

    def handle(self, *args, **options):
        month = _month(options["month"])
        try:
            policies = list(COMPARED) if options["compare"] else [policy_parse(options["policy"])]
        except ValueError as error:
            raise CommandError(str(error)) from error
        if options["in_this_database"]:
            return self._one(options, month, policies[0])
        runs = self._isolated_all(options, month, policies)
        self.stdout.write(summary_table(runs))
        if options["json_path"]:
            with open(options["json_path"], "w", encoding="utf-8") as out:
                json.dump(runs, out, indent=2, ensure_ascii=False)
        if not all(all(run["invariants"].values()) for run in runs):
            raise CommandError("Pemeriksaan invarian GAGAL (lihat tabel).")

    def _isolated_all(self, options, month, policies) -> list[dict]:
        """Each policy in its own process, all at once unless `--jobs` says fewer: one replay
        keeps at most one core busy (Python and its database connection take turns), so three
        on two cores keep both busy and finish together."""
        jobs = max(1, min(options["jobs"] or len(policies), len(policies)))
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            return list(
                pool.map(
                    lambda position, policy: self._isolated(options, month, policy, position),
                    range(len(policies)),
                    policies,
                )
            )

    def _isolated(self, options, month, policy, position: int = 0) -> dict:
        """The month in a child process on a scratch database: nothing leaks between policies."""
        with scratch_database(options["database"], keep=options["keep"]) as url:
            command = [
                sys.executable,
                "-m",
                "peken.cli",
                "simulate",
                "--in-this-database",
                "--asn",
                str(options["asn"]),
                "--merchants",
                str(options["merchants"]),
                "--products",
                str(options["products"]),
                "--month",
                str(month),
                "--seed",
                str(options["seed"]),
                "--policy",
                policy.label,
            ]
            # A throwaway city: production settings (no query log), no mail to anyone.
            env = {
                **os.environ,
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "peken.settings",
                "DEBUG": "0",
                "SECRET_KEY": os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32),
                "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
                # The synthetic buyers pay through the simulator (off in production settings).
                "PEKEN_PAYMENT_SIMULATOR": "1",
                "PEKEN_PAYMENT_GATEWAY": "simulator",
                PROGRESS_POSITION: str(position),
            }
            done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
        for line in done.stdout.splitlines():
            if line.startswith(MARKER):
                return json.loads(line[len(MARKER) :])
        raise CommandError(f"Simulasi {policy.label} gagal (kode {done.returncode}).")

    def _one(self, options, month, policy):
        call_command("migrate", verbosity=0)
        result = simulation_run(
            asn=options["asn"],
            merchants=options["merchants"],
            products=options["products"],
            month=month,
            seed=options["seed"],
            policy=policy,
            # No rates or times in the bar: the simulated clock jumps through the month.
            progress_factory=lambda total, label: tqdm(
                total=total,
                desc=label,
                file=sys.stderr,
                position=int(os.environ.get(PROGRESS_POSITION, "0")),
                miniters=max(1, total // 200),
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} checkout",
            ),
        )
        self.stdout.write(MARKER + json.dumps(result))


_INTERNAL = "dipakai oleh simulate sendiri: jalankan di basis data yang sudah dikonfigurasi"


def _month(text: str | None) -> Month:
    if text is None:
        return Month.of(timezone.now())
    try:
        return Month.parse(text)
    except ValueError as error:
        raise CommandError("Bulan harus berbentuk YYYY-MM.") from error
