from django.urls import path

from methodica.heritage import batch_views

urlpatterns = [
    path("batches/", batch_views.batch_list, name="batches"),
    path("batches/new/", batch_views.batch_new, name="batch_new"),
    path("batches/<int:pk>/", batch_views.batch_detail, name="batch"),
    path(
        "batches/<int:pk>/progress/", batch_views.batch_progress, name="batch_progress"
    ),
    path("batches/<int:pk>/run/", batch_views.batch_run, name="batch_run"),
    path(
        "batches/<int:pk>/roll-back/",
        batch_views.batch_roll_back,
        name="batch_roll_back",
    ),
]
