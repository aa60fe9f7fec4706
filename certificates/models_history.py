"""History before 2019 (历史证书/历史记录): certificates and CE records of the old city system,
imported from CSV (``manage.py history_import``), shown read-only and marked as such.

Rows are keyed by the old system's own identifiers (the certificate number, the record id),
so importing the same file again adds nothing.  They belong to a person by ID number (the
old system had no portal accounts); a person who registers later sees theirs at once.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

LAST_HISTORIC_YEAR = 2018  # 2019 and later: the provincial system (004 policy #12-#14)


class HistoricCertificate(models.Model):
    number = models.CharField(_("certificate number"), max_length=40, unique=True)
    id_number = models.CharField(_("ID number"), max_length=18, db_index=True)
    person_name = models.CharField(_("name"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"))
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    public_hours = models.DecimalField(_("public hours"), max_digits=6, decimal_places=1)
    professional_hours = models.DecimalField(
        _("professional hours"), max_digits=6, decimal_places=1
    )
    elective_hours = models.DecimalField(_("elective hours"), max_digits=6, decimal_places=1)
    issued_on = models.DateField(_("issued on"))
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "number"]
        verbose_name = _("historic certificate")
        verbose_name_plural = _("historic certificates")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__lte=LAST_HISTORIC_YEAR),
                name="certificates_historic_cert_before_2019",
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def total_hours(self) -> object:
        return self.public_hours + self.professional_hours + self.elective_hours


class HistoricRecord(models.Model):
    class Category(models.TextChoices):
        PUBLIC = "public", _("Public")
        PROFESSIONAL = "professional", _("Professional")
        ELECTIVE = "elective", _("Elective")

    legacy_id = models.CharField(_("record id in the old system"), max_length=40, unique=True)
    id_number = models.CharField(_("ID number"), max_length=18, db_index=True)
    person_name = models.CharField(_("name"), max_length=50)
    year = models.PositiveSmallIntegerField(_("year"))
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    title = models.CharField(_("title"), max_length=200)
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=1)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    institution_name = models.CharField(_("institution"), max_length=120, blank=True)
    employer_name = models.CharField(_("employer"), max_length=120, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)

    class Meta:
        ordering = ["-year", "-start_date", "legacy_id"]
        verbose_name = _("historic record")
        verbose_name_plural = _("historic records")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(year__lte=LAST_HISTORIC_YEAR),
                name="certificates_historic_record_before_2019",
            )
        ]

    def __str__(self) -> str:
        return self.legacy_id
