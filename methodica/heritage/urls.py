from django.urls import include, path

from methodica.heritage import views

app_name = "heritage"

urlpatterns = [
    path("", views.item_list, name="items"),
    path("items/new/", views.item_new, name="item_new"),
    path("items/<int:pk>/", views.item_detail, name="item"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("items/<int:pk>/upload/", views.item_upload, name="item_upload"),
    path("items/<int:pk>/delete/", views.item_delete, name="item_delete"),
    path("items/<int:pk>/bag.zip", views.item_bag, name="item_bag"),
    path("collections/", views.collection_list, name="collections"),
    path("collections/new/", views.collection_form, name="collection_new"),
    path("collections/<int:pk>/edit/", views.collection_form, name="collection_edit"),
    path("collections/<int:pk>/bag.zip", views.collection_bag, name="collection_bag"),
    path("preservation/", views.preservation, name="preservation"),
    path("", include("methodica.heritage.batch_urls")),
    path("", include("methodica.heritage.search_urls")),
    path("", include("methodica.heritage.portal_urls")),
    path("", include("methodica.heritage.text_urls")),
]
