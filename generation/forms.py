from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings

from generation.models import MAX_QUESTIONS, Job
from questions.taxonomy import Difficulty, Skill
from questions.textinput import text_validator

IMAGE_TYPES = ("image/png", "image/jpeg", "image/webp", "image/gif")  # what extract takes


class JobForm(forms.Form):
    """The new-job form: one source (screenshot, text or skill) and the options."""

    image = forms.FileField(
        required=False,
        label="Screenshot",
        widget=forms.ClearableFileInput(
            attrs={"accept": ", ".join(IMAGE_TYPES), "aria-describedby": "dropzone-help"}
        ),
    )
    text = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 8}), validators=[text_validator]
    )
    skill = forms.ChoiceField(required=False, choices=[("", "—"), *Skill.choices])
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.MEDIUM)
    kind = forms.ChoiceField(
        choices=[("mcq", "Multiple choice"), ("spr", "Student-produced response")], initial="mcq"
    )
    count = forms.IntegerField(min_value=1, max_value=MAX_QUESTIONS, initial=3)
    target = forms.ChoiceField(choices=Job.Target.choices, initial=Job.Target.SAME)
    instruction = forms.CharField(required=False, max_length=500, validators=[text_validator])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The page refuses a file over the limit before uploading it (static/js/newjob.js).
        self.fields["image"].widget.attrs["data-max-bytes"] = settings.UPLOAD_MAX_BYTES

    @property
    def max_upload_mb(self) -> str:
        return f"{settings.UPLOAD_MAX_BYTES / 2**20:.0f}"
