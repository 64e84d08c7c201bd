"""Organisations, their unit tree, the people in them and the staff roles.

A unit keeps its id for life: renaming or moving it never loses the results and
plans attached to it, and each change is in the audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.core.suppression import DEFAULT_MINIMUM, FLOOR_MINIMUM, MinimumKind

# What respondents are told of the legal basis when the organisation has not written its
# own (privacy.md section 7): the APV duty and the legitimate interest.
DEFAULT_PRIVACY_LEGAL_BASIS = _(
    "Behandlingsgrundlaget er arbejdsgiverens pligt til at lave en arbejdspladsvurdering "
    "(databeskyttelsesforordningens artikel 6, stk. 1, litra c, jf. arbejdsmiljølovens "
    "§ 15 a) og arbejdspladsens legitime interesse i at forbedre det psykiske arbejdsmiljø "
    "(artikel 6, stk. 1, litra f)."
)


class Organisation(models.Model):
    """A tenant: a municipality, a hospital, a company."""

    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(_("kort navn i adresser"), max_length=60, unique=True)
    contact_email = models.EmailField(_("kontakt om tilgængelighed og databeskyttelse"), blank=True)
    # The organisation's own wording; blank shows DEFAULT_PRIVACY_LEGAL_BASIS.
    privacy_legal_basis = models.TextField(
        _("behandlingsgrundlag (vises i privatlivsoplysningen)"), blank=True, default=""
    )
    min_group_score = models.PositiveSmallIntegerField(
        _("mindste antal svar for at vise et resultat"),
        default=DEFAULT_MINIMUM["score"],
        validators=[MinValueValidator(FLOOR_MINIMUM["score"])],
    )
    min_group_comment = models.PositiveSmallIntegerField(
        _("mindste antal svar for at vise kommentarer"),
        default=DEFAULT_MINIMUM["comment"],
        validators=[MinValueValidator(FLOOR_MINIMUM["comment"])],
    )
    min_group_sensitive = models.PositiveSmallIntegerField(
        _("mindste antal svar for følsomme spørgsmål"),
        default=DEFAULT_MINIMUM["sensitive"],
        validators=[MinValueValidator(FLOOR_MINIMUM["sensitive"])],
    )
    response_retention_months = models.PositiveSmallIntegerField(
        _("måneder de enkelte besvarelser gemmes efter lukning"),
        default=36,  # the APV cycle (privacy.md section 5)
        validators=[MinValueValidator(1)],
    )
    # Admin, AMO and top management always sign in with two-step verification; this makes
    # it required of leaders too (employees sign in by a one-time link, not a password).
    require_mfa = models.BooleanField(
        _("kræv totrinsbekræftelse for alle medarbejdere med login"), default=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisationer")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        kinds: tuple[MinimumKind, ...] = ("score", "comment", "sensitive")
        for kind in kinds:
            field = f"min_group_{kind}"
            if getattr(self, field) < FLOOR_MINIMUM[kind]:
                raise ValidationError(
                    {field: _("Må ikke være under %(floor)s.") % {"floor": FLOOR_MINIMUM[kind]}}
                )


class UnitKind(models.TextChoices):
    ORGANISATION = "organisation", _("Organisation")
    AREA = "omraade", _("Område")
    DEPARTMENT = "afdeling", _("Afdeling")
    TEAM = "team", _("Team")


class Unit(models.Model):
    """A node of the organisation tree ("område / afdeling / team"), any depth."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="units")
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("overordnet enhed"),
    )
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(
        _("type"), max_length=20, choices=UnitKind.choices, default=UnitKind.TEAM
    )
    # The organisation's own id for the unit (from its HR system); the key for imports.
    external_id = models.CharField(_("enheds-id"), max_length=64)
    # Materialised path of primary keys, "/1/5/12/", for subtree queries in one index scan.
    path = models.CharField(max_length=1000, editable=False, db_index=True)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enhed")
        verbose_name_plural = _("enheder")
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "external_id"], name="unit_external_id_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def is_descendant_of(self, other: Unit) -> bool:
        """True when self lies in other's subtree (a unit is in its own subtree)."""
        return self.path.startswith(other.path)


class Person(models.Model):
    """An employee who can be invited to measurements ("medarbejder").

    Job group and seniority band are coarse categories: they are what a response may
    carry as demographics (privacy.md section 1), never more.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="people")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="people", verbose_name=_("enhed")
    )
    employee_id = models.CharField(_("medarbejdernummer"), max_length=64)
    name = models.CharField(_("navn"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    job_group = models.CharField(_("jobgruppe"), max_length=100, blank=True)
    seniority_band = models.CharField(_("anciennitet"), max_length=50, blank=True)
    is_active = models.BooleanField(_("aktiv"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("medarbejder")
        verbose_name_plural = _("medarbejdere")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "employee_id"], name="person_employee_id_unique_per_org"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    AMO = "amo", _("Arbejdsmiljøorganisation (AMO)")
    LEADER = "leader", _("Leder")
    EMPLOYEE = "employee", _("Medarbejder")
    # Directors and the executive board ("direktion"): organisation-level figures only.
    TOP_MANAGEMENT = "top_management", _("Topledelse")


# Roles that see the whole organisation whatever unit they are attached to.
ORGANISATION_WIDE_ROLES = frozenset({Role.ADMIN, Role.AMO})
# Roles held without a unit: the above, and top management, which reads the organisation
# report but no unit's own pages.
ROLES_WITHOUT_UNIT = ORGANISATION_WIDE_ROLES | {Role.TOP_MANAGEMENT}


class Membership(models.Model):
    """A staff role held by a user in an organisation, scoped to a unit's subtree.

    Admin and AMO see the whole organisation (unit empty); a leader sees the subtree
    of their unit; an employee their own unit. A person may hold several roles.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rolle"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("enhed"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("rolle")
        verbose_name_plural = _("roller")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user", "role", "unit"], name="membership_unique"
            ),
            models.UniqueConstraint(
                fields=["organisation", "user", "role"],
                condition=models.Q(unit__isnull=True),
                name="membership_unique_orgwide",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["admin", "amo", "top_management"])
                | models.Q(unit__isnull=False),
                name="membership_unit_required_for_scoped_roles",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ImportKind(models.TextChoices):
    UNITS = "units", _("Enheder")
    PEOPLE = "people", _("Medarbejdere")


class ImportBatch(models.Model):
    """An uploaded CSV kept between the preview (dry run) and the confirmation."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    content = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    summary = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.kind})"
