"""API for values, documents, versions, diffs, signatures and questions.

Reads come from the same access functions as the pages; writes call the same services. A
published version is read-only: there is no endpoint that changes one.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from charter.api.errors import service_errors
from charter.core.http import client_ip
from charter.expectations import diff, selectors, services
from charter.expectations.access import (
    can_answer,
    can_create_document,
    can_create_document_for,
    can_edit_document,
    can_view_coverage,
    can_view_document,
    visible_documents,
)
from charter.expectations.models import (
    Audience,
    Change,
    Document,
    DocumentVersion,
    Expectation,
    Question,
    Section,
    SignatureRequest,
    Value,
)
from charter.org.access import can_manage_org, person_of
from charter.org.api import VisibleTeamField
from charter.org.models import Role

# --- output -------------------------------------------------------------------------------


class ValueOutput(serializers.ModelSerializer):
    class Meta:
        model = Value
        fields = ["id", "name", "description", "order", "is_active"]


class VersionSummaryOutput(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = ["number", "summary", "change", "effective_date", "published_at", "content_hash"]


class VersionOutput(serializers.ModelSerializer):
    class Meta:
        model = DocumentVersion
        fields = [
            "number",
            "summary",
            "change",
            "effective_date",
            "published_at",
            "content_hash",
            "content",
            "rendered_html",
        ]


class DocumentOutput(serializers.ModelSerializer):
    current_version = serializers.SerializerMethodField()
    can_edit = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = [
            "id",
            "title",
            "audience",
            "audience_team",
            "audience_role",
            "default_due_days",
            "draft_revision",
            "current_version",
            "can_edit",
        ]

    def get_current_version(self, document: Document) -> int | None:
        version = selectors.current_version(document)
        return version.number if version else None

    def get_can_edit(self, document: Document) -> bool:
        return can_edit_document(self.context["request"].user, document)


class ExpectationOutput(serializers.ModelSerializer):
    values: serializers.SlugRelatedField[Value] = serializers.SlugRelatedField(
        slug_field="name", many=True, read_only=True
    )

    class Meta:
        model = Expectation
        fields = [
            "id",
            "key",
            "title",
            "text",
            "values",
            "measure_text",
            "measure_ref",
            "is_key",
            "revision",
        ]


class SectionOutput(serializers.ModelSerializer):
    expectations = ExpectationOutput(many=True, read_only=True)

    class Meta:
        model = Section
        fields = ["id", "key", "title", "intro", "provider", "revision", "expectations"]


class RequestOutput(serializers.ModelSerializer):
    document = serializers.IntegerField(source="version.document_id")
    document_title = serializers.CharField(source="version.document.title")
    version = serializers.IntegerField(source="version.number")
    person = serializers.IntegerField(source="person_id")
    person_name = serializers.CharField(source="person.full_name")
    state = serializers.SerializerMethodField()

    class Meta:
        model = SignatureRequest
        fields = [
            "id",
            "document",
            "document_title",
            "version",
            "person",
            "person_name",
            "due_date",
            "signed_at",
            "state",
        ]

    def get_state(self, request: SignatureRequest) -> str:
        return request.state()


class AnswerOutput(serializers.Serializer):
    author = serializers.CharField(source="author.full_name")
    text = serializers.CharField()
    created_at = serializers.DateTimeField()


class QuestionOutput(serializers.ModelSerializer):
    asked_by = serializers.CharField(source="asked_by.full_name")
    answers = AnswerOutput(many=True, read_only=True)

    class Meta:
        model = Question
        fields = [
            "id",
            "expectation_key",
            "expectation_title",
            "asked_by",
            "text",
            "visibility",
            "created_at",
            "answers",
        ]


# --- input --------------------------------------------------------------------------------


class ValueInput(serializers.Serializer):
    name = serializers.CharField(max_length=80)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    order = serializers.IntegerField(required=False, min_value=0, allow_null=True, default=None)


class DocumentInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    audience = serializers.ChoiceField(choices=Audience.choices, default=Audience.COMPANY)
    # Among the teams the caller may see: a team out of sight reads as one that does not exist
    # (400), so the answer never tells whether a team id exists.
    audience_team = VisibleTeamField(required=False, allow_null=True, default=None)
    audience_role = serializers.ChoiceField(
        choices=Role.choices, required=False, allow_blank=True, default=""
    )
    default_due_days = serializers.IntegerField(min_value=1, max_value=365, default=14)


class ExpectationInput(serializers.Serializer):
    section = serializers.IntegerField(required=False)
    title = serializers.CharField(max_length=200)
    text = serializers.CharField()
    values = serializers.ListField(child=serializers.CharField(), help_text="Value names.")
    measure_text = serializers.CharField(required=False, allow_blank=True, default="")
    measure_ref = serializers.CharField(required=False, allow_blank=True, default="")
    is_key = serializers.BooleanField(required=False, default=False)
    revision = serializers.IntegerField(
        required=False, help_text="The revision you edited; a newer one answers 409."
    )


class PublishInput(serializers.Serializer):
    summary = serializers.CharField()
    change = serializers.ChoiceField(choices=Change.choices)
    effective_date = serializers.DateField(required=False, allow_null=True, default=None)
    distribute = serializers.BooleanField(required=False, default=True)


class SignInput(serializers.Serializer):
    version = serializers.IntegerField(help_text="The version number you read.")
    typed_name = serializers.CharField(help_text="Your full name, exactly.")


class QuestionInput(serializers.Serializer):
    expectation_key = serializers.CharField()
    text = serializers.CharField()
    visibility = serializers.ChoiceField(choices=Question.Visibility.choices)


class AnswerInput(serializers.Serializer):
    text = serializers.CharField()


# --- endpoints ----------------------------------------------------------------------------


def _values_by_name(org_id: int, names: list[str]) -> list[Value]:
    found = {v.name.casefold(): v for v in Value.objects.filter(org_id=org_id, is_active=True)}
    missing = [n for n in names if n.casefold() not in found]
    if missing:
        from rest_framework.exceptions import ValidationError

        raise ValidationError({"values": [f"Unknown values: {', '.join(missing)}."]})
    return [found[n.casefold()] for n in names]


class ValueViewSet(viewsets.ViewSet):
    """Company values. Everyone reads the active ones; admins add and change them."""

    lookup_value_regex = r"\d+"

    @extend_schema(responses=ValueOutput(many=True))
    def list(self, request: Request) -> Response:
        me = person_of(request.user)
        assert me is not None
        values = Value.objects.filter(org_id=me.org_id).order_by("order", "name")
        if not can_manage_org(request.user):
            values = values.filter(is_active=True)
        return Response(ValueOutput(values, many=True).data)

    @extend_schema(request=ValueInput, responses={201: ValueOutput})
    def create(self, request: Request) -> Response:
        if not can_manage_org(request.user):
            raise PermissionDenied("Only admins change the company values.")
        data = ValueInput(data=request.data)
        data.is_valid(raise_exception=True)
        me = person_of(request.user)
        assert me is not None
        with service_errors():
            value = services.value_create(org=me.org, actor=request.user, **data.validated_data)
        return Response(ValueOutput(value).data, status=status.HTTP_201_CREATED)


def _document(request: Request, pk: Any) -> Document:
    document = get_object_or_404(Document, pk=pk)
    if not can_view_document(request.user, document):
        raise Http404
    return document


def _editable(request: Request, pk: Any) -> Document:
    document = _document(request, pk)
    if not can_edit_document(request.user, document):
        raise PermissionDenied("Only the document's editors change it.")
    return document


class DocumentViewSet(viewsets.ViewSet):
    """Expectations documents, their draft, versions, diffs, signing and questions."""

    lookup_value_regex = r"\d+"
    personal_actions = ("sign",)

    @extend_schema(responses=DocumentOutput(many=True))
    def list(self, request: Request) -> Response:
        documents = visible_documents(request.user)
        return Response(DocumentOutput(documents, many=True, context={"request": request}).data)

    @extend_schema(responses=DocumentOutput)
    def retrieve(self, request: Request, pk: str) -> Response:
        document = _document(request, pk)
        return Response(DocumentOutput(document, context={"request": request}).data)

    @extend_schema(request=DocumentInput, responses={201: DocumentOutput})
    def create(self, request: Request) -> Response:
        if not can_create_document(request.user):
            raise PermissionDenied("Only managers and admins write expectations documents.")
        data = DocumentInput(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        me = person_of(request.user)
        assert me is not None
        fields = data.validated_data
        if not can_create_document_for(request.user, fields["audience"], fields["audience_team"]):
            raise PermissionDenied("Managers write documents for their own teams only.")
        with service_errors():
            document = services.document_create(org=me.org, actor=request.user, **fields)
        return Response(
            DocumentOutput(document, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(responses=SectionOutput(many=True))
    @action(detail=True, methods=["get"])
    def draft(self, request: Request, pk: str) -> Response:
        document = _editable(request, pk)
        sections = document.sections.prefetch_related("expectations__values").order_by("order")
        return Response(SectionOutput(sections, many=True).data)

    @extend_schema(request=ExpectationInput, responses={201: ExpectationOutput})
    @action(detail=True, methods=["post"])
    def expectations(self, request: Request, pk: str) -> Response:
        document = _editable(request, pk)
        data = ExpectationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        section = get_object_or_404(Section, pk=fields.pop("section", None), document=document)
        fields.pop("revision", None)
        fields["values"] = _values_by_name(document.org_id, fields["values"])
        with service_errors():
            expectation = services.expectation_add(section=section, actor=request.user, **fields)
        return Response(ExpectationOutput(expectation).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=VersionSummaryOutput(many=True))
    @action(detail=True, methods=["get"])
    def versions(self, request: Request, pk: str) -> Response:
        document = _document(request, pk)
        return Response(VersionSummaryOutput(selectors.versions(document), many=True).data)

    @extend_schema(request=PublishInput, responses={201: VersionOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        document = _editable(request, pk)
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            version = services.document_publish(
                document=document, actor=request.user, **data.validated_data
            )
        return Response(VersionOutput(version).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        parameters=[
            OpenApiParameter("a", int, description="Older version number"),
            OpenApiParameter("b", int, description="Newer version number"),
        ],
        responses={200: dict},
    )
    @action(detail=True, methods=["get"])
    def diff(self, request: Request, pk: str) -> Response:
        document = _document(request, pk)
        try:
            a, b = int(request.query_params["a"]), int(request.query_params["b"])
        except (KeyError, ValueError):
            from rest_framework.exceptions import ValidationError

            raise ValidationError({"a": ["Give two version numbers as ?a=1&b=2."]}) from None
        old = get_object_or_404(DocumentVersion, document=document, number=a)
        new = get_object_or_404(DocumentVersion, document=document, number=b)
        result = diff.compare(old.content, new.content)
        return Response(
            {
                "from": a,
                "to": b,
                "counts": result.counts,
                "sections": [dataclasses.asdict(c) for c in result.sections],
                "expectations": [dataclasses.asdict(c) for c in result.expectations],
            }
        )

    @extend_schema(request=SignInput, responses={201: RequestOutput})
    @action(detail=True, methods=["post"])
    def sign(self, request: Request, pk: str) -> Response:
        document = _document(request, pk)
        data = SignInput(data=request.data)
        data.is_valid(raise_exception=True)
        me = person_of(request.user)
        version = selectors.current_version(document)
        if version is None or me is None:
            raise Http404
        if data.validated_data["version"] != version.number:
            from rest_framework.exceptions import ValidationError

            raise ValidationError(
                {
                    "version": [
                        f"Version {data.validated_data['version']} is not the current one; "
                        f"read and sign version {version.number}.",
                    ],
                    "current_version_url": f"/api/v1/documents/{document.pk}/versions/"
                    f"{version.number}/",
                }
            )
        signature_request = selectors.request_for(me, version)
        if signature_request is None:
            raise PermissionDenied("This document does not ask you for a signature.")
        with service_errors():
            services.sign(
                request=signature_request,
                actor=request.user,
                typed_name=data.validated_data["typed_name"],
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        signature_request.refresh_from_db()
        return Response(RequestOutput(signature_request).data, status=status.HTTP_201_CREATED)

    @extend_schema(methods=["GET"], responses={200: QuestionOutput(many=True)})
    @extend_schema(methods=["POST"], request=QuestionInput, responses={201: QuestionOutput})
    @action(detail=True, methods=["get", "post"])
    def questions(self, request: Request, pk: str) -> Response:
        document = _document(request, pk)
        if request.method == "POST":
            data = QuestionInput(data=request.data)
            data.is_valid(raise_exception=True)
            with service_errors():
                question = services.question_ask(
                    document=document, actor=request.user, **data.validated_data
                )
            return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)
        return Response(
            QuestionOutput(selectors.visible_questions(request.user, document), many=True).data
        )


class VersionView(APIView):
    """One published version, with its frozen content and hash. Read-only."""

    @extend_schema(responses=VersionOutput)
    def get(self, request: Request, document_id: int, number: int) -> Response:
        document = _document(request, document_id)
        version = get_object_or_404(DocumentVersion, document=document, number=number)
        return Response(VersionOutput(version).data)


class ExpectationView(APIView):
    """Edit one expectation of a draft; send the revision you read to avoid overwriting."""

    @extend_schema(request=ExpectationInput, responses={200: ExpectationOutput, 409: dict})
    def patch(self, request: Request, expectation_id: int) -> Response:
        expectation = get_object_or_404(
            Expectation.objects.select_related("section__document"), pk=expectation_id
        )
        _editable(request, expectation.section.document_id)
        data = ExpectationInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        fields.pop("section", None)
        revision = fields.pop("revision", expectation.revision)
        fields["values"] = _values_by_name(expectation.section.document.org_id, fields["values"])
        try:
            with service_errors():
                services.expectation_update(
                    expectation=expectation,
                    actor=request.user,
                    expected_revision=revision,
                    **fields,
                )
        except services.EditConflict as conflict:
            return Response(
                {
                    "detail": "Someone else saved this expectation after you read it.",
                    "current": ExpectationOutput(conflict.current).data,
                    "yours": conflict.mine,
                },
                status=status.HTTP_409_CONFLICT,
            )
        expectation.refresh_from_db()
        return Response(ExpectationOutput(expectation).data)


class MySignaturesView(APIView):
    """What I have to sign and what I signed."""

    @extend_schema(responses=RequestOutput(many=True))
    def get(self, request: Request) -> Response:
        me = person_of(request.user)
        assert me is not None
        requests = (
            SignatureRequest.objects.filter(person=me, superseded_at__isnull=True)
            .select_related("version__document", "person")
            .order_by("-created_at")
        )
        return Response(RequestOutput(requests, many=True).data)


class TeamSignaturesView(APIView):
    """Signature coverage of a document's current version over the people I may see."""

    @extend_schema(
        parameters=[OpenApiParameter("document", int, required=True)],
        responses=RequestOutput(many=True),
    )
    def get(self, request: Request) -> Response:
        if not can_view_coverage(request.user):
            raise PermissionDenied("Team coverage is for managers, admins and executives.")
        document = _document(request, request.query_params.get("document") or 0)
        version = selectors.current_version(document)
        if version is None:
            return Response([])
        report = selectors.coverage(request.user, version)
        rows = [row.request for row in report.rows if row.request is not None]
        return Response(RequestOutput(rows, many=True).data)


class AnswerView(APIView):
    """Answer a question (the asker's managers and the document's editors)."""

    @extend_schema(request=AnswerInput, responses={201: QuestionOutput})
    def post(self, request: Request, question_id: int) -> Response:
        question = get_object_or_404(Question.objects.select_related("document"), pk=question_id)
        visible = selectors.visible_questions(request.user, question.document)
        if not can_view_document(request.user, question.document) or question not in visible:
            raise Http404
        if not can_answer(request.user, question):
            raise PermissionDenied("Only the asker's managers and the document's editors answer.")
        data = AnswerInput(data=request.data)
        data.is_valid(raise_exception=True)
        with service_errors():
            services.question_answer(
                question=question, actor=request.user, text=data.validated_data["text"]
            )
        return Response(QuestionOutput(question).data, status=status.HTTP_201_CREATED)
