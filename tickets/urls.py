from django.urls import path

from . import views
from .extras_urls import urlpatterns as extras_urlpatterns
from .views import people
from .views import privacy as privacy_views

app_name = "tickets"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("queue-counts/", views.queue_counts, name="queue_counts"),
    path("search/", views.search_view, name="search"),
    path("tickets/bulk/", views.bulk_update, name="bulk"),
    path("tickets/new/", views.new_ticket, name="new"),
    path("tickets/<int:pk>/", views.detail, name="detail"),
    path("tickets/<int:pk>/context/", views.context_panels, name="context"),
    path("tickets/<int:pk>/history/", views.history, name="history"),
    path("tickets/<int:pk>/reply/", views.reply, name="reply"),
    # Replies (docs/replies.md): preview, forward, pasted images.
    path("tickets/<int:pk>/reply/preview/", views.reply_preview, name="reply_preview"),
    path("tickets/<int:pk>/forward/", views.forward, name="forward"),
    path("messages/<int:pk>/images/<str:cid>", views.inline_image, name="inline_image"),
    path("settings/team-signatures/", views.team_signatures, name="team_signatures"),
    path("tickets/<int:pk>/properties/", views.update_properties, name="properties"),
    path("tickets/<int:pk>/merge/", views.merge, name="merge"),
    path("tickets/<int:pk>/presence/", views.presence, name="presence"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("messages/<int:pk>/html/", views.message_html, name="message_html"),
    path("filters/", views.save_filter, name="save_filter"),
    path("filters/<int:pk>/delete/", views.delete_filter, name="delete_filter"),
    path("canned/", views.canned_list, name="canned_list"),
    path("canned/new/", views.canned_edit, name="canned_new"),
    path("canned/<int:pk>/", views.canned_edit, name="canned_edit"),
    path("canned/<int:pk>/delete/", views.canned_delete, name="canned_delete"),
    path("macros/", views.macro_list, name="macro_list"),
    path("macros/new/", views.macro_edit, name="macro_new"),
    path("macros/<int:pk>/", views.macro_edit, name="macro_edit"),
    path("macros/<int:pk>/delete/", views.macro_delete, name="macro_delete"),
    path("tickets/<int:pk>/macros/<int:macro_pk>/preview/", views.macro_preview,
         name="macro_preview"),
    path("tickets/<int:pk>/macros/<int:macro_pk>/apply/", views.macro_apply, name="macro_apply"),
    path("settings/", views.personal_settings, name="settings"),
    path("settings/language/", views.set_language, name="set_language"),
    path("settings/availability/", views.set_availability, name="availability"),
    # Customer and organization pages (docs/customers.md).
    path("customers/<int:pk>/", people.customer_detail, name="customer"),
    path("customers/<int:pk>/edit/", people.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/notes/", people.customer_note, name="customer_note"),
    # Personal data: export and erasure, admins only (docs/privacy.md).
    path("customers/<int:pk>/export/", privacy_views.export, name="customer_export"),
    path("customers/<int:pk>/erase/", privacy_views.erase, name="customer_erase"),
    path("organizations/<int:pk>/", people.organization_detail, name="organization"),
    path("organizations/<int:pk>/edit/", people.organization_edit, name="organization_edit"),
]

# Custom fields, time tracking, links (docs/custom-fields.md).
urlpatterns += extras_urlpatterns
