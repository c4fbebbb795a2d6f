"""Page-number pagination that stays fast on millions of rows.

An exact COUNT(*) over a million tickets costs more than the page itself
(about 140 ms on PostgreSQL against under 1 ms for the page), so the count is
exact only up to a bound: ``max(COUNT_CAP, the rows up to the requested page)``.
Beyond it the response says ``"count_exact": false`` and ``count`` is a lower
bound; ``next`` still leads on, so clients can walk every page.
"""

from django.core.paginator import Paginator as DjangoPaginator
from django.utils.functional import cached_property
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

COUNT_CAP = 10_000


class BoundedCountPaginator(DjangoPaginator):
    def __init__(self, *args, bound: int = COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.bound = bound

    @cached_property
    def count(self) -> int:
        # One row past the bound tells "more than bound" from "exactly bound". Without
        # ORDER BY the database may count along any index that serves the filter.
        return self.object_list.order_by()[: self.bound + 1].count()

    @property
    def count_exact(self) -> bool:
        return self.count <= self.bound


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200

    def django_paginator_class(self, queryset, page_size):
        requested = self.request.query_params.get(self.page_query_param, "1")
        page = int(requested) if requested.isdigit() and len(requested) < 9 else 1
        return BoundedCountPaginator(queryset, page_size, bound=max(COUNT_CAP, page * page_size))

    def get_paginated_response(self, data):
        paginator = self.page.paginator
        exact = paginator.count_exact
        return Response({
            "count": paginator.count if exact else paginator.bound,
            "count_exact": exact,
            "next": self.get_next_link(),
            "previous": self.get_previous_link(),
            "results": data,
        })

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"]["description"] = (
            "Matching rows; a lower bound when count_exact is false."
        )
        response["properties"] = {
            "count": response["properties"]["count"],
            "count_exact": {"type": "boolean", "example": True},
            **{k: v for k, v in response["properties"].items() if k != "count"},
        }
        response["required"] = [*response.get("required", ["count", "results"]), "count_exact"]
        return response


class ThreadPagination(Pagination):
    """A ticket's thread is read whole far more often than paged."""

    page_size = 100
    max_page_size = 500
