"""API of CRM imports (admins): upload a file to import in the background, read its status and
progress, read its errors. The same services as the upload page and the CLI do the work."""

from __future__ import annotations

import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.generics import get_object_or_404
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from charter.core.imports.forms import ACCEPTED_EXTENSIONS, MAX_UPLOAD_BYTES
from charter.core.imports.readers import ImportFileError
from charter.core.imports.runner import get_importer
from charter.core.imports.services import TOKEN_KEY, import_upload_confirm, import_upload_create
from charter.core.models import ImportRun
from charter.crm.views.imports import IMPORT_KINDS
from charter.org.access import can_manage_org, person_of


class ImportInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IMPORT_KINDS)
    file = serializers.FileField(allow_empty_file=True)
    preset = serializers.CharField(required=False, allow_blank=True)
    mapping = serializers.CharField(
        required=False, allow_blank=True, help_text='JSON object {"field": "column"}.'
    )
    stage_map = serializers.CharField(
        required=False, allow_blank=True, help_text="Lines of 'raw stage=open|won|lost'."
    )
    date_format = serializers.CharField(required=False, allow_blank=True)
    # A declared field, popped from the class by the serializer metaclass, so it does not
    # shadow Field.source at run time.
    source = serializers.CharField(required=False, allow_blank=True)  # type: ignore[assignment]
    dry_run = serializers.BooleanField(required=False, default=False)
    skip_invalid = serializers.BooleanField(required=False, default=False)

    def validate_file(self, upload: Any) -> Any:
        if Path(upload.name).suffix.lower() not in ACCEPTED_EXTENSIONS:
            raise serializers.ValidationError("Upload a .csv or .xlsx file.")
        if upload.size > MAX_UPLOAD_BYTES:
            raise serializers.ValidationError("The file is too large.")
        return upload

    def validate_mapping(self, value: str) -> dict[str, str]:
        if not value:
            return {}
        try:
            data = json.loads(value)
        except ValueError:
            raise serializers.ValidationError("Give the mapping as a JSON object.") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise serializers.ValidationError('Give the mapping as {"field": "column"}.')
        return {str(k): v for k, v in data.items()}

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        importer = get_importer(attrs["kind"])
        given = {
            k: attrs[k] for k in ("preset", "stage_map", "date_format", "source") if attrs.get(k)
        }
        try:
            attrs["settings"] = importer.clean_settings(given)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc
        return attrs


class ImportOutput(serializers.ModelSerializer):
    percent = serializers.IntegerField(read_only=True, allow_null=True)
    error_count = serializers.SerializerMethodField()

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "filename",
            "status",
            "dry_run",
            "skip_invalid",
            "mapping",
            "rows_total",
            "rows_done",
            "percent",
            "created_count",
            "updated_count",
            "unchanged_count",
            "invalid_count",
            "error_count",
            "message",
            "created_at",
            "started_at",
            "finished_at",
        ]

    def get_error_count(self, run: ImportRun) -> int:
        return len(run.errors)


class IssueOutput(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField()
    value = serializers.CharField()
    reason = serializers.CharField()


RUN_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="The import run's id.")


class ImportViewSet(viewsets.GenericViewSet):
    """CRM imports: deals, activities, CSAT responses and exchange rates. Admins only."""

    serializer_class = ImportOutput
    parser_classes = [MultiPartParser, FormParser]
    # Run ids are numbers: anything else is no route at all (404), never a lookup that fails.
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[ImportRun]:
        person = person_of(self.request.user)
        if person is None or not can_manage_org(self.request.user):
            raise PermissionDenied("Only admins can import CRM data.")
        return ImportRun.objects.filter(org=person.org, kind__in=IMPORT_KINDS)

    @extend_schema(responses=ImportOutput(many=True))
    def list(self, request: Request) -> Response:
        """CRM imports, newest first, a page at a time like every other list."""
        runs = self.get_queryset().order_by("-created_at", "-id")
        page = self.paginate_queryset(runs)
        return self.get_paginated_response(ImportOutput(page, many=True).data)

    @extend_schema(request=ImportInput, responses={202: ImportOutput})
    def create(self, request: Request) -> Response:
        self.get_queryset()  # refuses anyone but an admin
        person = person_of(request.user)
        assert person is not None
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data["file"]
        try:
            run = import_upload_create(
                org=person.org,
                kind=data.validated_data["kind"],
                actor=request.user,
                upload=cast(IO[bytes], upload),
                filename=upload.name,
                mapping=data.validated_data.get("mapping") or None,
                options=data.validated_data["settings"],
                skip_invalid=data.validated_data["skip_invalid"],
                dry_run=data.validated_data["dry_run"],
            )
        except ImportFileError as exc:
            return Response({"file": [f"{upload.name}: {exc}"]}, status=status.HTTP_400_BAD_REQUEST)
        except ValidationError as exc:
            return Response({"detail": "; ".join(exc.messages)}, status=400)
        token = str(run.options.get(TOKEN_KEY) or "")
        import_upload_confirm(run=run, actor=request.user, token=token)
        run.refresh_from_db()
        return Response(ImportOutput(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(responses=ImportOutput, parameters=[RUN_ID])
    def retrieve(self, request: Request, pk: str | None = None) -> Response:
        run = get_object_or_404(self.get_queryset(), pk=pk)
        return Response(ImportOutput(run).data)

    @extend_schema(responses=IssueOutput(many=True), parameters=[RUN_ID])
    @action(detail=True, methods=["get"])
    def errors(self, request: Request, pk: str | None = None) -> Response:
        run = get_object_or_404(self.get_queryset(), pk=pk)
        page = self.paginate_queryset(run.errors)
        return self.get_paginated_response(IssueOutput(page, many=True).data)
