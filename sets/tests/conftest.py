from __future__ import annotations

import pytest

from generation.tests.builders import make_job, make_user


@pytest.fixture
def tutor(db):
    return make_user("tutor")


@pytest.fixture
def other_tutor(db):
    return make_user("other-tutor")


@pytest.fixture
def job(tutor):
    return make_job(count=5, owner=tutor)


@pytest.fixture
def other_job(other_tutor):
    return make_job(count=1, owner=other_tutor)


@pytest.fixture
def tutor_client(client, tutor):
    client.force_login(tutor)
    return client


@pytest.fixture
def other_client(django_user_model, other_tutor):
    from django.test import Client

    client = Client()
    client.force_login(other_tutor)
    return client
