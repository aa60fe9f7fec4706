"""Employers enter records for their staff: who entered a record, and sheet imports.

No code wrote ``source = employer`` before this migration, so the new check constraint
(an employer-entered record names its organisation) holds for every existing row.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0008_audit_changes'),
        ('credits', '0010_routes_deadlines'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='record',
            name='entered_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='entered by'),
        ),
        migrations.AddField(
            model_name='record',
            name='entered_by_organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='accounts.organisation', verbose_name='entered by organisation'),
        ),
        migrations.CreateModel(
            name='ImportJob',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('original_name', models.CharField(blank=True, max_length=255, verbose_name='file name')),
                ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'XLSX')], max_length=4, verbose_name='format')),
                ('content', models.BinaryField(verbose_name='content')),
                ('total', models.PositiveIntegerField(default=0, verbose_name='rows')),
                ('done', models.PositiveIntegerField(default=0, verbose_name='rows checked')),
                ('created', models.PositiveIntegerField(default=0, verbose_name='records created')),
                ('status', models.CharField(choices=[('queued', 'Queued'), ('running', 'Running'), ('finished', 'Finished'), ('rejected', 'Rows with errors'), ('failed', 'Failed')], default='queued', max_length=10, verbose_name='status')),
                ('errors', models.JSONField(blank=True, default=list, verbose_name='errors')),
                ('error_count', models.PositiveIntegerField(default=0, verbose_name='errors found')),
                ('error', models.TextField(blank=True, verbose_name='error')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='finished at')),
                ('employer', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='import_jobs', to='accounts.employer', verbose_name='employer')),
                ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='uploaded by')),
            ],
            options={
                'verbose_name': 'record import',
                'verbose_name_plural': 'record imports',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='record',
            name='import_job',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='records', to='credits.importjob', verbose_name='import'),
        ),
        migrations.AddConstraint(
            model_name='record',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('entered_by_organisation__isnull', False), ('source', 'employer')), models.Q(models.Q(('source', 'employer'), _negated=True), ('entered_by_organisation__isnull', True)), _connector='OR'), name='credits_record_employer_entry_has_organisation', violation_error_message='A record entered by an employer names the employer.'),
        ),
        migrations.AddIndex(
            model_name='importjob',
            index=models.Index(fields=['employer', '-created_at', '-id'], name='credits_import_recent'),
        ),
        migrations.AddConstraint(
            model_name='importjob',
            constraint=models.CheckConstraint(condition=models.Q(('done__lte', models.F('total'))), name='credits_importjob_done_not_over_total'),
        ),
    ]
