import json

from django.core.management.base import BaseCommand, CommandError

from peken.integrity.invariants import integrity_figures, invariants_broken, invariants_check


class Command(BaseCommand):
    help = (
        "Periksa aturan yang harus selalu benar (buku besar seimbang dan cocok dengan pembayaran "
        "dan pencairan, kuota = pesanan ASN dan tidak melewati batas, stok tidak negatif, "
        "ringkasan laporan = hitungan ulang). Hanya membaca; aman kapan saja. Keluar 0 bila "
        "semua terpenuhi, 1 bila ada yang dilanggar (masing-masing disebutkan)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="laporan dan angka pembanding sebagai JSON",
        )
        parser.add_argument(
            "--figures",
            action="store_true",
            help="sertakan angka pembanding (total buku besar, kuota, stok, ringkasan)",
        )

    def handle(self, *args, as_json: bool, figures: bool, **options):
        results = invariants_check()
        broken = invariants_broken(results)
        if as_json:
            self._json(results)
        else:
            self._text(results, figures)
        if broken:
            names = ", ".join(result.name for result in broken)
            raise CommandError(f"{len(broken)} dari {len(results)} aturan dilanggar: {names}.")

    def _text(self, results, figures: bool) -> None:
        for result in results:
            if result.holds:
                self.stdout.write(f"ok     {result.name}: {result.description}")
                continue
            self.stdout.write(
                self.style.ERROR(f"GAGAL  {result.name}: {result.description} ")
                + f"({result.count} pelanggaran)"
            )
            for example in result.examples:
                self.stdout.write(f"         - {example}")
            if result.count > len(result.examples):
                self.stdout.write(f"         … dan {result.count - len(result.examples)} lagi")
        if figures:
            self.stdout.write(dumps(integrity_figures()))
        if not invariants_broken(results):
            self.stdout.write(self.style.SUCCESS(f"Semua {len(results)} aturan terpenuhi."))

    def _json(self, results) -> None:
        report = {
            "holds": not invariants_broken(results),
            "rules": [
                {
                    "name": result.name,
                    "description": result.description,
                    "holds": result.holds,
                    "problems": result.count,
                    "examples": result.examples,
                }
                for result in results
            ],
            "figures": integrity_figures(),
        }
        self.stdout.write(dumps(report))


def dumps(data) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True, default=str)
