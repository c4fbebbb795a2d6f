from django.urls import path

from . import api

app_name = "chat_api"

urlpatterns = [
    path("chats/", api.ChatList.as_view(), name="chat-list"),
    path("chats/capacity/", api.CapacityList.as_view(), name="chat-capacity"),
    path("chats/capacity/<str:agent>/", api.CapacityDetail.as_view(),
         name="chat-capacity-detail"),
    path("chats/<str:pk>/accept/", api.Accept.as_view(), name="chat-accept"),
    path("chats/<str:pk>/messages/", api.Messages.as_view(), name="chat-messages"),
    path("chats/<str:pk>/end/", api.End.as_view(), name="chat-end"),
    path("chats/<str:pk>/transfer/", api.Transfer.as_view(), name="chat-transfer"),
]
