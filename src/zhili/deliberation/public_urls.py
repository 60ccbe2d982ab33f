"""村务公开 without login (mounted at /public/notices/)."""

from django.urls import path

from zhili.deliberation import views

app_name = "deliberation_public"
urlpatterns = [
    path("", views.public_list, name="list"),
    path("projects/<str:number>/", views.public_item, name="project"),
    path("<str:number>/", views.public_item, name="item"),
]
