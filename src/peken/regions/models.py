from django.db import models


class Kecamatan(models.Model):
    """A district, known by its Kemendagri code (`35.78.01`)."""

    code = models.CharField("kode", max_length=8, unique=True)
    name = models.CharField("nama", max_length=100)
    lat = models.FloatField("lintang")
    lon = models.FloatField("bujur")

    class Meta:
        ordering = ["code"]
        verbose_name = "kecamatan"
        verbose_name_plural = "kecamatan"

    def __str__(self) -> str:
        return self.name


class Kelurahan(models.Model):
    """An urban village (`35.78.01.1001`), the smallest area an officer is responsible for."""

    code = models.CharField("kode", max_length=13, unique=True)
    name = models.CharField("nama", max_length=100)
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    postal_code = models.CharField("kode pos", max_length=5)
    lat = models.FloatField("lintang")
    lon = models.FloatField("bujur")

    class Meta:
        ordering = ["code"]
        verbose_name = "kelurahan"
        verbose_name_plural = "kelurahan"

    def __str__(self) -> str:
        return self.name
