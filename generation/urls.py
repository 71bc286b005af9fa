from __future__ import annotations

from django.urls import path

from generation import views

urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("new/", views.job_new, name="job_new"),
    path("<uuid:public_id>/", views.job_detail, name="job_detail"),
    path("<uuid:public_id>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("<uuid:public_id>/retry/", views.job_retry_view, name="job_retry"),
    path("<uuid:public_id>/screenshot/", views.job_source_image, name="job_source_image"),
    path("<uuid:public_id>/classification/", views.job_reclassify_view, name="job_reclassify"),
    path(
        "<uuid:public_id>/questions/<int:question_id>/revise/",
        views.question_revise_view,
        name="question_revise",
    ),
]
