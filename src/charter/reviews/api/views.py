"""The reviews API: templates and cycles for admins, reviews for the people who may read them
(the answers each reader may see, the frozen KPI copy)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import BasePermission

from charter.api.permissions import IsPersonInCharter
from charter.org.access import person_of
from charter.reviews import access
from charter.reviews.models import Cycle, Response, Review, ReviewTemplate, TemplateVersion


class TemplateVersionOutput(serializers.ModelSerializer):
    class Meta:
        model = TemplateVersion
        fields = ["id", "number", "content", "reason", "published_at"]


class TemplateOutput(serializers.ModelSerializer):
    versions = TemplateVersionOutput(many=True, read_only=True)

    class Meta:
        model = ReviewTemplate
        fields = ["id", "name", "versions"]


class CycleOutput(serializers.ModelSerializer):
    class Meta:
        model = Cycle
        fields = [
            "id", "name", "period_label", "period_start", "period_end", "template_version",
            "audience", "audience_team", "audience_role", "self_due", "manager_due",
            "sharing_due", "phase", "launched_at", "closed_at",
        ]  # fmt: skip


class ResponseOutput(serializers.ModelSerializer):
    class Meta:
        model = Response
        fields = ["kind", "author", "answers", "updated_at", "submitted_at"]


class ReviewOutput(serializers.ModelSerializer):
    responses = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id", "cycle", "person", "manager", "previous_manager", "items", "kpis",
            "kpis_frozen_at", "shared_at", "acknowledged_at", "comment", "disagrees",
            "responses",
        ]  # fmt: skip

    @extend_schema_field(ResponseOutput(many=True))
    def get_responses(self, review: Review) -> list[dict[str, Any]]:
        """Only the responses this reader may see (the manager's once shared, for the rep)."""
        user = self.context["request"].user
        shown = [r for r in review.responses.all() if access.can_view_response(user, r)]
        return list(ResponseOutput(shown, many=True).data)


class IsReviewAdmin(BasePermission):
    message = "Review templates and cycles are for admins."

    def has_permission(self, request: Any, view: Any) -> bool:
        return access.can_manage_cycles(request.user)


class TemplateViewSet(viewsets.ReadOnlyModelViewSet):
    """Review templates with every published version (admins)."""

    serializer_class = TemplateOutput
    pagination_class = None
    permission_classes = [IsPersonInCharter, IsReviewAdmin]

    def get_queryset(self) -> Any:
        me = person_of(self.request.user)
        found = ReviewTemplate.objects.filter(org_id=me.org_id if me else None)
        return found.prefetch_related("versions")


class CycleViewSet(viewsets.ReadOnlyModelViewSet):
    """Review cycles and their phases (admins)."""

    serializer_class = CycleOutput
    pagination_class = None
    permission_classes = [IsPersonInCharter, IsReviewAdmin]

    def get_queryset(self) -> Any:
        me = person_of(self.request.user)
        return Cycle.objects.filter(org_id=me.org_id if me else None)


class ReviewViewSet(viewsets.ReadOnlyModelViewSet):
    """Your reviews and those of the people below you in the reporting line."""

    serializer_class = ReviewOutput

    def get_queryset(self) -> Any:
        return (
            access.visible_reviews(self.request.user)
            .select_related("cycle")
            .prefetch_related("responses__review__cycle")
            .order_by("-cycle__period_start", "id")
        )
