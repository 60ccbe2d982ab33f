from django.urls import path

from zhili.core import exports_views

app_name = "exports"
urlpatterns = [
    path("<int:pk>/", exports_views.detail, name="detail"),
    path("<int:pk>/download/", exports_views.download, name="download"),
]
