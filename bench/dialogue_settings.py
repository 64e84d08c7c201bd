"""Settings for bench_dialogue: the product's settings and URLs, plus one bare view."""

from tryghed.settings import *  # noqa: F403

ROOT_URLCONF = "dialogue_urls"
