from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("surveys", "0002_retention"),
    ]

    operations = [
        migrations.AddField(
            model_name="measurement",
            name="frozen_tree",
            field=models.JSONField(blank=True, default=None, null=True),
        ),
    ]
