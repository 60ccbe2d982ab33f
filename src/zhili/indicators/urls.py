from django.urls import path

from zhili.indicators import views

app_name = "indicators"
urlpatterns = [
    path("", views.values, name="values"),
    path("template.xlsx", views.values_template, name="values_template"),
    path("values/<int:pk>/", views.value_detail, name="value_detail"),
    path("survey/", views.survey, name="survey"),
    path("creation/", views.creation, name="creation"),
    path("survey/<int:pk>/import/", views.wave_import, name="wave_import"),
]
