"""A simulated month: what the rules do to the city; and the three policies at Surabaya's scale
(`make bench-surabaya` writes benchmarks/surabaya-compare.json, which the report shows).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks.common import POSTGRES_URL, ROOT, SEED, Config, Row, benchmark, log, maintenance_url

SIMULATION_SCALE = {"asn": 650, "merchants": 115, "products": 2_500}  # Surabaya ÷ 20
QUICK_SIMULATION_SCALE = {"asn": 20, "merchants": 6, "products": 120}


@benchmark(
    "simulation",
    title="A simulated month (peken simulate --compare)",
    intro=(
        "`peken simulate --compare --seed 1 --database postgresql` at a twentieth of Surabaya "
        f"({SIMULATION_SCALE['asn']} ASN, {SIMULATION_SCALE['merchants']} verified shops, "
        f"{SIMULATION_SCALE['products']:,} products; the same ASN per shop as the city's 13,000 "
        "and 2,300; quick mode: a handful): each policy's month replayed through the real "
        "services on its own scratch database. Baseline: no cap, shops listed by popularity. "
        "Gini of shops' ASN turnover over every verified shop (0 = even); every invariant is "
        "recounted from the rows after the month."
    ),
    table=lambda rows: simulation_table(rows),
)
def bench_simulation(config: Config) -> list[Row]:
    if "postgresql" not in config.databases:
        return [Row("PostgreSQL", "all", 0, skipped="PostgreSQL only")]
    scale = QUICK_SIMULATION_SCALE if config.quick else SIMULATION_SCALE
    with tempfile.TemporaryDirectory(prefix="peken-simulate-") as folder:
        out = Path(folder) / "compare.json"
        command = [str(Path(sys.executable).parent / "peken"), "simulate", "--compare"]
        command += ["--seed", str(SEED), "--database", "postgresql", "--json", str(out)]
        for key, value in scale.items():
            command += [f"--{key}", str(value)]
        env = dict(os.environ, DEBUG="1", PEKEN_DATA_DIR=folder)
        env["PEKEN_TEST_POSTGRES_URL"] = maintenance_url(POSTGRES_URL)
        log("simulate --compare " + " ".join(f"--{k} {v}" for k, v in scale.items()))
        completed = subprocess.run(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
        if completed.returncode != 0:
            raise SystemExit(f"bench: peken simulate failed ({completed.returncode})")
        return simulation_rows(json.loads(out.read_text()))


def simulation_rows(runs: list[dict]) -> list[Row]:
    """One row per policy run of `peken simulate --json`; the table reads the run itself."""
    rows = []
    for run in runs:
        row = Row("PostgreSQL", run["policy"], run["orders"], [run["elapsed_s"]])
        row.run = run
        rows.append(row)
    return rows


SURABAYA_RESULTS = ROOT / "benchmarks" / "surabaya-compare.json"
SURABAYA_COMMAND = "make bench-surabaya"
TEN_TIMES_ORDERS = 500_000  # the month at 10× Surabaya's volume
TEN_TIMES_TARGET_SECONDS = 600


@benchmark(
    "surabaya",
    title="A month at Surabaya's scale (peken simulate --compare, run separately)",
    intro=(
        f"`{SURABAYA_COMMAND}` runs `peken simulate --compare --seed 1 --database postgresql` "
        "with the defaults (13,000 ASN, 2,300 verified shops, 50,000 products) and keeps the "
        f"JSON in `{SURABAYA_RESULTS.relative_to(ROOT)}`; it takes over an hour, so `make bench` "
        "shows the kept results instead of running it. The three policies run side by side, one "
        "process each, so seconds and orders/s are per policy while the others ran too. The last "
        f"line extrapolates to the month at 10× ({TEN_TIMES_ORDERS:,} orders; target "
        f"{TEN_TIMES_TARGET_SECONDS // 60} min on PostgreSQL on 2 cores) from the rate measured."
    ),
    table=lambda rows: surabaya_table(rows),
)
def bench_surabaya(config: Config) -> list[Row]:
    if not SURABAYA_RESULTS.exists():
        return [Row("PostgreSQL", "all", 0, skipped=f"no results yet: run `{SURABAYA_COMMAND}`")]
    return simulation_rows(json.loads(SURABAYA_RESULTS.read_text()))


def surabaya_table(rows: list[Row]) -> list[str]:
    lines = simulation_table(rows)
    runs = [row.run for row in rows if not row.skipped]
    if runs:
        together = sum(run["orders"] for run in runs) / max(run["elapsed_s"] for run in runs)
        seconds = TEN_TIMES_ORDERS / together
        verdict = "met" if seconds <= TEN_TIMES_TARGET_SECONDS else "**not met**"
        lines += [
            "",
            f"Together the policies replayed {together:.1f} orders/s on the 2 cores. At that "
            f"rate the month at 10× ({TEN_TIMES_ORDERS:,} orders) would take about "
            f"{seconds / 3600:.1f} h against a target of {TEN_TIMES_TARGET_SECONDS // 60} min: "
            f"{verdict} ({TEN_TIMES_ORDERS / TEN_TIMES_TARGET_SECONDS:.0f} orders/s needed).",
        ]
    return lines


SIMULATION_TABLE_HEADER = (
    "| Policy | Orders | Turnover (Rp) | Cap refusals | Shops at cap | Gini | Shops with orders "
    "| Home kecamatan | ASN compliant | Seconds | Orders/s | Invariants |\n"
    "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|"
)


def simulation_table(rows: list[Row]) -> list[str]:
    lines = [SIMULATION_TABLE_HEADER]
    for row in rows:
        if row.skipped:
            lines.append(f"skipped: {row.skipped}")
            continue
        run = row.run
        failed = [name for name, held in run["invariants"].items() if not held]
        cells = [
            run["policy"],
            f"{run['orders']:,}",
            f"{run['turnover']:,}".replace(",", "."),
            f"{run['cap_refusals']:,}",
            str(run["merchants_at_cap"]),
            f"{run['gini']:.3f}",
            f"{run['merchants_with_orders_share']:.1%}",
            f"{run['home_kecamatan_share']:.1%}",
            f"{run['compliance_rate']:.1%}",
            f"{run['elapsed_s']:.0f}",
            f"{run['orders_per_s']:.1f}",
            "all hold" if not failed else "**FAIL**: " + ", ".join(failed),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines
