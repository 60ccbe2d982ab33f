from django.urls import path

from zhili.core import tunables_views

urlpatterns = [path("", tunables_views.tunables_page, name="tunables")]
