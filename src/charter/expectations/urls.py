from django.urls import path

from charter.expectations.views import editing, questions, reading, signing, values

app_name = "expectations"
urlpatterns = [
    path("", reading.document_list, name="list"),
    path("new/", editing.document_create, name="create"),
    path("values/", values.value_list, name="values"),
    path("values/<int:value_id>/", values.value_edit, name="value_edit"),
    path("questions/", questions.inbox, name="questions"),
    path("questions/<int:question_id>/answer/", questions.answer, name="answer"),
    path("questions/<int:question_id>/fold/", questions.fold, name="fold"),
    path("distributions/<int:distribution_id>/", signing.distribution, name="distribution"),
    path("requests/<int:request_id>/remind/", signing.remind, name="remind"),
    path("<int:document_id>/", reading.document_detail, name="document"),
    path("<int:document_id>/ask/", questions.ask, name="ask"),
    path("<int:document_id>/sign/", signing.sign, name="sign"),
    path("<int:document_id>/changes/", reading.change_log, name="changelog"),
    path("<int:document_id>/compare/", reading.compare, name="compare"),
    path("<int:document_id>/edit/", editing.edit, name="edit"),
    path("<int:document_id>/edit/preview/", editing.preview, name="preview"),
    path("<int:document_id>/edit/settings/", editing.settings_update, name="settings"),
    path("<int:document_id>/edit/publish/", editing.publish, name="publish"),
    path("<int:document_id>/edit/sections/", editing.section_add, name="section_add"),
    path(
        "<int:document_id>/edit/sections/<int:section_id>/",
        editing.section_edit,
        name="section_edit",
    ),
    path(
        "<int:document_id>/edit/sections/<int:section_id>/delete/",
        editing.section_delete,
        name="section_delete",
    ),
    path(
        "<int:document_id>/edit/sections/<int:section_id>/move/",
        editing.section_move,
        name="section_move",
    ),
    path(
        "<int:document_id>/edit/sections/<int:section_id>/expectations/",
        editing.expectation_add,
        name="expectation_add",
    ),
    path(
        "<int:document_id>/edit/expectations/<int:expectation_id>/",
        editing.expectation_edit,
        name="expectation_edit",
    ),
    path(
        "<int:document_id>/edit/expectations/<int:expectation_id>/delete/",
        editing.expectation_delete,
        name="expectation_delete",
    ),
    path(
        "<int:document_id>/edit/expectations/<int:expectation_id>/move/",
        editing.expectation_move,
        name="expectation_move",
    ),
    path("<int:document_id>/v/<int:number>/", reading.version_detail, name="version"),
    path("<int:document_id>/v/<int:number>/sign/", signing.sign_outdated, name="sign_version"),
    path("<int:document_id>/v/<int:number>/pdf/", reading.version_pdf, name="pdf"),
    path("<int:document_id>/v/<int:number>/poster/", reading.version_poster, name="poster"),
    path("<int:document_id>/v/<int:number>/coverage/", signing.coverage, name="coverage"),
    path(
        "<int:document_id>/v/<int:number>/coverage.csv", signing.coverage_csv, name="coverage_csv"
    ),
]
