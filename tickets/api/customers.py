"""``/api/v1/customers/`` (staff): look a customer up by email (docs/customers.md)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.db.models.functions import Lower
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from helpdesk.permissions import IsStaffUser

from ..models import Customer


class CustomerRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["id", "email", "name", "organization", "language"]
        read_only_fields = fields


@extend_schema(parameters=[OpenApiParameter(
    "email", str, description="Exact address, case-insensitive (customer_email_ci_unique).")])
class CustomerList(generics.ListAPIView):
    """Customers, by id; ``?email=`` finds the one with that address."""

    serializer_class = CustomerRecordSerializer
    permission_classes = [IsStaffUser]
    filter_backends: list = []

    def get_queryset(self) -> QuerySet[Customer]:
        customers = Customer.objects.order_by("pk")
        email = self.request.query_params.get("email")
        if email is not None:
            email = email.strip()
            if not email or len(email) > 320 or "@" not in email:
                raise ValidationError({"email": ["Give an email address."]})
            # The functional unique index on lower(email) serves this.
            customers = customers.annotate(email_ci=Lower("email")).filter(
                email_ci=email.lower())
        return customers
