from django.urls import include, path

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    # The read-only API and its OpenAPI document (tryghed.api, docs/api.md).
    path("api/v1/", include("tryghed.api.urls")),
    path("konto/", include("tryghed.accounts.urls")),
    path("konto/", include("tryghed.accounts.allauth_urls")),
    path("s/", include("tryghed.surveys.urls")),
    path("o/<slug:org>/maalinger/", include("tryghed.surveys.admin_urls")),
    path("o/<slug:org>/rapporter/", include("tryghed.results.urls")),
    path("o/<slug:org>/handleplaner/", include("tryghed.actions.urls")),
    path("o/<slug:org>/apv/", include("tryghed.apv.urls")),
    path("o/<slug:org>/sig-det/", include("tryghed.voice.urls")),
    path("o/<slug:org>/laering/", include("tryghed.learning.urls")),
    path("o/<slug:org>/moedekit/", include("tryghed.kits.urls")),
    path("o/<slug:org>/dialog/", include("tryghed.dialogue.urls")),
    path("d/", include("tryghed.dialogue.phone_urls")),
    path("o/<slug:org>/", include("tryghed.orgs.urls")),
    path("", include("tryghed.web.urls")),
]
