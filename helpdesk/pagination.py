from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 25
    page_size_query_param = "page_size"
    max_page_size = 200


class ThreadPagination(Pagination):
    """A ticket's thread is read whole far more often than paged."""

    page_size = 100
    max_page_size = 500
