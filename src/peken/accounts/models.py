from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from peken.core.masking import mask_nik
from peken.regions.models import Kecamatan, Kelurahan


class Role(models.TextChoices):
    ASN = "asn", "ASN"
    WARGA = "warga", _("Warga")
    MERCHANT = "merchant", _("Pemilik toko")
    OFFICER = "officer", _("Petugas wilayah")
    OPD_ADMIN = "opd_admin", _("Admin OPD")
    CITY_ADMIN = "city_admin", _("Admin kota")
    AUDITOR = "auditor", "Auditor"


AREA_ROLES = {Role.OFFICER}
OPD_ROLES = {Role.OPD_ADMIN}


class Golongan(models.TextChoices):
    I_A = "I/a"
    I_B = "I/b"
    I_C = "I/c"
    I_D = "I/d"
    II_A = "II/a"
    II_B = "II/b"
    II_C = "II/c"
    II_D = "II/d"
    III_A = "III/a"
    III_B = "III/b"
    III_C = "III/c"
    III_D = "III/d"
    IV_A = "IV/a"
    IV_B = "IV/b"
    IV_C = "IV/c"
    IV_D = "IV/d"
    IV_E = "IV/e"


class Eselon(models.TextChoices):
    NONE = "", "Non-eselon"
    I_A = "I.a"
    I_B = "I.b"
    II_A = "II.a"
    II_B = "II.b"
    III_A = "III.a"
    III_B = "III.b"
    IV_A = "IV.a"
    IV_B = "IV.b"
    V_A = "V.a"


