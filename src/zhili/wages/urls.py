from django.urls import path

from zhili.wages import views

app_name = "wages"
urlpatterns = [
    path("", views.projects, name="projects"),
    path("projects.xlsx", views.projects_export, name="projects_export"),
    path("new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("templates/<str:kind>.xlsx", views.import_template, name="template"),
    path("warnings/", views.warnings, name="warnings"),
    path("warnings.xlsx", views.warnings_export, name="warnings_export"),
    path("warnings/<int:pk>/", views.warning, name="warning"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard.xlsx", views.dashboard_export, name="dashboard_export"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("interviews/", views.interviews, name="interviews"),
    path("rules/", views.rules, name="rules"),
    path("minimum-wage/", views.minimum_wage, name="minimum_wage"),
    path("rules/<str:code>/", views.rule_edit, name="rule_edit"),
]
