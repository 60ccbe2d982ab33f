from django.urls import path

from zhili.targets import views

app_name = "targets"
urlpatterns = [
    path("", views.plans, name="plans"),
    path("import/", views.plan_import, name="import"),
    path("template.xlsx", views.template, name="template"),
    path("ranking/", views.ranking_latest, name="ranking_latest"),
    path("late/", views.late_latest, name="late"),
    path("review/", views.review_queue, name="review_queue"),
    path("evidence/<str:sha256>/", views.evidence, name="evidence"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report_submit"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("<int:plan>/", views.table, name="table"),
    path("<int:plan>/export.xlsx", views.export, name="export"),
    path("<int:plan>/c/<int:assignment>/", views.cell, name="cell"),
    path("<int:plan>/c/<int:assignment>/split/", views.share_split, name="split"),
    path("<int:plan>/p/<int:task>/<str:period>/", views.period_cell, name="period_cell"),
    path("<int:plan>/ranking/", views.ranking, name="ranking"),
    path("<int:plan>/scores/<int:pk>/", views.score, name="score"),
    path("<int:plan>/late/", views.late, name="late_plan"),
    path("<int:plan>/negative/", views.negative, name="negative"),
    path(
        "<int:plan>/incidents/<int:pk>/withdraw/", views.incident_withdraw, name="incident_withdraw"
    ),
    path("<int:plan>/rule/", views.rule, name="rule"),
    path("<int:plan>/tasks/<int:pk>/", views.task, name="task"),
    path("<int:plan>/tasks/<int:pk>/assign/", views.assign, name="assign"),
    path("<int:plan>/assignments/<int:pk>/remove/", views.unassign, name="unassign"),
]
