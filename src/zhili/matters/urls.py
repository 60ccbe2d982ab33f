from django.urls import path

from zhili.matters import catalogue_views, views

app_name = "matters"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("metrics/", views.metrics, name="metrics"),
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
]
