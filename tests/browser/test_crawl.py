"""The crawl's own guarantees: a page the crawl cannot reach is an error, not a silent pass."""

from __future__ import annotations

import pytest
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path
from django.urls.resolvers import RoutePattern

from tests.browser import crawl


def _view(request: HttpRequest, **kwargs: object) -> HttpResponse:
    return HttpResponse()


def _urlconf(*patterns: URLPattern | URLResolver) -> URLResolver:
    return URLResolver(RoutePattern(""), list(patterns))


def test_a_new_page_with_an_unknown_path_parameter_fails_the_crawl() -> None:
    resolver = _urlconf(path("o/<slug:org>/ting/<int:widget_id>/", _view, name="widget"))
    with pytest.raises(crawl.CrawlConfigurationError) as error:
        crawl.targets({"org": "testkommune"}, resolver)
    assert "'widget' (o/<slug:org>/ting/<int:widget_id>/)" in str(error.value)
    assert "widget_id" in str(error.value) and "path_values()" in str(error.value)


def test_a_parameter_that_means_different_things_needs_a_value_per_url() -> None:
    resolver = _urlconf(path("s/<str:token>/", _view, name="start"))
    with pytest.raises(crawl.CrawlConfigurationError, match="token"):
        crawl.targets({"token": {"accounts:password_reset_confirm": "abc"}}, resolver)


def test_an_unnamed_page_fails_the_crawl() -> None:
    with pytest.raises(crawl.CrawlConfigurationError, match="has no name"):
        crawl.targets({}, _urlconf(path("hemmelig/", _view)))


def test_the_crawl_finds_every_page_of_the_project_with_its_parameters() -> None:
    routes = {route.name: route for route in crawl.routes()}
    assert routes["orgs:unit_detail"].parameters == ("org", "unit_id")
    assert routes["accounts:password_reset_confirm"].parameters == ("uidb64", "token")
    assert "web:health" in routes and "set_language" in routes  # found, then skipped by name
