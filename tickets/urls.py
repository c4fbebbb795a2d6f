from django.urls import path

app_name = "tickets"

urlpatterns: list = [
    path("tickets/<int:pk>/", lambda request, pk: None, name="detail"),
]
