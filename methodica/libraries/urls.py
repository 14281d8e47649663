from django.urls import path, re_path

from methodica.libraries import import_views, views

app_name = "libraries"
urlpatterns = [
    path("", views.library_list, name="list"),
    path("map/", views.library_map, name="map"),
    path("map/libraries.geojson", views.library_geojson, name="geojson"),
    path("new/", views.library_create, name="create"),
    re_path(r"^export\.(?P<fmt>csv|xlsx)$", views.library_export, name="export"),
    path("import/", import_views.import_upload, name="import_upload"),
    path(
        "import/<int:pk>/mapping/", import_views.import_mapping, name="import_mapping"
    ),
    path(
        "import/<int:pk>/preview/", import_views.import_preview, name="import_preview"
    ),
    path("import/<int:pk>/apply/", import_views.import_apply, name="import_apply"),
    path("<int:pk>/", views.library_detail, name="detail"),
    path("<int:pk>/edit/", views.library_edit, name="edit"),
    path("<int:pk>/status/", views.library_status, name="status"),
    path("<int:pk>/history/", views.library_history, name="history"),
    path("<int:pk>/staff/new/", views.staff_edit, name="staff_add"),
    path("<int:pk>/staff/<int:staff_pk>/", views.staff_edit, name="staff_edit"),
    path(
        "<int:pk>/staff/<int:staff_pk>/delete/", views.staff_delete, name="staff_delete"
    ),
]
