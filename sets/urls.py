from __future__ import annotations

from django.urls import path

from sets import views

app_name = "sets"

urlpatterns = [
    path("", views.set_list, name="list"),
    path("add/", views.set_add_view, name="add"),
    path("<int:set_id>/", views.set_detail, name="detail"),
    path("<int:set_id>/rename/", views.set_rename_view, name="rename"),
    path("<int:set_id>/delete/", views.set_delete_view, name="delete"),
    path("<int:set_id>/print/", views.set_print, name="print"),
    path("<int:set_id>/export.json", views.set_export_json_view, name="export_json"),
    path("<int:set_id>/export.csv", views.set_export_csv_view, name="export_csv"),
    path("<int:set_id>/items/<int:item_id>/remove/", views.item_remove_view, name="item_remove"),
    path("<int:set_id>/items/<int:item_id>/move/", views.item_move_view, name="item_move"),
]
