"""Pages for residents, without login (mounted at /public/)."""

from django.urls import path

from zhili.matters import public_views

app_name = "public"
urlpatterns = [
    path("report/", public_views.public_report, name="report"),
    path("report/done/", public_views.public_report_done, name="report_done"),
    path("lookup/", public_views.public_lookup, name="lookup"),
    path("lookup/rate/", public_views.public_rate, name="rate"),
    path("category-fields/", public_views.category_fields, name="category_fields"),
    path("areas/options/", public_views.area_options, name="area_options"),
]
