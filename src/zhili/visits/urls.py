from django.urls import path

from zhili.visits import views

app_name = "visits"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("plans/", views.plans, name="plans"),
    path("plans/<int:pk>/", views.plan, name="plan"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.bulletin_xlsx, name="report_xlsx"),
    path("liaisons/", views.liaisons, name="liaisons"),
    path("<int:pk>/", views.detail, name="detail"),
]
