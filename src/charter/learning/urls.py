from django.urls import include, path

from charter.core.imports import views as import_views
from charter.learning import urls_certificates_import
from charter.learning.views import (
    catalogue,
    certificates,
    completions,
    heatmap,
    imports,
    record_pdf,
    requirements,
)
from charter.learning.views import evidence as evidence_views

app_name = "learning"
# Extra arguments of the shared import views: which import pages these are.
_flow = {"flow": imports.COMPLETIONS_IMPORT}
urlpatterns = [
    path("", completions.my_record, name="my_record"),
    path("people/<int:person_id>/", completions.person_record, name="person_record"),
    path("people/<int:person_id>/record.pdf", record_pdf.record_pdf, name="record_pdf"),
    path("approvals/", completions.approvals, name="approvals"),
    path("completions/<int:completion_id>/review/", completions.review, name="review"),
    path("completions/<int:completion_id>/resubmit/", completions.resubmit, name="resubmit"),
    path(
        "completions/<int:completion_id>/evidence/",
        evidence_views.completion_evidence,
        name="completion_evidence",
    ),
    path(
        "certificates/<int:certificate_id>/evidence/",
        evidence_views.certificate_evidence,
        name="certificate_evidence",
    ),
    path(
        "import/certificates/",
        include((urls_certificates_import.urlpatterns, "certificates_import")),
    ),
    path("requirements/", requirements.requirement_list, name="requirements"),
    path(
        "requirements/<int:requirement_id>/",
        requirements.requirement_detail,
        name="requirement",
    ),
    path("teams/<int:team_id>/", requirements.team, name="team"),
    path("teams/<int:team_id>/learning.csv", requirements.team_csv, name="team_csv"),
    path("teams/<int:team_id>/heatmap/", heatmap.heatmap, name="team_heatmap"),
    path("teams/<int:team_id>/learning.xlsx", heatmap.team_xlsx, name="team_xlsx"),
    path("certificates/", certificates.certificates, name="certificates"),
    path("certifications/", certificates.certifications, name="certifications"),
    path("trainings/", catalogue.catalogue, name="catalogue"),
    path("trainings/new/", catalogue.training_create, name="training_create"),
    path("trainings/<int:training_id>/", catalogue.training_detail, name="training"),
    path("trainings/<int:training_id>/edit/", catalogue.training_edit, name="training_edit"),
    path("", include("charter.learning.urls_sessions")),
    path("import/", import_views.upload, _flow, name="completions_import"),
    path("import/<int:run_id>/", import_views.run_page, _flow, name="import_run"),
    path("import/<int:run_id>/errors.csv", import_views.errors_csv, _flow, name="import_errors"),
    path(
        "import/<int:run_id>/rejected.csv",
        import_views.rejected_csv,
        _flow,
        name="import_rejected",
    ),
]
