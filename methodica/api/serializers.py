from __future__ import annotations

from rest_framework import serializers

from methodica.libraries.models import Library, Municipality, Settlement, StaffMember
from methodica.libraries.services import CONTACT_FIELDS, IDENTITY_FIELDS, STAFF_FIELDS


class MunicipalitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Municipality
        fields = ["id", "name", "code", "district"]


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Settlement
        fields = [
            "id",
            "name",
            "ekatte",
            "kind",
            "population",
            "population_year",
            "municipality",
        ]


class LibrarySerializer(serializers.ModelSerializer):
    municipality_name = serializers.CharField(
        source="municipality.name", read_only=True
    )
    settlement_name = serializers.CharField(source="settlement.name", read_only=True)
    hours_per_week = serializers.DecimalField(
        max_digits=5, decimal_places=1, read_only=True
    )

    class Meta:
        model = Library
        fields = [
            "id",
            *IDENTITY_FIELDS,
            "municipality_name",
            "settlement_name",
            *CONTACT_FIELDS,
            "hours_per_week",
            "status",
            "status_since",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["status", "status_since", "created_at", "updated_at"]
        # Validation happens once, in the services, with the row locked.
        validators: list = []


class StatusChangeSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Library.Status.choices)
    effective_date = serializers.DateField()
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class StaffSerializer(serializers.ModelSerializer):
    class Meta:
        model = StaffMember
        fields = ["id", "library", *STAFF_FIELDS]
        read_only_fields = ["library"]