class User(AbstractUser):
    """A person. NIK and phone live here because one person may be ASN, buyer and shop owner."""

    first_name = None
    last_name = None
    full_name = models.CharField("nama lengkap", max_length=150, blank=True)
    nik = models.CharField("NIK", max_length=16, unique=True, null=True, blank=True)
    phone = models.CharField("nomor HP", max_length=20, blank=True, db_index=True)

    objects = UserManager()

    REQUIRED_FIELDS = ["email"]

    class Meta:
        verbose_name = "pengguna"
        verbose_name_plural = "pengguna"

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.username

    @property
    def masked_nik(self) -> str:
        return mask_nik(self.nik)

    @property
    def grants(self) -> list["RoleGrant"]:
        """This user's role grants, read once per request-bound instance."""
        cached = getattr(self, "_grants_cache", None)
        if cached is None:
            cached = list(self.role_grants.all())
            self._grants_cache = cached
        return cached

    @property
    def roles(self) -> set[str]:
        return {grant.role for grant in self.grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


class OPD(models.Model):
    """A city agency (Organisasi Perangkat Daerah); every ASN belongs to one."""

    class Kind(models.TextChoices):
        SEKRETARIAT = "sekretariat", "Sekretariat"
        DINAS = "dinas", "Dinas"
        BADAN = "badan", "Badan"
        INSPEKTORAT = "inspektorat", "Inspektorat"
        SATUAN = "satuan", "Satuan"
        BAGIAN = "bagian", "Bagian"
        KECAMATAN = "kecamatan", "Kecamatan"
        KELURAHAN = "kelurahan", "Kelurahan"
        RSUD = "rsud", "Rumah sakit daerah"
        LAINNYA = "lainnya", "Lainnya"

    code = models.CharField("kode", max_length=20, unique=True)
    name = models.CharField("nama", max_length=200)
    kind = models.CharField("jenis", max_length=20, choices=Kind.choices)
    is_active = models.BooleanField("aktif", default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "OPD"
        verbose_name_plural = "OPD"

    def __str__(self) -> str:
        return self.name


class RoleGrant(models.Model):
    """One role a user holds, with its scope: an area for officers, an OPD for OPD admins."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants")
    role = models.CharField("peran", max_length=20, choices=Role.choices)
    kelurahan = models.ForeignKey(Kelurahan, null=True, blank=True, on_delete=models.PROTECT)
    kecamatan = models.ForeignKey(Kecamatan, null=True, blank=True, on_delete=models.PROTECT)
    opd = models.ForeignKey(OPD, null=True, blank=True, on_delete=models.PROTECT)
    granted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = "peran"
        verbose_name_plural = "peran"
        constraints = [
            models.CheckConstraint(
                name="rolegrant_scope_matches_role",
                condition=(
                    Q(
                        role="officer",
                        opd__isnull=True,
                        kelurahan__isnull=False,
                        kecamatan__isnull=True,
                    )
                    | Q(
                        role="officer",
                        opd__isnull=True,
                        kelurahan__isnull=True,
                        kecamatan__isnull=False,
                    )
                    | Q(
                        role="opd_admin",
                        opd__isnull=False,
                        kelurahan__isnull=True,
                        kecamatan__isnull=True,
                    )
                    | (
                        Q(kelurahan__isnull=True, kecamatan__isnull=True, opd__isnull=True)
                        & ~Q(role__in=["officer", "opd_admin"])
                    )
                ),
            ),
            models.UniqueConstraint(
                fields=["user", "role"],
                condition=~Q(role__in=["officer", "opd_admin"]),
                name="rolegrant_unique_unscoped",
            ),
            models.UniqueConstraint(
                fields=["user", "kelurahan"],
                condition=Q(role="officer", kelurahan__isnull=False),
                name="rolegrant_unique_officer_kelurahan",
            ),
            models.UniqueConstraint(
                fields=["user", "kecamatan"],
                condition=Q(role="officer", kecamatan__isnull=False),
                name="rolegrant_unique_officer_kecamatan",
            ),
            models.UniqueConstraint(
                fields=["user", "opd"],
                condition=Q(role="opd_admin"),
                name="rolegrant_unique_opd_admin",
            ),
        ]

    def __str__(self) -> str:
        scope = self.kelurahan or self.kecamatan or self.opd
        label = Role(self.role).label
        return f"{label} ({scope})" if scope else str(label)


class AsnProfile(models.Model):
    """A civil servant as the personnel office's roster describes them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="asn_profile")
    nip = models.CharField("NIP", max_length=18, unique=True)
    golongan = models.CharField(max_length=5, choices=Golongan.choices)
    jabatan = models.CharField(max_length=200, blank=True)
    eselon = models.CharField(max_length=5, choices=Eselon.choices, blank=True)
    opd = models.ForeignKey(OPD, on_delete=models.PROTECT, related_name="asn_profiles")
    domicile_kelurahan = models.ForeignKey(
        Kelurahan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="kelurahan domisili",
    )
    workplace_kecamatan = models.ForeignKey(
        Kecamatan,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="kecamatan tempat kerja",
        help_text="Hanya untuk ASN yang berdomisili di luar kota.",
    )
    is_active = models.BooleanField("aktif", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "profil ASN"
        verbose_name_plural = "profil ASN"
        constraints = [
            models.CheckConstraint(
                name="asn_has_home_area",
                condition=Q(domicile_kelurahan__isnull=False)
                | Q(workplace_kecamatan__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nip} {self.user.full_name}"


class WargaProfile(models.Model):
    """A member of the public who buys; NIK and phone are on the user."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="warga_profile")
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="+")
    address = models.CharField("alamat", max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "profil warga"
        verbose_name_plural = "profil warga"

    def __str__(self) -> str:
        return str(self.user)


class ApiToken(models.Model):
    """A mobile client's bearer token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    name = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "token API"
        verbose_name_plural = "token API"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class LoginThrottle(models.Model):
    """Failed logins of one account or one client address inside the current window."""

    class Scope(models.TextChoices):
        ACCOUNT = "account"
        IP = "ip"
        IP_ACCOUNT = "ip_account"  # one address's failures on one account
        SIGN_UP = "sign_up"  # public sign-ups from one address
        CODE = "code"  # password codes asked for from one address

    scope = models.CharField(max_length=10, choices=Scope.choices)
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="throttle_unique_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key} ({self.failures})"


class PasswordCode(models.Model):
    """A short-lived numeric code sent by e-mail or SMS to set a password (first time or reset).

    Only a keyed hash is stored. A code is spent by one use, by expiry, or by too many wrong tries.
    """

    class Channel(models.TextChoices):
        EMAIL = "email", "e-mail"
        SMS = "sms", "SMS"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_codes")
    code_hash = models.CharField(max_length=64)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    wrong_tries = models.PositiveSmallIntegerField(default=0)
    spent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "kode kata sandi"
        verbose_name_plural = "kode kata sandi"
        indexes = [models.Index(fields=["user", "spent_at"], name="password_code_open")]

    def __str__(self) -> str:
        return f"{self.user} ({self.channel})"
