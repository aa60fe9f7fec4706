"""Decision 0020: an approved in-house plan now comes only from a class of an authority-approved
employer plan.  A box a person (or an employer's sheet) ticked before is not such a plan: on
records still open (draft, submitted, returned) it is cleared, so they count as elective when
decided; records already decided (approved, rejected, revoked) keep it as history, because
their certificates were issued under the rule of the time."""

from django.db import migrations

OPEN = ("draft", "submitted", "returned")


def clear_ticked(apps, schema_editor):  # type: ignore[no-untyped-def]
    Record = apps.get_model("credits", "Record")
    Record.objects.filter(approved_plan=True, status__in=OPEN).exclude(
        source="institution_class"
    ).update(approved_plan=False)


class Migration(migrations.Migration):
    dependencies = [("credits", "0013_summary_constraints")]

    operations = [migrations.RunPython(clear_ticked, migrations.RunPython.noop)]
