"""Settings for bench_submit's baseline: the product's settings, with one bare insert view.

The same database settings, middleware and gunicorn as the respondent's pages, so the
baseline is what Django itself costs per request on this machine in the same run.
"""

from tryghed.settings import *  # noqa: F403

ROOT_URLCONF = "bare_urls"
