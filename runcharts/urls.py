from django.urls import path

from runcharts import views

app_name = "runcharts"

urlpatterns = [
    path("new/", views.measure_create, name="measure_create"),
    path("initiatives/<int:initiative_pk>/new/", views.measure_create, name="measure_create_for"),
    path("<int:pk>/", views.measure_detail, name="measure_detail"),
    path("<int:pk>/edit/", views.measure_edit, name="measure_edit"),
    path("<int:pk>/data/", views.data_entry, name="data_entry"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/upload/preview/", views.upload_preview, name="upload_preview"),
    path("<int:pk>/upload/template.<str:fmt>", views.upload_template, name="upload_template"),
    path("<int:pk>/chart.<str:fmt>", views.chart, name="chart"),
    path("<int:pk>/data.csv", views.data_csv, name="data_csv"),
    path("<int:pk>/rephases/new/", views.rephase_add, name="rephase_add"),
    path("<int:pk>/rephases/<int:rephase_pk>/remove/", views.rephase_remove, name="rephase_remove"),
    path("<int:pk>/notes/new/", views.annotation_add, name="annotation_add"),
    path("<int:pk>/notes/<int:annotation_pk>/remove/", views.annotation_remove, name="annotation_remove"),
]
