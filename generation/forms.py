from __future__ import annotations

from django import forms

from generation.models import MAX_QUESTIONS, Job
from questions.taxonomy import Difficulty, Skill


class JobForm(forms.Form):
    """The new-job form: one source (screenshot, text or skill) and the options."""

    image = forms.FileField(required=False, label="Screenshot")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 8}))
    skill = forms.ChoiceField(required=False, choices=[("", "—"), *Skill.choices])
    difficulty = forms.ChoiceField(choices=Difficulty.choices, initial=Difficulty.MEDIUM)
    kind = forms.ChoiceField(
        choices=[("mcq", "Multiple choice"), ("spr", "Student-produced response")], initial="mcq"
    )
    count = forms.IntegerField(min_value=1, max_value=MAX_QUESTIONS, initial=3)
    target = forms.ChoiceField(choices=Job.Target.choices, initial=Job.Target.SAME)
    instruction = forms.CharField(required=False, max_length=500)
