"""The simulator gateway's store in our database, so every process sees the same charges."""

from django.db import IntegrityError, transaction

from peken.payments.models import SimulatorCharge


class DatabaseStore:
    def get(self, reference: str) -> dict | None:
        return (
            SimulatorCharge.objects.filter(reference=reference)
            .values_list("record", flat=True)
            .first()
        )

    def add(self, reference: str, record: dict) -> bool:
        try:
            with transaction.atomic():
                SimulatorCharge.objects.create(reference=reference, record=record)
        except IntegrityError:
            return False
        return True

    def put(self, reference: str, record: dict) -> None:
        SimulatorCharge.objects.update_or_create(reference=reference, defaults={"record": record})
