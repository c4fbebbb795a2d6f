"""Helpers of the reply tests (docs/replies.md)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35"
       b"\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


def upload(name: str, data: bytes = b"hello", content_type: str = "text/plain"):
    return SimpleUploadedFile(name, data, content_type=content_type)


@pytest.fixture
def send(django_capture_on_commit_callbacks, mailoutbox):
    """Run a callable with on-commit work (the reply email) executed; the outbox starts empty."""
    def run(fn, *args, **kwargs):
        mailoutbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)
    return run
