from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_is_the_new_job_form(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("tutor"))
    page = client.get("/").content.decode()
    assert "New SAT practice questions" in page
    assert 'name="image"' in page and 'name="text"' in page and 'name="skill"' in page
