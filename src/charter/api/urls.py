from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.routers import DefaultRouter

from charter.api.permissions import IsPersonInCharter
from charter.core.http import person_required
from charter.crm.api import facts as crm_facts
from charter.crm.api.imports import ImportViewSet as CrmImportViewSet
from charter.development.api import mentorships as development_mentorships_api
from charter.development.api import plans as development_plans_api
from charter.expectations import api as expectations_api
from charter.feedback import api as feedback_api
from charter.kpis.api import definitions as kpi_definitions_api
from charter.kpis.api import explain as kpis_explain_api
from charter.kpis.api import scorecards as kpi_scorecards_api
from charter.kpis.api import targets as kpi_targets_api
from charter.learning.api import catalogue as learning_catalogue_api
from charter.learning.api import certificates as learning_certificates_api
from charter.learning.api import completions as learning_completions_api
from charter.learning.api import requirements as learning_requirements_api
from charter.learning.api import sessions as learning_sessions_api
from charter.meetings.api import meetings as meetings_api
from charter.org.api import MeView, PersonViewSet, TeamViewSet
from charter.reviews.api import views as reviews_api

app_name = "api"

# The plain router: DefaultRouter's browsable root view would be one more endpoint to secure.
router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No `people.json`-style twins: JSON is the only format, and the views do not take `format`.
router.include_format_suffixes = False
router.register("people", PersonViewSet, basename="person")
router.register("teams", TeamViewSet, basename="team")
router.register("values", expectations_api.ValueViewSet, basename="value")
router.register("documents", expectations_api.DocumentViewSet, basename="document")
router.register("crm/imports", CrmImportViewSet, basename="crm-import")
router.register("deals", crm_facts.DealViewSet, basename="deal")
router.register("activities", crm_facts.ActivityViewSet, basename="activity")
router.register("csat", crm_facts.CsatViewSet, basename="csat")
router.register(
    "kpis/definitions", kpi_definitions_api.DefinitionViewSet, basename="kpi-definition"
)
router.register("kpis/targets", kpi_targets_api.TargetViewSet, basename="kpi-target")
router.register(
    "learning/trainings", learning_catalogue_api.TrainingViewSet, basename="learning-training"
)
router.register(
    "learning/completions",
    learning_completions_api.CompletionViewSet,
    basename="learning-completion",
)
router.register(
    "learning/requirements",
    learning_requirements_api.RequirementViewSet,
    basename="learning-requirement",
)
router.register(
    "learning/sessions", learning_sessions_api.SessionViewSet, basename="learning-session"
)
router.register(
    "learning/enrolments",
    learning_sessions_api.EnrolmentViewSet,
    basename="learning-enrolment",
)
router.register(
    "learning/certifications",
    learning_certificates_api.CertificationViewSet,
    basename="learning-certification",
)
router.register(
    "learning/certificates",
    learning_certificates_api.CertificateViewSet,
    basename="learning-certificate",
)
router.register("meetings/series", meetings_api.SeriesViewSet, basename="meetings-series")
router.register("meetings/meetings", meetings_api.MeetingViewSet, basename="meetings-meeting")
router.register("meetings/agenda", meetings_api.AgendaViewSet, basename="meetings-agenda")
router.register("meetings/notes", meetings_api.NoteViewSet, basename="meetings-note")
router.register("meetings/actions", meetings_api.ActionItemViewSet, basename="meetings-action")
router.register("feedback/items", feedback_api.FeedbackViewSet, basename="feedback-item")
router.register("feedback/requests", feedback_api.RequestViewSet, basename="feedback-request")
router.register("feedback/badges", feedback_api.BadgeViewSet, basename="feedback-badge")
router.register("feedback/awards", feedback_api.AwardViewSet, basename="feedback-award")
router.register("reviews/templates", reviews_api.TemplateViewSet, basename="reviews-template")
router.register("reviews/cycles", reviews_api.CycleViewSet, basename="reviews-cycle")
router.register("reviews/reviews", reviews_api.ReviewViewSet, basename="reviews-review")
router.register(
    "development/offers",
    development_mentorships_api.OfferViewSet,
    basename="development-offer",
)
router.register(
    "development/requests",
    development_mentorships_api.RequestViewSet,
    basename="development-request",
)
router.register(
    "development/mentorships",
    development_mentorships_api.MentorshipViewSet,
    basename="development-mentorship",
)
router.register("development/plans", development_plans_api.PlanViewSet, basename="development-plan")
router.register("development/goals", development_plans_api.GoalViewSet, basename="development-goal")

# The schema is for people with access (by token or session), like every other endpoint. The
# docs page is a web page: anonymous visitors are sent to sign in, and its "Try it out" calls
# then run with their session, so the access checks are the API's own.
schema_view = SpectacularAPIView.as_view(permission_classes=[IsPersonInCharter])
# The split view serves its start-up script as a file (`?script`), not inline: the
# Content-Security-Policy allows scripts from this site only.
docs_view = person_required(
    SpectacularSwaggerSplitView.as_view(
        url_name="api:schema", permission_classes=[AllowAny], template_name="api/docs.html"
    )
)

urlpatterns = [
    path("schema/", schema_view, name="schema"),
    path("docs/", docs_view, name="docs"),
    path("me/", MeView.as_view(), name="me"),
    path(
        "documents/<int:document_id>/versions/<int:number>/",
        expectations_api.VersionView.as_view(),
        name="document-version",
    ),
    path(
        "expectations/<int:expectation_id>/",
        expectations_api.ExpectationView.as_view(),
        name="expectation",
    ),
    path("signatures/mine/", expectations_api.MySignaturesView.as_view(), name="signatures-mine"),
    path("signatures/team/", expectations_api.TeamSignaturesView.as_view(), name="signatures-team"),
    path(
        "questions/<int:question_id>/answer/",
        expectations_api.AnswerView.as_view(),
        name="question-answer",
    ),
    path("kpis/scorecards/", kpi_scorecards_api.ScorecardsView.as_view(), name="kpi-scorecards"),
    path("kpis/periods/", kpi_scorecards_api.PeriodListView.as_view(), name="kpi-period-list"),
    path(
        "kpis/periods/<str:label>/close/",
        kpi_scorecards_api.PeriodCloseView.as_view(),
        name="kpi-period-close",
    ),
    path("kpis/explain/", kpis_explain_api.ExplainView.as_view(), name="kpis-explain"),
    path(
        "learning/compliance/",
        learning_requirements_api.ComplianceView.as_view(),
        name="learning-compliance",
    ),
    path("", include(router.urls)),
]
