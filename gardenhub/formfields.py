"""Field filters and validators shared by every domain's forms."""


def strip(value):
    """Trim surrounding white space so "   " counts as empty."""
    return value.strip() if isinstance(value, str) else value
