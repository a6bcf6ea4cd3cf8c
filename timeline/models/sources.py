"""Sources: the articles, their text in seeds/, and how far each can be trusted."""

from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from timeline.corpus.dates import DatePrecision, format_partial_date
from timeline.corpus.seeds import read_seed, text_sha256, validate_seed_name
from timeline.models.common import DATE, LINE, TEXT, SlugManager


class Source(models.Model):
    class Quality(models.TextChoices):
        STANDARD = "standard", "Standard news report"
        MACHINE_REWORDED = "machine_reworded", "Machine-reworded copy"
        SPECULATIVE = "speculative", "Speculative writing"

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=300, validators=LINE)
    outlet = models.CharField(
        max_length=200, blank=True, validators=LINE, help_text="Only if the article itself names its publisher."
    )
    published = models.DateField(null=True, blank=True, validators=DATE)
    published_precision = models.CharField(max_length=8, choices=DatePrecision.choices, default=DatePrecision.UNKNOWN)
    published_note = models.TextField(blank=True, validators=TEXT, help_text="How the publication date was derived.")
    seed_file = models.CharField(
        max_length=100,
        blank=True,
        validators=[validate_seed_name],
        help_text="Its file in seeds/. Blank for an article added in the admin until export_timeline writes it.",
    )
    quality = models.CharField(max_length=20, choices=Quality.choices, default=Quality.STANDARD)
    quality_note = models.TextField(blank=True, validators=TEXT)
    text = models.TextField(editable=False, help_text="The article as written (from seeds/, or pasted in the admin).")
    sha256 = models.CharField(
        max_length=64,
        blank=True,
        default="",
        editable=False,
        help_text="SHA-256 of the article's UTF-8 bytes; set on save.",
    )

    objects = SlugManager()
    natural_key_fields = ("slug",)
    fixture_exclude = ("text",)

    history = HistoricalRecords(excluded_fields=["text"])

    class Meta:
        ordering = ["seed_file"]
        constraints = [
            models.UniqueConstraint(
                fields=["seed_file"], condition=~models.Q(seed_file=""), name="source_seed_file_unique"
            )
        ]

    def __str__(self):
        return self.title

    def natural_key(self):
        return (self.slug,)

    def get_absolute_url(self):
        return reverse("source_detail", args=[self.slug])

    @property
    def published_display(self):
        return format_partial_date(self.published, self.published_precision)

    def save(self, *args, **kwargs):
        """Keep sha256 in step with the text, and refuse to change the text of a cited article."""
        digest = text_sha256(self.text)
        if digest != self.sha256:
            if self.pk is not None and self.text_is_locked():
                raise TextLocked(
                    f"the text of {self.title!r} is cited, so it cannot change; "
                    "add a corrected article as a new source."
                )
            self.sha256 = digest
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "sha256"}
        super().save(*args, **kwargs)

    def text_is_locked(self):
        """True when the stored text is loaded (not blank) and something cites it."""
        stored = Source.objects.filter(pk=self.pk).values_list("text", flat=True).first()
        return bool(stored) and stored != self.text and self.citations.exists()

    def read_seed(self):
        """The article as it is in seeds/ (see timeline.corpus.seeds for what may be read)."""
        return read_seed(self.seed_file)

    def clean(self):
        if self.published is None and self.published_precision != DatePrecision.UNKNOWN:
            raise ValidationError({"published_precision": "A source without a date has precision 'unknown'."})
        if self.published is not None and self.published_precision == DatePrecision.UNKNOWN:
            raise ValidationError({"published_precision": "A dated source needs a day, month or year precision."})


class TextLocked(Exception):
    """An attempt to change the text of an article that something cites."""
