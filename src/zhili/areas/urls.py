from django.urls import path

from zhili.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("import/", views.import_areas, name="import"),
    path("import/template.xlsx", views.import_template, name="import_template"),
    path("boundaries/", views.boundaries, name="boundaries"),
    path("boundaries/template.xlsx", views.boundary_template, name="boundary_template"),
    path("boundaries.geojson", views.boundaries_geojson, name="boundaries_geojson"),
    path("locate/", views.locate, name="locate"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/children/", views.children, name="children"),
    path("<str:code>/new/", views.create_child, name="create_child"),
    path("<str:code>/edit/", views.edit, name="edit"),
]
