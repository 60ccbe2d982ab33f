from django.urls import path

from zhili.matters import catalogue_views, intake_views, metrics_views, views

app_name = "matters"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.xlsx", views.queue_export, name="queue_export"),
    path("export/background/", views.queue_export_background, name="queue_export_background"),
    path("new/", intake_views.new, name="new"),
    path("report/", intake_views.report, name="report"),
    path("report/done/<str:number>/", intake_views.report_done, name="report_done"),
    path("areas/options/", intake_views.area_options, name="area_options"),
    path("files/<str:sha256>/", views.attachment, name="attachment"),
    path("files/<str:sha256>/thumb/", views.attachment, {"thumb": True}, name="thumbnail"),
    path("metrics/", metrics_views.metrics, name="metrics"),
    path("metrics/export.xlsx", metrics_views.metrics_export, name="metrics_export"),
    path("categories/", catalogue_views.categories, name="categories"),
    path("categories/new/", catalogue_views.category_create, name="category_create"),
    path("categories/rules/", catalogue_views.category_rules, name="category_rules"),
    path(
        "categories/rules/<int:pk>/delete/",
        catalogue_views.category_rule_delete,
        name="category_rule_delete",
    ),
    path("categories/export.xlsx", catalogue_views.catalogue_export, name="catalogue_export"),
    path("categories/import/", catalogue_views.catalogue_import, name="catalogue_import"),
    path("categories/<slug:code>/", catalogue_views.category_edit, name="category_edit"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/act/<str:action>/", views.act, name="act"),
    path("<str:number>/form/<str:action>/", views.action_form, name="action_form"),
    path("<str:number>/personal/", views.reveal, name="reveal"),
    path("<str:number>/file/", views.case_file, name="case_file"),
]
