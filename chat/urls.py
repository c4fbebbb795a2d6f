from django.urls import path

from . import views, visitor

app_name = "chat"

urlpatterns = [
    path("chats/", views.inbox, name="inbox"),
    path("chats/list/", views.inbox_list, name="list"),
    path("chats/<str:pk>/", views.inbox, name="chat"),
    path("chats/<str:pk>/accept/", views.accept, name="accept"),
    path("chats/<str:pk>/end/", views.end, name="end"),
    path("chats/<str:pk>/transfer/", views.transfer, name="transfer"),
    path("chats/<str:pk>/files/", views.upload, name="upload"),
    path("support/chat/", visitor.start, name="start"),
    path("support/chat/<str:token>/files/", visitor.upload, name="visitor_upload"),
    path("support/chat/<str:token>/files/<int:pk>/", visitor.download, name="visitor_file"),
]
