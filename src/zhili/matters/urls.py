from django.urls import path

from zhili.matters import views

app_name = "matters"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("metrics/", views.metrics, name="metrics"),
    path("categories/", views.categories, name="categories"),
    path("<str:number>/", views.detail, name="detail"),
]
