from django.urls import path

from projects.models import Decision
from projects.views import charter, decisions, log, overload, pdsa

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
    path("initiatives/", log.portfolio, name="portfolio"),
    path("initiatives/new/", charter.initiative_create, name="initiative_create"),
    path("initiatives/new/check/", charter.initiative_check, name="initiative_check"),
    path("initiatives/new/<slug:step>/", charter.initiative_create, name="initiative_create_step"),
    path("initiatives/<int:pk>/edit/", charter.initiative_edit, name="initiative_edit"),
    path("initiatives/<int:pk>/submit/", charter.initiative_submit, name="initiative_submit"),
    *[
        path(f"initiatives/<int:pk>/{slug}/", decisions.decide, {"kind": kind}, name=kind)
        for kind, slug in DECISION_PATHS.items()
    ],
    path("initiatives/<int:pk>/pdsa/new/", pdsa.pdsa_create, name="pdsa_create"),
    path("initiatives/<int:pk>/pdsa/<int:number>/", pdsa.pdsa_detail, name="pdsa_detail"),
    path("initiatives/<int:pk>/pdsa/<int:number>/<slug:stage>/", pdsa.pdsa_stage, name="pdsa_stage"),
    path("initiatives/<int:pk>/progress-score/", pdsa.progress_score, name="progress_score"),
    path("reviews/", decisions.review_queue, name="review_queue"),
    # --- Jobs (issue 8): overload (initiativitis) flags ---
    path("overload-flags/<int:pk>/", overload.overload_flag, name="overload_flag"),
]
