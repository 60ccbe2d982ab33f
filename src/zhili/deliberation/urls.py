from django.urls import path

from zhili.deliberation import views

app_name = "deliberation"
urlpatterns = [
    path("", views.deliberation_list, name="list"),
    path("new/", views.deliberation_create, name="create"),
    path("projects/", views.project_list, name="projects"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<str:number>/", views.project_detail, name="project"),
    path("projects/<str:number>/personal/", views.project_personal, name="project_personal"),
    path("<str:number>/", views.deliberation_detail, name="detail"),
    path("<str:number>/signatures/<int:pk>/", views.signatures, name="signatures"),
]
