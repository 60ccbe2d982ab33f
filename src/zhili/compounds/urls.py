from django.urls import path

from zhili.compounds import views

app_name = "compounds"
urlpatterns = [
    path("", views.compound_list, name="list"),
    path("new/", views.compound_create, name="create"),
    path("meetings/", views.meetings, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("<int:pk>/", views.compound_detail, name="detail"),
    path("<int:pk>/meetings/new/", views.meeting_create, name="meeting_create"),
]
