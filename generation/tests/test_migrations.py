"""Migrations that move data: run them forward on a real database and look at the result."""

from __future__ import annotations

import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.state import StateApps
from PIL import Image

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("generation", "0002_error_detail_and_richer_ledger")]
AFTER = [("generation", "0003_source_image_in_the_database")]


def _migrate(targets: list[tuple[str, str]]) -> StateApps:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def _png(width: int, height: int) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "white").save(buffer, "PNG")
    return buffer.getvalue()


def test_screenshot_files_move_into_the_database(settings, tmp_path, django_user_model):
    settings.MEDIA_ROOT = tmp_path
    try:
        old = _migrate(BEFORE)
        Job = old.get_model("generation", "Job")
        owner = old.get_model("auth", "User").objects.create(username="tutor")
        kept = Job(owner_id=owner.pk, origin="image", image_media_type="image/png")
        kept.image.save("source.png", ContentFile(_png(40, 30)), save=False)
        kept.upload.save("my question.png", ContentFile(b"the original bytes"), save=False)
        kept.save()
        lost = Job.objects.create(owner_id=owner.pk, origin="image", image="normalised/gone.png")
        text = Job.objects.create(owner_id=owner.pk, origin="text", source_text="What is x?")

        new = _migrate(AFTER)
        SourceImage = new.get_model("generation", "SourceImage")
        stored = SourceImage.objects.get(job_id=kept.pk)
        assert bytes(stored.data) == _png(40, 30)
        assert (stored.media_type, stored.width, stored.height) == ("image/png", 40, 30)
        assert (bytes(stored.original), stored.original_name) == (
            b"the original bytes",
            "my_question.png",  # as the storage saved it
        )
        # A file on another pod's disk cannot be copied: that job keeps its row, without one.
        assert not SourceImage.objects.filter(job_id__in=[lost.pk, text.pk]).exists()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
