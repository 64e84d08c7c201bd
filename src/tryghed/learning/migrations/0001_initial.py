"""The learning log's tables; on SQLite the entry table becomes ``WITHOUT ROWID``.

A rowid would number entries in the order they were written, and so tell which anonymous
entry came just after a named one or a sign-in (privacy.md section 1). Django rebuilds a
SQLite table for many schema changes and the rebuilt table has a rowid again:
``tests/privacy/test_learning_attack.py`` watches ``sqlite_master``; a later migration that
rebuilds the table must call ``without_rowid`` again.
"""

import uuid

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from tryghed.unordered_tables import without_rowid


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('actions', '0002_evaluation_reminders'),
        ('orgs', '0004_require_mfa'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='Review',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('reviewed_on', models.DateField()),
                ('reviewed_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.unit')),
            ],
            options={
                'verbose_name': 'gennemgang af læringsloggen',
                'verbose_name_plural': 'gennemgange af læringsloggen',
                'ordering': ['unit', '-reviewed_on', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Entry',
            fields=[
                ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                ('kind', models.CharField(blank=True, choices=[('basic', 'Basal fejl'), ('complex', 'Kompleks fejl'), ('intelligent', 'Intelligent fejl')], max_length=20)),
                ('what_happened', models.TextField(max_length=2000)),
                ('lesson', models.TextField(blank=True, max_length=2000)),
                ('author_name', models.CharField(blank=True, max_length=200)),
                ('written_on', models.DateField()),
                ('reviewed_on', models.DateField(blank=True, null=True)),
                ('forwarded_on', models.DateField(blank=True, null=True)),
                ('action', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='actions.action')),
                ('author', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('organisation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orgs.organisation')),
                ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orgs.unit')),
            ],
            options={
                'verbose_name': 'situation i læringsloggen',
                'verbose_name_plural': 'situationer i læringsloggen',
                'constraints': [models.CheckConstraint(condition=models.Q(('author__isnull', True), models.Q(('author_name', ''), _negated=True), _connector='OR'), name='learning_entry_author_has_name')],
            },
        ),
        migrations.RunPython(without_rowid("learning_entry"), migrations.RunPython.noop),
    ]
