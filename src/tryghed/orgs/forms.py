from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tryghed.core.suppression import FLOOR_MINIMUM, MinimumKind
from tryghed.orgs import importing
from tryghed.orgs.labels import labels_for
from tryghed.orgs.models import DEFAULT_PRIVACY_LEGAL_BASIS, Role, Unit, UnitKind
from tryghed.orgs.selectors import OrgAccess, move_targets, visible_units


def unit_option_label(field: forms.Field, obj: Unit) -> str:
    """A unit in a select: indented by depth so the tree reads, and named so that namesakes
    differ for someone who does not see the indentation (a screen reader)."""
    return f"{'— ' * obj.depth}{labels_for(field, obj.organisation_id)(obj)}"


class UnitChoiceField(forms.ModelChoiceField[Unit]):
    """Units shown indented by depth so the tree reads in a plain select."""

    def label_from_instance(self, obj: Unit) -> str:
        return unit_option_label(self, obj)


class UnitTreeWidget(forms.CheckboxSelectMultiple):
    """Checkboxes laid out as the unit tree: each unit with its sub-units in a nested list
    under it. Plain HTML (a list in a list), so the keyboard, a screen reader ("list, level
    2") and a phone all read the tree without any script."""

    template_name = "orgs/widgets/unit_tree.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        options = [
            option
            for _group, group_options, _i in context["widget"]["optgroups"]
            for option in group_options
        ]
        nodes: dict[str, dict[str, Any]] = {}
        roots: list[dict[str, Any]] = []
        for option in options:
            unit = getattr(option["value"], "instance", None)
            node = {"option": option, "children": []}
            if unit is None:
                roots.append(node)
                continue
            nodes[unit.path] = node
            # The nearest ancestor among the options (a leader may not see the whole tree).
            parents = [p for p in unit.path.strip("/").split("/")[:-1]]
            parent = None
            while parents and parent is None:
                parent = nodes.get("/" + "/".join(parents) + "/")
                parents.pop()
            (parent["children"] if parent else roots).append(node)

        # Siblings by name: the paths sort by primary key as text ("/10/" before "/9/").
        def by_name(level: list[dict[str, Any]]) -> list[dict[str, Any]]:
            for node in level:
                node["children"] = by_name(node["children"])
            return sorted(level, key=lambda node: str(node["option"]["label"]).casefold())

        context["widget"]["tree"] = by_name(roots)
        return context


class UnitTreeField(forms.ModelMultipleChoiceField[Unit]):
    """Units to tick, shown as a tree (the measurement's scope); namesakes get their parent."""

    widget = UnitTreeWidget

    def label_from_instance(self, obj: Unit) -> str:
        return labels_for(self, obj.organisation_id)(obj)


class UnitForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    kind = forms.ChoiceField(label=_("Type"), choices=UnitKind.choices, initial=UnitKind.TEAM)
    external_id = forms.CharField(
        label=_("Enheds-id"),
        max_length=64,
        required=False,
        help_text=_(
            "Organisationens eget id for enheden, fx fra lønsystemet. Bruges ved import. "
            "Udfyldes automatisk, hvis du lader det stå tomt."
        ),
    )


class UnitCreateForm(UnitForm):
    field_order = ["parent", "name", "kind", "external_id"]

    def __init__(self, *args: Any, access: OrgAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"] = UnitChoiceField(
            label=_("Overordnet enhed"),
            queryset=visible_units(access).filter(is_active=True).order_by("path"),
        )
        self.order_fields(self.field_order)


class UnitMoveForm(forms.Form):
    def __init__(self, *args: Any, access: OrgAccess, unit: Unit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["new_parent"] = UnitChoiceField(
            label=_("Ny overordnet enhed"),
            queryset=move_targets(access, unit),
            help_text=_(
                "Enheden flyttes med alle sine underenheder og medarbejdere. "
                "Tidligere resultater og handleplaner følger med."
            ),
        )


class PersonForm(forms.Form):
    name = forms.CharField(label=_("Navn"), max_length=200)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_(
            "Bruges til invitationer. Kan udelades, hvis medarbejderen svarer med en papirkode."
        ),
    )
    job_group = forms.CharField(label=_("Jobgruppe"), max_length=100, required=False)
    seniority_band = forms.CharField(
        label=_("Anciennitet"),
        max_length=50,
        required=False,
        help_text=_('Et groft interval, fx "0-2 år".'),
    )

    def __init__(self, *args: Any, access: OrgAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Enhed"), queryset=visible_units(access).filter(is_active=True).order_by("path")
        )
        self.order_fields(["name", "email", "unit", "job_group", "seniority_band"])


class PeopleSearchForm(forms.Form):
    q = forms.CharField(label=_("Søg efter navn, e-mail eller medarbejdernummer"), required=False)

    def __init__(self, *args: Any, access: OrgAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Enhed (med underenheder)"),
            required=False,
            queryset=visible_units(access).filter(is_active=True).order_by("path"),
            empty_label=_("Alle enheder"),
        )


class MembershipForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    full_name = forms.CharField(
        label=_("Navn"),
        max_length=200,
        required=False,
        help_text=_("Kun nødvendigt for nye brugere."),
    )
    role = forms.ChoiceField(label=_("Rolle"), choices=Role.choices)

    def __init__(self, *args: Any, access: OrgAccess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"] = UnitChoiceField(
            label=_("Enhed"),
            required=False,
            queryset=visible_units(access).filter(is_active=True).order_by("path"),
            help_text=_(
                "Ledere ser deres enhed med underenheder; medarbejdere deres egen enhed. "
                "Administratorer og AMO ser hele organisationen."
            ),
        )
        self.order_fields(["email", "full_name", "role", "unit"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("role") in {Role.LEADER, Role.EMPLOYEE} and not data.get("unit"):
            self.add_error("unit", _("Vælg den enhed, rollen gælder for."))
        return data


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("CSV-fil"),
        help_text=_(
            "Enheder: kolonnerne unit_id, name, parent_id (og evt. kind). "
            "Medarbejdere: employee_id, name, unit_id (og evt. email, job_group, "
            "seniority_band). Komma eller semikolon, UTF-8."
        ),
    )
    deactivate_missing = forms.BooleanField(
        label=_("Deaktivér medarbejdere, der ikke står i filen"),
        required=False,
        help_text=_("Kun for medarbejderfiler: brug det, når filen er den fulde liste."),
    )
    content = ""  # the file as text, once valid

    def clean_file(self) -> UploadedFile[bytes]:
        """Text, and a file of units or people: anything else (a picture, an Excel workbook,
        an empty file, other columns) is an error on the form, never a page of line errors."""
        upload: UploadedFile[bytes] = self.cleaned_data["file"]
        content = importing.decode(upload.read())
        problem = importing.file_error(content)
        if problem is not None:
            raise ValidationError(problem)
        self.content = content
        return upload


def _floor_help(kind: MinimumKind) -> str:
    # Interpolated when shown, not at import: "lazy % dict" would fix the language.
    if kind == "sensitive":
        text = gettext(
            "Spørgsmål om krænkende handlinger og vold. Gælder nye målinger. Kan hæves, men "
            "ikke sættes under %(floor)s."
        )
    else:
        text = gettext("Gælder nye målinger. Kan hæves, men ikke sættes under %(floor)s.")
    return text % {"floor": FLOOR_MINIMUM[kind]}


floor_help = lazy(_floor_help, str)


class OrganisationSettingsForm(forms.Form):
    """The organisation's own settings: minimum group sizes, retention, contact, the legal
    basis respondents are told."""

    min_group_score = forms.IntegerField(
        label=_("Mindste antal svar for at vise et resultat"),
        min_value=FLOOR_MINIMUM["score"],
        max_value=50,
        help_text=floor_help("score"),
    )
    min_group_comment = forms.IntegerField(
        label=_("Mindste antal svar for at vise kommentarer"),
        min_value=FLOOR_MINIMUM["comment"],
        max_value=50,
        help_text=floor_help("comment"),
    )
    min_group_sensitive = forms.IntegerField(
        label=_("Mindste antal svar for følsomme spørgsmål"),
        min_value=FLOOR_MINIMUM["sensitive"],
        max_value=50,
        help_text=floor_help("sensitive"),
    )
    response_retention_months = forms.IntegerField(
        label=_("Måneder de enkelte besvarelser gemmes efter lukning"),
        min_value=1,
        max_value=120,
        help_text=_(
            "Derefter slettes besvarelserne; rapporter, handleplaner og APV bevares. "
            "36 måneder svarer til APV'ens cyklus. En længere periode gælder målinger, der "
            "åbnes herefter, for dem, der har svaret, fik den gamle at vide. En kortere "
            "gælder også de målinger, der er åbne eller lukkede."
        ),
    )
    contact_email = forms.EmailField(
        label=_("Kontakt om tilgængelighed og databeskyttelse"),
        required=False,
        help_text=_("Vises i tilgængelighedserklæringen og for dem, der svarer."),
    )
    privacy_legal_basis = forms.CharField(
        label=_("Behandlingsgrundlag i privatlivsoplysningen"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=format_lazy(
            _(
                "Står feltet tomt, ser de, der svarer, standardteksten: «{default}» Aftal en "
                "anden ordlyd med jeres databeskyttelsesrådgiver (DPO)."
            ),
            default=DEFAULT_PRIVACY_LEGAL_BASIS,
        ),
    )
    require_mfa = forms.BooleanField(
        label=_("Kræv totrinsbekræftelse for alle medarbejdere med login"),
        required=False,
        help_text=_(
            "Administratorer, AMO og topledelse logger altid ind med adgangskode og en kode "
            "fra en godkender-app. Sæt kryds for at kræve det af ledere også. Medarbejdere, "
            "der logger ind med et link på e-mail, berøres ikke."
        ),
    )
