"""Custom fields the tk-fields tests share: a dropdown "product", a multi-select
"areas", a number, a checkbox, a date and a text field (import the fixtures with *)."""

import pytest

from tickets.models import CustomField

PRODUCT_OPTIONS = [{"key": "printer", "en": "Printer", "fi": "Tulostin"},
                   {"key": "scanner", "en": "Scanner", "fi": "Skanneri"},
                   {"key": "laptop", "en": "Laptop", "fi": "Kannettava"}]


def make_field(key, type_, *, options=(), **extra):
    return CustomField.objects.create(
        key=key, type=type_, label_en=key.replace("_", " ").capitalize(),
        label_fi=f"{key} (fi)", options=list(options), **extra)


@pytest.fixture
def product_field(db):
    return CustomField.objects.create(key="product", type="dropdown", label_en="Product",
                                      label_fi="Tuote", options=PRODUCT_OPTIONS, position=1)


@pytest.fixture
def all_fields(product_field):
    return {
        "product": product_field,
        "areas": make_field("areas", "multiselect", options=[
            {"key": "ui", "en": "User interface", "fi": "Käyttöliittymä"},
            {"key": "billing", "en": "Billing", "fi": "Laskutus"}]),
        "hours": make_field("hours", "number"),
        "warranty": make_field("warranty", "checkbox"),
        "bought_on": make_field("bought_on", "date"),
        "serial": make_field("serial", "text"),
    }


@pytest.fixture(autouse=True)
def english_messages():
    """Messages are asserted in English; a Finnish page request earlier in the same
    thread must not leak its language into the next test (nor this one's out)."""
    from django.conf import settings
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate(settings.LANGUAGE_CODE)
