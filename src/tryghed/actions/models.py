"""Focus areas, action plans and their actions: from a unit's results to what is done.

The cycle of seeds 003 and 004: a unit picks few but important focus areas from its
report, writes a plan with goal, actions, owners, deadlines and evaluation criteria,
follows it up and evaluates both the learning and the effect. Plans never link to survey
responses: who took part is what the leader writes down.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.models import Organisation, Person, Unit
from tryghed.surveys.models import Measurement

# Seed 003: "Prioritér få, men vigtige indsatsområder"; the product nudges at three.
FOCUS_AREA_NUDGE = 3


class FigureKind(models.TextChoices):
    SCALE = "scale", _("Skala")
    ITEM = "item", _("Spørgsmål")


class HasSolution(models.TextChoices):
    YES = "yes", _("Ja")
    PARTLY = "partly", _("Delvist")
    NO = "no", _("Nej")
    UNKNOWN = "unknown", _("Ved ikke endnu")


class Ease(models.TextChoices):
    EASY = "easy", _("Let")
    MODERATE = "moderate", _("Middel")
    HARD = "hard", _("Svær")


class FocusArea(models.Model):
    """A focus area ("fokusområde"): one figure of a unit's report the unit chose to work on.

    ``baseline`` is a copy of the shown figure it starts from (mean, CI, n), taken from the
    report data when chosen; it never holds a hidden number.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, related_name="focus_areas", verbose_name=_("enhed")
    )
    measurement = models.ForeignKey(
        Measurement, on_delete=models.PROTECT, related_name="+", verbose_name=_("måling")
    )
    kind = models.CharField(_("type"), max_length=10, choices=FigureKind.choices)
    instrument_id = models.CharField(max_length=60)
    figure_id = models.CharField(max_length=80)  # a scale id, or an item id ("ps7.3")
    title = models.CharField(_("fokusområde"), max_length=300)
    baseline = models.JSONField(default=dict, blank=True)
    has_solution = models.CharField(
        _("Findes der en mulig løsning på problemet?"),
        max_length=10,
        choices=HasSolution.choices,
        default=HasSolution.UNKNOWN,
    )
    ease = models.CharField(
        _("Hvor let er løsningen at gennemføre?"),
        max_length=10,
        choices=Ease.choices,
        default=Ease.MODERATE,
    )
    cost_of_ignoring = models.TextField(
        _("Hvad koster det, hvis problemet fortsat ignoreres?"), blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("fokusområde")
        verbose_name_plural = _("fokusområder")
        ordering = ["unit__path", "-measurement__opens_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Level(models.TextChoices):
    INDIVIDUAL = "individ", _("Individ")
    GROUP = "gruppe", _("Gruppe")
    MANAGEMENT = "ledelse", _("Ledelse")
    ORGANISATION = "organisation", _("Organisation")


class Prevention(models.TextChoices):
    PRIMARY = "primaer", _("Primær (forebygge)")
    SECONDARY = "sekundaer", _("Sekundær (styrke ressourcer)")
    TERTIARY = "tertiaer", _("Tertiær (afhjælpe)")


class PlanStatus(models.TextChoices):
    PLANNED = "planned", _("Planlagt")
    ACTIVE = "active", _("I gang")
    DONE = "done", _("Gennemført")
    EVALUATED = "evaluated", _("Evalueret")
    STOPPED = "stopped", _("Stoppet")


class ActionPlan(models.Model):
    """An action plan ("handleplan") for one focus area."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    focus_area = models.ForeignKey(
        FocusArea, on_delete=models.PROTECT, related_name="plans", verbose_name=_("fokusområde")
    )
    problem = models.TextField(_("problem"))
    goal = models.TextField(_("mål"))
    level = models.CharField(_("niveau"), max_length=20, choices=Level.choices)
    prevention = models.CharField(
        _("forebyggelsesniveau"), max_length=20, choices=Prevention.choices
    )
    evaluation_criteria = models.TextField(_("evalueringskriterier"), blank=True)
    evaluation_date = models.DateField(_("evalueringsdato"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.PLANNED
    )
    participants_count = models.PositiveIntegerField(
        _("antal medarbejdere involveret"), null=True, blank=True
    )
    participants = models.TextField(_("hvem var med"), blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("godkendt af AMO"),
    )
    signed_off_at = models.DateTimeField(_("godkendt"), null=True, blank=True)
    learning_evaluation = models.TextField(_("evaluering af læringen"), blank=True)
    effect_evaluation = models.TextField(_("evaluering af effekten"), blank=True)
    evaluated_on = models.DateField(_("evalueret den"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("handleplan")
        verbose_name_plural = _("handleplaner")
        ordering = ["focus_area__unit__path", "pk"]

    def __str__(self) -> str:
        return self.focus_area.title


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Ikke startet")
    IN_PROGRESS = "in_progress", _("I gang")
    DONE = "done", _("Udført")
    DROPPED = "dropped", _("Droppet")


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS)


class Action(models.Model):
    """One action ("handling") of a plan: what, who is responsible, by when."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="actions")
    what = models.TextField(_("handling"))
    owner_person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ansvarlig medarbejder"),
    )
    owner_name = models.CharField(_("ansvarlig (navn)"), max_length=200, blank=True)
    deadline = models.DateField(_("frist"))
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("handling")
        verbose_name_plural = _("handlinger")
        ordering = ["deadline", "pk"]

    def __str__(self) -> str:
        return self.what[:80]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def owner_label(self) -> str:
        if self.owner_person is not None:
            return self.owner_person.name
        return self.owner_name


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("Før fristen")
    AFTER = "after", _("Fristen er overskredet")


class ActionReminder(models.Model):
    """A reminder that was sent: at most one of each kind per action and deadline."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    deadline = models.DateField()  # a moved deadline earns a new reminder
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["action", "kind", "deadline"], name="action_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} reminder for action {self.action_id}"


class EvaluationReminder(models.Model):
    """A reminder that a plan's evaluation is near or overdue: once of each kind per date."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=ReminderKind.choices)
    evaluation_date = models.DateField()
    recipients = models.JSONField(default=list)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "kind", "evaluation_date"], name="evaluation_reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} evaluation reminder for plan {self.plan_id}"


class PlanEvent(models.TextChoices):
    CREATED = "created", _("Planen er oprettet")
    UPDATED = "updated", _("Planen er ændret")
    ACTION_ADDED = "action_added", _("Handling tilføjet")
    ACTION_UPDATED = "action_updated", _("Handling ændret")
    SIGNED_OFF = "signed_off", _("Godkendt af AMO")
    EVALUATED = "evaluated", _("Evaluering skrevet")


class PlanHistory(models.Model):
    """One change to a plan as shown on the plan: what changed, who, when.

    ``changes`` is a list of {"field", "before", "after"} with raw values; the page shows
    field names and choice labels in the reader's language.
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="history")
    event = models.CharField(max_length=20, choices=PlanEvent.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=254)
    action = models.ForeignKey(
        Action, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changes = models.JSONField(default=list)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.event} on plan {self.plan_id}"
