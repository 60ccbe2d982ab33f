from django.urls import path

from zhili.core import inbox_views

urlpatterns = [
    path("", inbox_views.inbox_list, name="inbox"),
    path("read-all/", inbox_views.inbox_read_all, name="inbox_read_all"),
    path("<int:notice_id>/", inbox_views.inbox_open, name="inbox_open"),
    path("<int:notice_id>/read/", inbox_views.inbox_read, name="inbox_read"),
]
