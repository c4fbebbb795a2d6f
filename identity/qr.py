import segno


def qr_svg_data_uri(text: str) -> str:
    """A QR code as an SVG data URI (the page's CSP allows data: images, not remote ones)."""
    return segno.make(text, error="m").svg_data_uri(scale=5, border=2)
