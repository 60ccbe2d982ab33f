from django.urls import path

from zhili.risks import views

app_name = "risks"
urlpatterns = [
    path("", views.register, name="register"),
    path("map/", views.risk_map, name="map"),
    path("map.json", views.map_data, name="map_data"),
    path("queue/", views.queue, name="queue"),
    path("settings/", views.risk_settings, name="settings"),
    path("new/", views.create, name="create"),
    path("candidates/", views.candidates, name="candidates"),
    path("candidates/<int:pk>/dismiss/", views.candidate_dismiss, name="candidate_dismiss"),
    path("<str:number>/", views.detail, name="detail"),
]
