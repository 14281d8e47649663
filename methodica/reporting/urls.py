from django.urls import path

from methodica.reporting import (
    analysis_views,
    design_views,
    history_views,
    output_views,
    version_views,
    views,
)

app_name = "reporting"
urlpatterns = [
    path("", views.reports_home, name="home"),
    path("history/", history_views.history_upload, name="history_upload"),
    path(
        "history/<int:pk>/mapping/",
        history_views.history_mapping,
        name="history_mapping",
    ),
    path(
        "history/<int:pk>/preview/",
        history_views.history_preview,
        name="history_preview",
    ),
    path("history/<int:pk>/apply/", history_views.history_apply, name="history_apply"),
    path("forms/", design_views.form_list, name="design_forms"),
    path("forms/default/", design_views.form_default, name="design_default"),
    path("forms/<int:pk>/", design_views.form_detail, name="design_form"),
    path("forms/<int:pk>/publish/", design_views.form_publish, name="design_publish"),
    path(
        "forms/<int:pk>/sections/new/",
        design_views.section_edit,
        name="design_section_new",
    ),
    path(
        "forms/<int:pk>/sections/<int:section_pk>/",
        design_views.section_edit,
        name="design_section",
    ),
    path(
        "forms/<int:pk>/indicators/new/",
        design_views.indicator_edit,
        name="design_indicator_new",
    ),
    path(
        "forms/<int:pk>/indicators/<int:indicator_pk>/",
        design_views.indicator_edit,
        name="design_indicator",
    ),
    path("forms/<int:pk>/rules/new/", design_views.rule_edit, name="design_rule_new"),
    path(
        "forms/<int:pk>/rules/check/",
        design_views.rule_check,
        name="design_rule_check",
    ),
    path(
        "forms/<int:pk>/rules/<int:rule_pk>/",
        design_views.rule_edit,
        name="design_rule",
    ),
    path(
        "forms/<int:pk>/<str:kind>/<int:item_pk>/action/",
        design_views.item_action,
        name="design_action",
    ),
    path(
        "campaigns/<int:pk>/thresholds/",
        design_views.campaign_thresholds,
        name="thresholds",
    ),
    path("campaigns/<int:pk>/", views.campaign_board, name="board"),
    path(
        "campaigns/<int:pk>/consolidation/",
        analysis_views.consolidation,
        name="consolidation",
    ),
    path(
        "campaigns/<int:pk>/consolidation.xlsx",
        analysis_views.consolidation_xlsx_view,
        name="consolidation_xlsx",
    ),
    path(
        "campaigns/<int:pk>/consolidation.csv",
        analysis_views.consolidation_csv_view,
        name="consolidation_csv",
    ),
    path(
        "campaigns/<int:pk>/consolidation.pdf",
        output_views.consolidation_pdf_view,
        name="consolidation_pdf",
    ),
    path(
        "campaigns/<int:pk>/consolidation/map.geojson",
        analysis_views.consolidation_map,
        name="consolidation_map",
    ),
    path("campaigns/<int:pk>/upload/", views.campaign_upload, name="campaign_upload"),
    path("campaigns/<int:pk>/remind/", views.campaign_remind, name="campaign_remind"),
    path("campaigns/<int:pk>/close/", views.campaign_close, name="campaign_close"),
    path("<int:pk>/", views.report_detail, name="report"),
    path("<int:pk>/history/", version_views.report_history, name="report_history"),
    path("<int:pk>/template.xlsx", views.report_template, name="template"),
    path("<int:pk>/template/", views.report_template_upload, name="template_upload"),
    path("<int:pk>/submit/", views.report_submit, name="submit"),
    path("<int:pk>/review/", views.report_review, name="review"),
    path("<int:pk>/reopen/", views.report_reopen, name="reopen"),
    path("<int:pk>/late/", views.report_allow_late, name="allow_late"),
]

# Public, mounted at /open-data/ (methodica/urls.py), in their own namespace.
open_data_urlpatterns = (
    [
        path("", output_views.open_data_page, name="index"),
        path(
            "<str:district>/<int:year>/<str:name>",
            output_views.open_data_file,
            name="file",
        ),
    ],
    "open_data",
)
