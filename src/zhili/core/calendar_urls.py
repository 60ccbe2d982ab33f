from django.urls import path

from zhili.core import calendar_views

urlpatterns = [path("", calendar_views.calendar_page, name="calendar")]
