"""API for certifications (the definitions) and the certificates people hold."""

from __future__ import annotations

from typing import Any

from django.http import Http404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from charter.api.errors import service_errors
from charter.learning.access import (
    can_manage_certifications,
    certificate_holders,
    certificates_with_evidence_access,
)
from charter.learning.certificates import EXPIRED, EXPIRING, VALID
from charter.learning.certificates import state as certificate_state
from charter.learning.models import Certificate, Certification
from charter.learning.selectors import org_today
from charter.learning.services import certificates as services
from charter.org.access import person_of
from charter.org.api import StrictInput
from charter.org.models import Person

STATES = [VALID, EXPIRING, EXPIRED]


class LearningCertificationOutput(serializers.ModelSerializer):
    class Meta:
        model = Certification
        fields = ["id", "name", "issuer", "validity_months", "expiring_days", "is_active"]


class LearningCertificationInput(StrictInput):
    name = serializers.CharField(max_length=200)
    issuer = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    validity_months = serializers.IntegerField()
    expiring_days = serializers.IntegerField(required=False, default=60)


class LearningCertificateOutput(serializers.ModelSerializer):
    certification_name = serializers.CharField(source="certification.name", read_only=True)
    state = serializers.SerializerMethodField()
    has_evidence = serializers.SerializerMethodField()
    evidence_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "id", "person", "certification", "certification_name", "issued_on", "expires_on",
            "credential_id", "state", "has_evidence", "evidence_url",
        ]  # fmt: skip

    @extend_schema_field(serializers.ChoiceField(choices=STATES))
    def get_state(self, obj: Certificate) -> str:
        # As the certificates page says it: on the holder's organization's today.
        return certificate_state(
            obj.expires_on, org_today(obj.person.org), obj.certification.expiring_days
        )

    def get_has_evidence(self, obj: Certificate) -> bool:
        return bool(obj.evidence_name)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_evidence_url(self, obj: Certificate) -> str | None:
        if not obj.evidence_name:
            return None
        return reverse("learning:certificate_evidence", args=[obj.pk])


class _HolderField(serializers.PrimaryKeyRelatedField):
    """A person the caller may record a certificate for."""

    queryset = Person.objects.none()  # tells the schema the model

    def get_queryset(self) -> Any:
        return certificate_holders(self.context["request"].user)


class _CertificationField(serializers.PrimaryKeyRelatedField):
    """An active certification of the caller's organization."""

    queryset = Certification.objects.none()  # tells the schema the model

    def get_queryset(self) -> Any:
        me = person_of(self.context["request"].user)
        return Certification.objects.filter(org_id=me.org_id if me else None, is_active=True)


class LearningCertificateInput(StrictInput):
    person = _HolderField()
    certification = _CertificationField()
    issued_on = serializers.DateField()
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)
    credential_id = serializers.CharField(
        max_length=120, required=False, allow_blank=True, default=""
    )


class LearningCertificateFilter(serializers.Serializer):
    """The list's query parameters, read like any input so a NUL byte is a 400, not a crash."""

    person = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    state = serializers.ChoiceField(choices=STATES, required=False)


class CertificationViewSet(viewsets.ViewSet):
    """The certifications of the organization: everyone signed in reads them; admins add."""

    lookup_value_regex = r"\d+"

    def _listed(self, request: Request) -> Any:
        me = person_of(request.user)
        assert me is not None
        return Certification.objects.filter(org_id=me.org_id).order_by("name", "id")

    @extend_schema(responses=LearningCertificationOutput(many=True))
    def list(self, request: Request) -> Response:
        return Response(LearningCertificationOutput(self._listed(request), many=True).data)

    @extend_schema(responses=LearningCertificationOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = self._listed(request).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(LearningCertificationOutput(found).data)

    @extend_schema(request=LearningCertificationInput, responses={201: LearningCertificationOutput})
    def create(self, request: Request) -> Response:
        if not can_manage_certifications(request.user):
            raise PermissionDenied("Only admins add certifications.")
        data = LearningCertificationInput(data=request.data)
        data.is_valid(raise_exception=True)
        me = person_of(request.user)
        assert me is not None
        with service_errors():
            found = services.certification_create(
                org=me.org, actor=request.user, **data.validated_data
            )
        return Response(LearningCertificationOutput(found).data, status=status.HTTP_201_CREATED)


class CertificateViewSet(viewsets.ViewSet):
    """Certificates: the holder's own, those of the people below a manager, and every one for
    admins; not a peer's nor another team's, as for their evidence files."""

    lookup_value_regex = r"\d+"
    # Recording one's own certificate is personal, as on the page: executives may too.
    personal_actions = ("create",)

    def _readable(self, request: Request) -> Any:
        return certificates_with_evidence_access(request.user).select_related(
            "person__org", "certification"
        )

    @extend_schema(
        parameters=[LearningCertificateFilter], responses=LearningCertificateOutput(many=True)
    )
    def list(self, request: Request) -> Response:
        wanted = LearningCertificateFilter(data=request.query_params)
        wanted.is_valid(raise_exception=True)
        found = self._readable(request).order_by("expires_on", "id")
        if "person" in wanted.validated_data:
            found = found.filter(person_id=wanted.validated_data["person"])
        rows = list(LearningCertificateOutput(found[:1000], many=True).data)
        if "state" in wanted.validated_data:
            # The state is a function of today and each certification's window, not a column.
            rows = [r for r in rows if r["state"] == wanted.validated_data["state"]]
        return Response(rows)

    @extend_schema(responses=LearningCertificateOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        found = self._readable(request).filter(pk=pk).first()
        if found is None:
            raise Http404
        return Response(LearningCertificateOutput(found).data)

    @extend_schema(request=LearningCertificateInput, responses={201: LearningCertificateOutput})
    def create(self, request: Request) -> Response:
        if not certificate_holders(request.user).exists():
            raise PermissionDenied("Only active people record certificates.")
        data = LearningCertificateInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        # The person field already took only whom the caller records for (a 400 naming it).
        person = values.pop("person")
        with service_errors():
            found = services.certificate_add(person=person, actor=request.user, **values)
        return Response(LearningCertificateOutput(found).data, status=status.HTTP_201_CREATED)
