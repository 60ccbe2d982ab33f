from django.urls import path

from zhili.cockpit import views

app_name = "cockpit"
urlpatterns = [
    path("", views.home, name="home"),
    path("data.json", views.data_json, name="data"),
    path("screen/", views.screen, name="screen"),
    path("reports/", views.report_request, name="report_request"),
    path("reports/<int:pk>.xlsx", views.report_xlsx, name="report_xlsx"),
    path("reports/<int:pk>.pdf", views.report_pdf, name="report_pdf"),
    path("reports/<int:pk>/print/", views.report_print, name="report_print"),
    path("cameras/", views.cameras, name="cameras"),
    path("cameras/<int:pk>/status/", views.camera_status, name="camera_status"),
]
