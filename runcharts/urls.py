from django.urls import path

from runcharts.views import data, drawings, measures, notes

app_name = "runcharts"

urlpatterns = [
    path("new/", measures.measure_create, name="measure_create"),
    path("initiatives/<int:initiative_pk>/new/", measures.measure_create, name="measure_create_for"),
    path("standing/wards/<slug:ward_slug>/new/", measures.standing_create, name="standing_create_ward"),
    path(
        "standing/directorates/<slug:directorate_slug>/new/",
        measures.standing_create,
        name="standing_create_directorate",
    ),
    path("standing/trust/new/", measures.standing_create, name="standing_create_trust"),
    path("initiatives/<int:initiative_pk>/outcome/", measures.outcome_link, name="outcome_link"),
    path(
        "initiatives/<int:initiative_pk>/outcome/<int:measure_pk>/unlink/",
        measures.outcome_unlink,
        name="outcome_unlink",
    ),
    path("<int:pk>/", measures.measure_detail, name="measure_detail"),
    path("<int:pk>/edit/", measures.measure_edit, name="measure_edit"),
    path("<int:pk>/chart/", measures.chart_change, name="chart_change"),
    path("<int:pk>/data/", data.data_entry, name="data_entry"),
    path("<int:pk>/upload/", data.upload, name="upload"),
    path("<int:pk>/upload/preview/", data.upload_preview, name="upload_preview"),
    path("<int:pk>/upload/template.<str:fmt>", data.upload_template, name="upload_template"),
    path("<int:pk>/chart.<str:fmt>", drawings.chart, name="chart"),
    path("<int:pk>/data.csv", drawings.data_csv, name="data_csv"),
    path("<int:pk>/rephases/new/", notes.rephase_add, name="rephase_add"),
    path("<int:pk>/rephases/<int:rephase_pk>/remove/", notes.rephase_remove, name="rephase_remove"),
    path("<int:pk>/notes/new/", notes.annotation_add, name="annotation_add"),
    path("<int:pk>/notes/<int:annotation_pk>/remove/", notes.annotation_remove, name="annotation_remove"),
]
