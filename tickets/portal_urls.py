from django.urls import path

from .portal import actions, views, widget

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.new_ticket, name="new"),
    path("new/thanks/", views.thanks, name="thanks"),
    path("sign-in/<str:token>/", views.sign_in, name="sign_in"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket"),
    path("tickets/<int:pk>/solve/", actions.solve, name="solve"),
    path("language/", actions.set_language, name="set_language"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("widget/tickets/", widget.widget_tickets, name="widget_tickets"),
    path("widget/demo/", widget.widget_demo, name="widget_demo"),
]
