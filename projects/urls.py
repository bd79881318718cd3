from django.urls import path

from projects import overload_views, views
from projects.models import Decision

app_name = "projects"

K = Decision.Kind
DECISION_PATHS = {
    K.APPROVE: "approve",
    K.REQUEST_CHANGES: "request-changes",
    K.NOT_APPROVE: "not-approve",
    K.PAUSE: "pause",
    K.RESUME: "resume",
    K.HALT: "halt",
    K.COMPLETE: "complete",
    K.REVIEW_DONE: "review-done",
}

urlpatterns = [
    path("initiatives/", views.portfolio, name="portfolio"),
    path("initiatives/new/", views.initiative_create, name="initiative_create"),
    path("initiatives/new/check/", views.initiative_check, name="initiative_check"),
    path("initiatives/new/<slug:step>/", views.initiative_create, name="initiative_create_step"),
    path("initiatives/<int:pk>/edit/", views.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/submit/", views.initiative_submit, name="initiative_submit"),
    *[
        path(f"initiatives/<int:pk>/{slug}/", views.decide, {"kind": kind}, name=kind)
        for kind, slug in DECISION_PATHS.items()
    ],
    path("initiatives/<int:pk>/pdsa/new/", views.pdsa_create, name="pdsa_create"),
    path("initiatives/<int:pk>/pdsa/<int:number>/", views.pdsa_detail, name="pdsa_detail"),
    path("initiatives/<int:pk>/pdsa/<int:number>/<slug:stage>/", views.pdsa_stage, name="pdsa_stage"),
    path("initiatives/<int:pk>/progress-score/", views.progress_score, name="progress_score"),
    path("reviews/", views.review_queue, name="review_queue"),
    # --- Jobs (issue 8): overload (initiativitis) flags ---
    path("overload-flags/<int:pk>/", overload_views.overload_flag, name="overload_flag"),
]
