from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fulfilled_at_from_the_timeline(apps, schema_editor):
    """Orders already sent out or ready get the time of that step, so the auto-completion clock
    of an order on its way when this runs starts where it really did (one UPDATE)."""
    Order = apps.get_model("ordering", "Order")
    OrderEvent = apps.get_model("ordering", "OrderEvent")
    step = OrderEvent.objects.filter(
        order=OuterRef("pk"), to_status__in=["delivering", "ready_for_pickup"]
    ).order_by("-at", "-id")
    Order.objects.filter(
        status__in=["delivering", "ready_for_pickup", "completed"], fulfilled_at__isnull=True
    ).update(fulfilled_at=Subquery(step.values("at")[:1]))


class Migration(migrations.Migration):
    dependencies = [
        ("ordering", "0003_shopreview"),
    ]

    operations = [
        migrations.AddField(
            model_name="order",
            name="fulfilled_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(fulfilled_at_from_the_timeline, migrations.RunPython.noop),
    ]
