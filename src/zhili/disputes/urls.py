from django.urls import path

from zhili.disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.create, name="create"),
    path("stats/", views.stats, name="stats"),
    path("<str:number>/", views.detail, name="detail"),
    path("<str:number>/personal/", views.reveal, name="reveal"),
    path("<str:number>/agreement/", views.agreement, name="agreement"),
]
