"""``/api/v1/custom-fields/``: the definitions (staff read; admins write)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import generics, permissions, serializers
from rest_framework.request import Request
from rest_framework.views import APIView

from helpdesk.api import parse_id
from helpdesk.permissions import IsStaffUser

from ..models import CustomField, Team
from ..services.custom_fields import clean_channels, clean_options, may_define_fields


class IsFieldAdminOrReadOnly(permissions.BasePermission):
    def has_permission(self, request: Request, view: APIView) -> bool:
        return request.method in permissions.SAFE_METHODS or may_define_fields(request.user)


class OptionSerializer(serializers.Serializer):
    key = serializers.CharField(max_length=64)
    en = serializers.CharField(max_length=100)
    fi = serializers.CharField(max_length=100)


class CustomFieldSerializer(serializers.ModelSerializer):
    options = OptionSerializer(many=True, required=False)
    channels = serializers.ListField(child=serializers.CharField(), required=False)
    teams = serializers.PrimaryKeyRelatedField(many=True, queryset=Team.objects.all(),
                                               required=False)

    class Meta:
        model = CustomField
        fields = ["id", "key", "type", "label_en", "label_fi", "options", "channels", "teams",
                  "required_on_solve", "public", "active", "position"]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        field_type = attrs.get("type", getattr(self.instance, "type", ""))
        if self.instance is not None:
            for name in ("key", "type"):
                if name in attrs and attrs[name] != getattr(self.instance, name):
                    raise serializers.ValidationError({name: "Fixed once the field exists."})
        try:
            if "options" in attrs or self.instance is None:
                attrs["options"] = clean_options(
                    [dict(o) for o in attrs.get("options", [])], field_type=field_type)
            if "channels" in attrs:
                attrs["channels"] = clean_channels(attrs["channels"])
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs


@extend_schema_view(get=extend_schema(summary="List custom fields", tags=["custom fields"]),
                    post=extend_schema(summary="Define a custom field (admins)",
                                       tags=["custom fields"]))
class CustomFieldList(generics.ListCreateAPIView):
    permission_classes = [IsStaffUser, IsFieldAdminOrReadOnly]
    serializer_class = CustomFieldSerializer
    pagination_class = None
    queryset = CustomField.objects.prefetch_related("teams").order_by("position", "pk")


@extend_schema_view(
    get=extend_schema(summary="Read a custom field", tags=["custom fields"]),
    patch=extend_schema(summary="Change a custom field (admins)", tags=["custom fields"]),
    delete=extend_schema(summary="Delete a custom field and its values (admins)",
                         tags=["custom fields"]))
class CustomFieldDetail(generics.RetrieveUpdateDestroyAPIView):
    permission_classes = [IsStaffUser, IsFieldAdminOrReadOnly]
    serializer_class = CustomFieldSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_object(self) -> CustomField:
        pk = parse_id(self.kwargs["pk"])
        field = CustomField.objects.filter(pk=pk).first() if pk else None
        if field is None:
            raise Http404
        return field
