"""The one error a reader raises: the input is not a model droplint can read (DL001)."""


class UnreadableModel(Exception):
    """The file cannot be read as a model; the message is one plain sentence."""

    code = "DL001"
