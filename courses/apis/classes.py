"""``GET /api/v1/classes/``: the public class search (培训开班信息查询) as JSON.

No login; throttled per client (scope ``class_search``); only classes of approved plans;
page-number pagination (``page``, ``page_size`` up to 100) over a stable order (start date
newest first, then id)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.throttling import ScopedRateThrottle

from courses.models import TrainingClass
from courses.selectors.classes import public_classes


class ClassPagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


class ClassSerializer(serializers.ModelSerializer[TrainingClass]):
    course_name = serializers.CharField(source="plan.course.name")
    course_type = serializers.CharField(source="plan.course.course_type")
    series = serializers.CharField(source="plan.series.code")
    institution = serializers.CharField(source="plan.filer.name")
    institution_id = serializers.IntegerField(source="plan.filer_id")
    planned_places = serializers.IntegerField(source="capacity")

    class Meta:
        model = TrainingClass
        fields = [
            "id",
            "name",
            "course_name",
            "course_type",
            "series",
            "institution",
            "institution_id",
            "start_date",
            "end_date",
            "hours",
            "planned_places",
            "enrolled",
            "status",
            "mode",
        ]


EXAMPLE = {
    "count": 1,
    "next": None,
    "previous": None,
    "results": [
        {
            "id": 14,
            "name": "2021年建筑工程专业课第三期",
            "course_name": "住房城乡建设领域专业科目(2021)",
            "course_type": "professional",
            "series": "engineering",
            "institution": "广州市建设职业培训学校",
            "institution_id": 7,
            "start_date": "2021-09-15",
            "end_date": "2021-09-20",
            "hours": "44.0",
            "planned_places": 1000,
            "enrolled": 0,
            "status": "accepting",
            "mode": "face_to_face",
        }
    ],
}


class DetailSerializer(serializers.Serializer[Any]):
    """DRF's error body: what went wrong, in the request's language."""

    detail = serializers.CharField()


class ClassListApi(ListAPIView[TrainingClass]):
    """Classes of approved course plans (the public class search)."""

    authentication_classes: list[Any] = []
    permission_classes = [AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "class_search"
    renderer_classes = [JSONRenderer]
    serializer_class = ClassSerializer
    pagination_class = ClassPagination

    def get_queryset(self) -> Any:
        params = self.request.query_params

        def text(name: str, limit: int) -> str:
            # PostgreSQL text cannot hold NUL: such a character matches nothing anyway.
            return params.get(name, "").replace("\x00", "")[:limit]

        status = params.get("status", "")
        return public_classes(
            status=status if status in TrainingClass.Status.values else "",
            series=text("series", 20),
            institution=text("institution", 120),
            q=text("q", 120),
        )

    @extend_schema(
        summary="Search the classes of approved course plans (培训开班信息查询)",
        parameters=[
            OpenApiParameter(
                "status", str, enum=list(TrainingClass.Status.values), description="class state"
            ),
            OpenApiParameter("series", str, description="professional series code"),
            OpenApiParameter("institution", str, description="the filer's id, or part of its name"),
            OpenApiParameter("q", str, description="part of the class or course name"),
        ],
        responses={
            200: OpenApiResponse(
                ClassSerializer(many=True),
                examples=[
                    OpenApiExample("A class accepting enrolment", value=EXAMPLE, response_only=True)
                ],
            ),
            404: OpenApiResponse(
                DetailSerializer,
                description="No such page (a page number below 1 or past the last page).",
                examples=[OpenApiExample("Past the last page", value={"detail": "无效页面。"})],
            ),
            429: OpenApiResponse(
                DetailSerializer,
                description="Too many searches from this address; try again later.",
            ),
        },
    )
    def get(self, request: Any, *args: Any, **kwargs: Any) -> Any:
        return super().get(request, *args, **kwargs)
