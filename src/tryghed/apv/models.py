"""The written APV ("arbejdspladsvurdering"): risk assessments, sickness absence, changes in
the work that call for a revision, the wellbeing team and its leading indicators.

The risk assessment follows BEK 1406/2020 (seed 002): for each of the five risk factors
the work-environment organisation assesses omfang (incl. duration), karakter, the
preventive measures in place (annex 1) and the combination with other factors, and judges
whether the work is "fuldt forsvarligt". It is written by people, never computed; the
risk5 screening only informs it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.models import Organisation, Unit


class RiskFactor(models.TextChoices):
    """The five risk factors of BEK 1406/2020 chapter 3; values are risk5's scale ids."""

    WORKLOAD = "workload", _("Stor arbejdsmængde og tidspres")
    DEMANDS = "demands", _("Uklare krav og modstridende krav i arbejdet")
    EMOTIONAL = "emotional", _("Høje følelsesmæssige krav i arbejdet med mennesker")
    OFFENSIVE = "offensive", _("Krænkende handlinger, herunder mobning og seksuel chikane")
    VIOLENCE = "violence", _("Arbejdsrelateret vold, i og uden for arbejdstid")


class PreventiveMeasure(models.TextChoices):
    """The examples of prevention in annex 1 of BEK 1406/2020 (seed 002)."""

    PLANNING = "planning", _("Forsvarlig planlægning og tilrettelæggelse af arbejdet")
    TRAINING = "training", _("Tilstrækkelig og hensigtsmæssig oplæring og instruktion i arbejdet")
    SUPERVISION = "supervision", _("Effektivt tilsyn med arbejdets udførelse")
    PREMISES = "premises", _("Forsvarlig indretning af arbejdsstedet")
    AIDS = "aids", _("Korrekt anvendelse af egnede eller tilpassede tekniske hjælpemidler")
    SUPPORT = "support", _("Mulighed for støtte i arbejdet, herunder fra ledelse og kolleger")
    INFLUENCE = "influence", _("Mulighed for indflydelse på det arbejde, der skal udføres")


class RiskAssessment(models.Model):
    """A unit's risk assessment ("risikovurdering") of the five risk factors.

    The screening is the unit's latest closed measurement with risk5 when the assessment
    was started; its figures are read from the report data, never copied here.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="risk_assessments"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="risk_assessments")
    measurement = models.ForeignKey(
        "surveys.Measurement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The change in the work that prompted the assessment, if any (golden rule 2).
    work_change = models.ForeignKey(
        "WorkChange",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="risk_assessments",
    )
    assessed_on = models.DateField(_("vurderet den"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-assessed_on", "-pk"]
        verbose_name = _("risikovurdering")
        verbose_name_plural = _("risikovurderinger")

    def __str__(self) -> str:
        return f"{self.unit} {self.assessed_on}"


class FullySound(models.TextChoices):
    YES = "yes", _("Ja, fuldt forsvarligt")
    NO = "no", _("Nej, ikke fuldt forsvarligt")


class FactorAssessment(models.Model):
    """One risk factor within a risk assessment."""

    assessment = models.ForeignKey(RiskAssessment, on_delete=models.CASCADE, related_name="factors")
    factor = models.CharField(max_length=20, choices=RiskFactor.choices)
    extent = models.TextField(_("omfang"), blank=True)
    duration = models.TextField(_("varighed (tidsmæssig udstrækning)"), blank=True)
    character = models.TextField(_("karakter"), blank=True)
    measures = models.JSONField(_("forebyggende tiltag"), default=list, blank=True)
    measures_other = models.TextField(_("andre forebyggende tiltag"), blank=True)
    combination = models.TextField(_("kombination med andre påvirkninger"), blank=True)
    # Empty until the judgement is made.
    fully_sound = models.CharField(max_length=3, choices=FullySound.choices, blank=True)
    actions = models.TextField(_("handlinger"), blank=True)
    # The action plan that answers this factor; a deleted plan leaves the assessment.
    action_plan = models.ForeignKey(
        "actions.ActionPlan", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["assessment", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "factor"], name="factor_once_per_risk"),
        ]

    def __str__(self) -> str:
        return self.get_factor_display()

    @property
    def measure_labels(self) -> list[str]:
        labels = dict(PreventiveMeasure.choices)
        return [str(labels[m]) for m in self.measures if m in labels]

    @property
    def is_judged(self) -> bool:
        return bool(self.fully_sound)


class Contribution(models.TextChoices):
    """Whether the work environment contributes to the sickness absence."""

    YES = "yes", _("Ja")
    PARTLY = "partly", _("Delvist")
    NO = "no", _("Nej")
    UNKNOWN = "unknown", _("Ved ikke endnu")


class Publication(models.TextChoices):
    """Whether a sickness-absence figure may be shown (privacy.md sections 2 and 3)."""

    SHOWN = "shown", _("Vises")
    SMALL_UNIT = "small_unit", _("Under 10 medarbejdere")
    COMPLEMENTARY = "complementary", _("Skjult for at beskytte en mindre gruppe")


class SicknessAbsence(models.Model):
    """Sickness absence figures for a unit and period, and the assessment of them."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="sickness_absences"
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="sickness_absences")
    period_start = models.DateField(_("periode fra"))
    period_end = models.DateField(_("periode til"))
    absence_percent = models.DecimalField(_("sygefravær i procent"), max_digits=5, decimal_places=2)
    absence_days = models.DecimalField(
        _("sygefraværsdage pr. medarbejder"),
        max_digits=6,
        decimal_places=1,
        null=True,
        blank=True,
    )
    contributes = models.CharField(
        _("bidrager arbejdsmiljøet til sygefraværet?"),
        max_length=10,
        choices=Contribution.choices,
        default=Contribution.UNKNOWN,
    )
    assessment = models.TextField(_("vurdering"), blank=True)
    # Frozen when the figure is entered or edited (apv.health): the people it rests on, as
    # active employees of the unit's subtree then, and per unit of that subtree its own
    # active employees ({unit id: count}). Later hires, leavers and moves change neither.
    headcount = models.PositiveIntegerField(default=0, editable=False)
    unit_headcounts = models.JSONField(default=dict, editable=False)
    # Whether the figures may be published, decided from the stored headcounts of the
    # period's figures and never revisited by a change in the organisation; "" (not yet
    # decided) is hidden.
    publication = models.CharField(
        max_length=13, choices=Publication.choices, blank=True, default="", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-period_end", "unit__path"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")),
                name="absence_period_in_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit} {self.period_start}–{self.period_end}"


