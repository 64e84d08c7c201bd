"""Seal the single sign-on client secrets stored in clear before accounts/sealing.py."""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

from tryghed.accounts import sealing


def seal_client_secrets(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    social_app = apps.get_model("socialaccount", "SocialApp")
    for app in social_app.objects.filter(provider="openid_connect").exclude(secret=""):
        if not sealing.is_sealed(app.secret):
            app.secret = sealing.seal(app.secret, sealing.SSO_CLIENT_SECRET)
            app.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_signin_link"),
        ("socialaccount", "0006_alter_socialaccount_extra_data"),
    ]

    operations = [migrations.RunPython(seal_client_secrets, migrations.RunPython.noop)]
