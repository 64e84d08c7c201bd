from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.utils.translation import gettext_lazy as _

from tryghed.orgs.labels import labels_for
from tryghed.orgs.models import Organisation, Unit
from tryghed.voice.models import (
    HIDDEN_KEEP_DAYS,
    QUICK_ACKNOWLEDGEMENTS,
    SENSITIVE_KINDS,
    TEXT_MAX_LENGTH,
    ChannelSettings,
    HiddenReason,
    Kind,
    Receiver,
)
from tryghed.voice.selectors import Readers, reporter_units

NO_READER = "no_reader"
NO_READER_MESSAGE = _(
    "Sagen er ikke sendt, fordi ingen kan modtage den lige nu. Se nedenfor, hvad du kan gøre "
    "i stedet."
)


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    def label_from_instance(self, obj: Unit) -> str:
        # Namesakes ("Aftenteam" in two home-care areas) get their parent, as in the pickers.
        return labels_for(self, obj.organisation_id)(obj)


class RaiseForm(forms.Form):
    """What the reporter fills in on the phone: where, to whom, what kind, and the text."""

    unit = UnitChoiceField(
        queryset=Unit.objects.none(),
        required=False,
        label=_("Hvilken enhed handler det om?"),
        empty_label=_("Ingen bestemt enhed"),
    )
    receiver = forms.ChoiceField(
        label=_("Hvem skal modtage det?"),
        choices=[
            (Receiver.LEADER, _("Lederen af enheden")),
            (Receiver.AMO, _("AMO/HR. Vælg dette, hvis det handler om din leder.")),
        ],
        help_text=_("Lederen kan kun modtage sagen, når du har valgt en enhed."),
        widget=forms.RadioSelect,
    )
    kind = forms.ChoiceField(
        label=_("Hvad drejer det sig om?"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Krænkende handlinger og vold eller trusler går altid til AMO/HR, uanset hvem du "
            "vælger som modtager."
        ),
    )
    text = forms.CharField(
        label=_("Skriv kort, hvad der skete, eller hvad du foreslår"),
        help_text=_("Skriv ikke navne eller andet, der kan pege på dig eller andre."),
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    # Set once the reporter has seen the warning about identifying details and sends anyway.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        *args: Any,
        organisation: Organisation,
        channel: ChannelSettings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, UnitChoiceField)
        unit_field.queryset = reporter_units(organisation)
        # As the whistleblower scheme every case goes to the designated receivers (the AMO).
        self.organisation = organisation
        self.amo_exists = True
        self.leader_route_open = False
        self.whistleblower_scheme = channel is not None and channel.is_whistleblower_scheme
        if self.whistleblower_scheme:
            del self.fields["receiver"]
            self.fields["kind"].help_text = ""
        # The leader is only a valid default when a unit is chosen already (``?enhed=``);
        # "Ingen bestemt enhed" with the leader would be refused if sent unchanged.
        self.initial.setdefault(
            "receiver", Receiver.LEADER if self.initial.get("unit") else Receiver.AMO
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.whistleblower_scheme or data.get("kind") in SENSITIVE_KINDS:
            data["receiver"] = Receiver.AMO
        if data.get("receiver") == Receiver.LEADER and not data.get("unit"):
            self.add_error("unit", _("Vælg den enhed, hvis leder skal modtage det."))
        elif "receiver" in data and "unit" not in self.errors:
            self._refuse_without_reader(data)
        return data

    def _refuse_without_reader(self, data: dict[str, Any]) -> None:
        """Refuse a case that no one may read now, rather than store it unread: the page
        says why and where to go instead (docs/voice.md, "No receiver outside the line")."""
        readers = Readers(self.organisation)
        unit = data.get("unit")
        if readers.any_reads(unit=unit, receiver=data["receiver"]):
            return
        self.add_error(None, forms.ValidationError(NO_READER_MESSAGE, code=NO_READER))
        self.amo_exists = bool(readers.lines)
        # A case that is not about the leadership may go to the unit's leader instead.
        self.leader_route_open = (
            "receiver" in self.fields
            and data["receiver"] == Receiver.AMO
            and data.get("kind") not in SENSITIVE_KINDS
            and unit is not None
            and readers.any_reads(unit=unit, receiver=Receiver.LEADER)
        )

    @property
    def no_reader(self) -> bool:
        return self.has_error(NON_FIELD_ERRORS, NO_READER)


class AcknowledgeForm(forms.Form):
    which = forms.ChoiceField(
        label=_("Hurtig kvittering"),
        choices=list(QUICK_ACKNOWLEDGEMENTS.items()),
        widget=forms.RadioSelect,
    )


class TextForm(forms.Form):
    text = forms.CharField(
        label=_("Tekst"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 5})
    )


class HideForm(forms.Form):
    """A receiver hides a message of the reporter; ``target`` is "case" for the first text."""

    target = forms.CharField(widget=forms.HiddenInput, max_length=40)
    reason = forms.ChoiceField(
        label=_("Hvorfor skjuler du beskeden?"),
        choices=HiddenReason.choices,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reason"].help_text = _(
            "Den, der skrev, ser grunden i stedet for teksten. AMO kan læse teksten i %(days)s "
            "dage; derefter slettes den."
        ) % {"days": HIDDEN_KEEP_DAYS}


class ChannelSettingsForm(forms.ModelForm[ChannelSettings]):
    class Meta:
        model = ChannelSettings
        fields = ["procedure_text", "procedure_url", "is_whistleblower_scheme", "whistleblower_url"]
        labels = {
            "procedure_text": _("Jeres procedure for krænkende handlinger og vold"),
            "procedure_url": _("Link til proceduren (valgfrit)"),
            "is_whistleblower_scheme": _(
                "Sig det er organisationens whistleblowerordning efter lov om beskyttelse af "
                "whistleblowere"
            ),
            "whistleblower_url": _("Link til jeres whistleblowerordning (valgfrit)"),
        }
        help_texts = {
            "procedure_text": _(
                "Vises for den, der skriver, og for modtageren, når en sag handler om "
                "krænkende handlinger eller vold. Lader I feltet stå tomt, vises en "
                "standardtekst."
            ),
            "is_whistleblower_scheme": _(
                "Slå kun dette til, hvis Sig det er jeres lovpligtige whistleblowerordning. Så "
                "går alle sager til AMO, lederne ser ingen sager, og lovens frister vises: "
                "kvittering inden for 7 dage og feedback inden for 3 måneder."
            ),
            "whistleblower_url": _(
                "Har I en whistleblowerordning et andet sted, så skriv linket, så Sig det kan "
                "henvise til den."
            ),
        }
        widgets = {"procedure_text": forms.Textarea(attrs={"rows": 6})}