class PublishedAbsence(models.Model):
    """The people a shown sickness-absence figure rested on, kept when the figure is edited
    or deleted: what was shown once has been read, so a later figure of the same period
    is checked against it too (privacy.md section 3). Headcounts only, never a figure."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="published_absences"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    unit_headcounts = models.JSONField(default=dict)  # {unit id: own active employees}
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "period_start", "period_end"])]

    def __str__(self) -> str:
        return f"{self.period_start}–{self.period_end}"


class ApvDocument(models.Model):
    """The organisation's written APV: when it was adopted, when it must be revised, and
    the parts written as text (sickness absence considered, guidelines for follow-up)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="apv_document"
    )
    adopted_on = models.DateField(_("vedtaget den"), null=True, blank=True)
    sickness_summary = models.TextField(_("samlet vurdering af sygefraværet"), blank=True)
    action_plan_text = models.TextField(_("handleplan"), blank=True)
    follow_up_guidelines = models.TextField(_("retningslinjer for opfølgning"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"APV {self.organisation}"


class WorkChangeKind(models.TextChoices):
    METHODS = "methods", _("Nye arbejdsmetoder eller arbejdsgange")
    IT = "it", _("Nye IT-systemer eller tekniske hjælpemidler")
    PREMISES = "premises", _("Nye eller ombyggede lokaler")
    ORGANISATION = "organisation", _("Ændret organisering")
    OTHER = "other", _("Anden ændring")


class WorkChange(models.Model):
    """A change in the work that calls for a revision of the APV."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="work_changes"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="work_changes"
    )
    kind = models.CharField(_("slags ændring"), max_length=20, choices=WorkChangeKind.choices)
    description = models.TextField(_("beskrivelse"))
    changed_on = models.DateField(_("dato for ændringen"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.changed_on}"


class ApvReminder(models.Model):
    """A reminder that was sent, once per reason: ``remind-apv`` is safe to run daily."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="apv_reminders"
    )
    # "revision:2029-05-01", "overdue:2029-05-01" or "change:17".
    key = models.CharField(max_length=60)
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-sent_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "key"], name="apv_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.key}"


class WellbeingTeamMember(models.Model):
    """A member of the wellbeing team ("trivselsteam", seed 004's SST team)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="wellbeing_team"
    )
    name = models.CharField(_("navn"), max_length=200)
    function = models.CharField(_("funktion"), max_length=200, blank=True)
    is_manager = models.BooleanField(_("er leder"), default=False)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class GoldenRule(models.IntegerChoices):
    """Vision Zero's 7 golden rules for wellbeing (seed 004)."""

    LEADERSHIP = 1, _("Tag lederskab")
    HAZARDS = 2, _("Identificér farer")
    TARGETS = 3, _("Definér mål")
    SYSTEM = 4, _("Sikr et sikkert og sundt system")
    EQUIPMENT = 5, _("Sikr sikkerhed og sundhed i maskiner, udstyr og arbejdspladser")
    QUALIFICATIONS = 6, _("Forbedr kvalifikationer")
    PEOPLE = 7, _("Investér i mennesker")


class IndicatorEntry(models.Model):
    """A proactive leading indicator entered by hand, for what the product cannot count."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="indicator_entries"
    )
    rule = models.PositiveSmallIntegerField(_("gylden regel"), choices=GoldenRule.choices)
    indicator = models.CharField(_("proaktivt mål"), max_length=300)
    value = models.CharField(_("værdi"), max_length=100)
    period = models.CharField(_("periode"), max_length=60, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["rule", "-entered_at", "-pk"]

    def __str__(self) -> str:
        return self.indicator
